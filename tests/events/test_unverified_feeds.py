"""An unverified organisation is hidden from the directory, so its calendar feeds must not confirm
it either (#20 item 6): the feed answers exactly like a slug that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from members.models import Role
from tests import factories
from tests.events.factories import event

pytestmark = pytest.mark.django_db

ROUTES = ["/events/organisations/{slug}.ics", "/api/v1/events/feeds/organisations/{slug}.ics"]


@pytest.mark.parametrize("route", ROUTES)
def test_the_feed_of_an_unverified_organisation_from_other_organisation_is_404(route):
    hidden = factories.organisation("Shadow Procurement Ltd", slug="shadow", verified=False)
    event(hidden, visibility="public", title="Open webinar")
    other = factories.organisation("City of Malmö", slug="malmo", verified=True)
    outsider = factories.member(other, Role.MEMBER)
    for client in (Client(), APIClient()):
        missing = client.get(route.format(slug="no-such-organisation"))
        response = client.get(route.format(slug="shadow"))
        assert response.status_code == missing.status_code == 404
        assert b"Shadow Procurement" not in response.content
    api = APIClient()
    api.force_login(outsider)
    assert api.get(route.format(slug="shadow")).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_its_own_members_and_verified_organisations_keep_their_feeds(route):
    hidden = factories.organisation("Shadow Procurement Ltd", slug="shadow", verified=False)
    event(hidden, visibility="public", title="Open webinar")
    api = APIClient()
    api.force_login(factories.member(hidden, Role.MEMBER))
    assert api.get(route.format(slug="shadow")).status_code == 200
    verified = factories.organisation("City of Helsinki", slug="helsinki", verified=True)
    event(verified, visibility="public", title="Market day")
    response = Client().get(route.format(slug="helsinki"))
    assert response.status_code == 200 and b"Market day" in response.content
