"""API fuzzing: schemathesis generates requests for every operation of ``/api/schema/``.

The schema is loaded from the real endpoint of the in-process WSGI application, so a new endpoint is
fuzzed the moment it appears in the URLconf. Every operation runs anonymous and signed in (an
allauth ``X-Session-Token``, like a mobile client), against a small network with a verified
organisation, a working group and content.

Every response check is on (#20 item 14): no 5xx; every status is documented
(``status_code_conformance``: the error responses come from one postprocessing hook,
``network.api.schema``); content type, headers and body match the schema for that status; invalid
input is rejected with a 4xx; required headers are enforced; a documented authentication is not
ignored. ``positive_data_acceptance`` is off: valid-looking data for a random slug or id, or for an
action the state does not allow, is rightly answered 404, 403 or 409, so the check cannot tell a
bug from the product's rules here; ``tests/quality/test_unsupported_methods.py`` covers the 405s
the coverage phase would (that phase enumerates every boundary value: minutes per run).
Bounded: a few examples per operation, no deadline.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from members.models import Role
from tests import factories

app = get_wsgi_application()
#: The fuzzing phase only (random valid and invalid requests, bounded by max_examples); the
#: "coverage" phase enumerates every boundary value of every parameter, minutes per run.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {
            "coverage": {"enabled": False},
            "examples": {"enabled": True},
            "stateful": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=CONFIG)


def invalid_input_rejected(ctx, response, case):
    """schemathesis' ``negative_data_rejection``, except for an empty query value: django-filter
    (like most web filters) reads ``?audience=`` as "no filter", deliberately, not as bad input (an
    empty array is sent the same way, ``?page=``)."""
    if response.status_code < 400 and any(v in ("", [], [""]) for v in (case.query or {}).values()):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    invalid_input_rejected,
    missing_required_header,
    ignored_auth,
]
EXAMPLES = 5


@contextmanager
def connection_kept_open():
    """Like Django's test client: the WSGI handler must not close the test transaction's connection
    when a request starts or finishes (Django's own test client reconnects the closer after each of
    its requests, so this wraps every fuzzed call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "signed-in"])
def auth_headers(request, db) -> dict[str, str]:
    """Headers of the caller; the signed-in one owns a verified organisation with content."""
    org = factories.organisation("Fuzz City", verified=True, verified_domains=["fuzz.example.org"])
    peer = factories.organisation("Peer Region", verified=True)
    owner = factories.member(org, Role.OWNER, email="owner@fuzz.example.org")
    factories.member(peer, Role.SIGNATORY)
    factories.working_group("Fuzz group", conveners=[org], members=[org, peer])
    if request.param == "anonymous":
        return {}
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": owner.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation_survives_fuzzing(case, auth_headers):
    with connection_kept_open():
        case.call_and_validate(headers=auth_headers, checks=CHECKS)
