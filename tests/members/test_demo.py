"""The demo network: real buyers in many countries, a log-in per role, idempotent loading."""

from __future__ import annotations

from io import StringIO

import pytest
from rest_framework.test import APIClient

from members import demo
from members.models import GroupMembership, Membership, Organisation, Person, Role, WorkingGroup

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates():
    demo.load(StringIO())
    counts = (
        Organisation.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        GroupMembership.objects.count(),
    )
    out = StringIO()
    demo.load(out)
    assert counts == (
        Organisation.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        GroupMembership.objects.count(),
    )
    assert "organisations in" in out.getvalue()


def test_demo_network_is_broad_and_realistic():
    demo.load(StringIO())
    orgs = Organisation.objects.all()
    assert orgs.count() >= 20
    assert orgs.values("country").distinct().count() >= 8
    assert set(orgs.values_list("kind", flat=True)) >= {
        "municipality",
        "region",
        "central_purchasing_body",
        "national_agency",
        "hospital",
    }
    helsinki = Organisation.objects.get(slug="helsinki")
    assert helsinki.people_served == 40000
    assert helsinki.annual_volumes == {"laptops": 20000, "phones": 6500, "tablets": 5000}
    assert helsinki.verified and helsinki.verified_domains == ["hel.fi"]
    assert not Organisation.objects.get(slug="vantaa").verified
    for org in orgs:
        org.full_clean()  # countries, volumes and domains are valid


def test_every_role_has_a_demo_log_in_and_they_work():
    demo.load(StringIO())
    roles = set(Membership.objects.filter(organisation__slug="helsinki").values_list("role", flat=True))
    assert roles == set(Role.values)
    assert set(Membership.objects.filter(organisation__slug="malmo").values_list("role", flat=True)) == set(
        Role.values
    )
    assert Person.objects.get(email="staff@buyers.network").is_staff
    for email in ["owner@hel.fi", "signatory@malmo.se", "owner@vantaa.fi", "staff@buyers.network"]:
        response = APIClient().post(
            "/_allauth/app/v1/auth/login", {"email": email, "password": demo.DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, (email, response.content)


def test_working_groups_with_conveners_members_and_a_pending_request():
    demo.load(StringIO())
    ethical = WorkingGroup.objects.get(slug="ethical-ict")
    assert ethical.visibility == "public"
    assert list(ethical.conveners.values_list("slug", flat=True)) == ["fisd"]
    assert ethical.memberships.filter(status="approved").count() >= 8
    pending = ethical.memberships.get(status="pending")
    assert (
        pending.organisation.slug == "stavanger"
        and pending.requested_by.email == "owner@stavanger.kommune.no"
    )
    assert WorkingGroup.objects.count() >= 2
    # the convener's admin sees the pending request through the API
    api = APIClient()
    api.force_authenticate(Person.objects.get(email="admin@fido.fgov.be"))
    requests = api.get("/api/v1/working-groups/ethical-ict/requests/").json()["results"]
    assert [r["organisation"]["slug"] for r in requests] == ["stavanger"]
