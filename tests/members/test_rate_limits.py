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


# --- behind a proxy, and per account *and* address ------------------------------------------


PROXY = "10.0.0.7"


def _from(client: APIClient, email: str, password: str, *, peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **extra)


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere():
    p = person("owner@example.org")
    for n in range(6):
        _from(APIClient(), p.email, f"guess-{n}", peer="198.51.100.66")
    locked = _from(APIClient(), p.email, PASSWORD, peer="198.51.100.66")
    assert locked.status_code == 400 and locked.json()["errors"][0]["code"] == "too_many_login_attempts"
    assert _from(APIClient(), p.email, PASSWORD, peer="203.0.113.10").status_code == 200


def test_behind_a_trusted_proxy_one_clients_failures_stop_only_that_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    p = person("owner@example.org")
    for n in range(6):
        _from(APIClient(), p.email, f"guess-{n}", peer=PROXY, forwarded="198.51.100.66")
    locked = _from(APIClient(), p.email, PASSWORD, peer=PROXY, forwarded="198.51.100.66")
    assert locked.status_code == 400
    assert _from(APIClient(), p.email, PASSWORD, peer=PROXY, forwarded="203.0.113.10").status_code == 200


def test_behind_a_trusted_proxy_the_per_address_login_limit_is_per_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    per_minute = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    p = person("busy@example.org")
    statuses = [
        _from(APIClient(), p.email, PASSWORD, peer=PROXY, forwarded=f"203.0.113.{n}").status_code
        for n in range(per_minute + 3)
    ]
    assert set(statuses) == {200}


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(settings):
    """Without TRUSTED_PROXIES a client cannot dodge the limit by inventing X-Forwarded-For."""
    settings.TRUSTED_PROXIES = []
    per_minute = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    p = person("target@example.org")
    statuses = [
        _from(
            APIClient(), p.email, f"wrong-{n}", peer="198.51.100.66", forwarded=f"203.0.113.{n}"
        ).status_code
        for n in range(per_minute + 1)
    ]
    assert statuses[-1] == 429


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ([], "198.51.100.1", "203.0.113.5", "198.51.100.1"),
        (["10.0.0.7"], "10.0.0.7", "203.0.113.5", "203.0.113.5"),
        (["10.0.0.7"], "198.51.100.1", "203.0.113.5", "198.51.100.1"),  # not from the proxy
        (["10.0.0.7"], "10.0.0.7", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # spoofed left part
        (["10.0.0.0/8"], "10.0.0.7", "203.0.113.5, 10.0.0.3", "203.0.113.5"),  # two proxy hops
        (["10.0.0.0/8"], "10.0.0.7", "not-an-ip", "10.0.0.7"),
        (["10.0.0.0/8"], "10.0.0.7", "10.0.0.2", "10.0.0.2"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        (["10.0.0.7"], "10.0.0.7", "203.0.113.5:4711", "203.0.113.5"),
    ],
)
def test_client_address_walks_only_trusted_hops(settings, trusted, peer, forwarded, client):
    from network.client_ip import client_address

    settings.TRUSTED_PROXIES = trusted
    assert client_address(peer, forwarded) == client
