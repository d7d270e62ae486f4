"""allauth's rate limits are on: repeated failed logins get 429 from the headless API.

Two limits act (``ACCOUNT_RATE_LIMITS``): ``login`` (30 a minute per IP) answers 429 to any further
attempt; ``login_failed`` (5 per 5 minutes per account) refuses even the right password afterwards,
so a guesser learns nothing from a late success.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.members.factories import PASSWORD, person

pytestmark = pytest.mark.django_db
LOGIN = "/_allauth/app/v1/auth/login"


def _attempt(client: APIClient, email: str, password: str):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def test_repeated_failed_logins_get_429():
    per_minute = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    p = person("target@example.org")
    client = APIClient()
    statuses = [_attempt(client, p.email, f"wrong-{n}").status_code for n in range(per_minute + 2)]
    assert set(statuses[:per_minute]) == {400}
    assert statuses[per_minute:] == [429, 429]
    response = _attempt(client, p.email, PASSWORD)
    assert response.status_code == 429


def test_after_five_failures_the_right_password_is_refused_too():
    p = person("target@example.org")
    client = APIClient()
    for n in range(5):
        assert _attempt(client, p.email, f"wrong-{n}").status_code == 400
    response = _attempt(client, p.email, PASSWORD)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"


def test_a_correct_login_is_not_throttled():
    p = person("fine@example.org")
    assert _attempt(APIClient(), p.email, PASSWORD).status_code == 200
