"""API fuzzing: schemathesis generates requests for every operation of ``/api/schema/``.

The schema is loaded from the real endpoint of the in-process WSGI application, so a new endpoint is
fuzzed the moment it appears in the URLconf. Every operation runs anonymous and signed in (an
allauth ``X-Session-Token``, like a mobile client), against a small network with a verified
organisation, a working group and content.

Every response check is on (#20 item 14): no 5xx; every status is documented
(``status_code_conformance``: the error responses come from one postprocessing hook,
``network.api.schema``); content type, headers and body match the schema for that status; invalid
input is rejected with a 4xx; required headers are enforced; a documented authentication is not
ignored; and valid data is accepted (``positive_data_acceptance``: a 2xx or a documented refusal for
this caller, 401/403/404/409/429, never a 400), except the operations listed in
``POSITIVE_DATA_GAPS`` with the rule the schema does not state yet. Valid bodies name the caller's
own organisation (``organisation_hints``); strings carry no U+0000 (refused everywhere, tested in
tests/network/test_nul_input.py). ``tests/quality/test_unsupported_methods.py`` covers the 405s the
coverage phase would (that phase enumerates every boundary value: minutes per run); workflows that
follow the schema's links are in test_api_stateful.py. Bounded: a few examples per operation, no
deadline, derandomised (about 3 minutes on SQLite for all operations, both callers).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from knowledge.cpv import SHIPPED_FILE, format_code, read_csv_rows
from members.models import Role
from network.api.fields import CPV_FORMAT
from tests import factories

app = get_wsgi_application()
#: The fuzzing phase only (random valid and invalid requests, bounded by max_examples); the
#: "coverage" phase enumerates every boundary value of every parameter, minutes per run.
CONFIG = SchemathesisConfig.from_dict(
    {
        # Every input carrying U+0000 is refused as a whole (network.middleware, a 400 tested in
        # tests/network/test_nul_input.py); OpenAPI cannot say "no NUL in any string", so valid data
        # is generated without it.
        "generation": {"allow-x00": False},
        "phases": {
            "coverage": {"enabled": False},
            "examples": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=CONFIG)
# An amount as a decimal string (spectacular's ``decimal`` format; the pattern says which).
schemathesis.openapi.format("decimal", st.from_regex(r"\A[0-9]{1,12}(\.[0-9]{1,2})?\Z"))
# A CPV code the network holds (the schema's ``cpv-code`` format): the vocabulary shipped with every
# install, which the test database holds too (knowledge's data migration).
schemathesis.openapi.format(
    CPV_FORMAT, st.sampled_from([format_code(digits) for digits, _label in read_csv_rows(SHIPPED_FILE)])
)


def invalid_input_rejected(ctx, response, case):
    """schemathesis' ``negative_data_rejection``, except for an empty query value: django-filter
    (like most web filters) reads ``?audience=`` as "no filter", deliberately, not as bad input (an
    empty array is sent the same way, ``?page=``)."""
    if response.status_code < 400 and any(v in ("", [], [""], None) for v in (case.query or {}).values()):
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


def valid_input_accepted(ctx, response, case):
    """schemathesis' ``positive_data_acceptance``: data valid by the schema gets a 2xx or a documented
    refusal for this caller (401, 403, 404, 409, 429), never a 400, except the known gaps below."""

    if (case.method, case.path, case.media_type) in POSITIVE_DATA_GAPS:
        return None
    return positive_data_acceptance(ctx, response, case)


#: Operations and body types whose 400s to schema-valid data the schema cannot describe (found with
#: ``FUZZ_EXAMPLES=40``); every other one is held to the check.
POSITIVE_DATA_GAPS: dict[tuple[str, str, str], str] = {
    ("POST", "/api/v1/resources/", "multipart/form-data"): (
        "an attachment's type is its file name's extension and its bytes (knowledge.uploads), which "
        "OpenAPI cannot describe, and schemathesis names every file part after its field"
    ),
}

CHECKS.append(valid_input_accepted)
#: Examples per operation and caller; ``FUZZ_EXAMPLES=40`` for a deeper run by hand (minutes).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))


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


#: The signed-in caller's organisation: what a valid body names as ``organisation``.
FUZZ_ORGANISATION = "fuzz-city"
#: Body fields that name the organisation a write acts for.
ORGANISATION_FIELDS = ("organisation", "convener")


def fuzz_world(*, signed_in: bool) -> dict[str, str]:
    """A small network; the headers of its owner (an allauth ``X-Session-Token``) or anonymous."""
    org = factories.organisation(
        "Fuzz City", slug=FUZZ_ORGANISATION, verified=True, verified_domains=["fuzz.example.org"]
    )
    peer = factories.organisation("Peer Region", verified=True)
    owner = factories.member(org, Role.OWNER, email="owner@fuzz.example.org")
    factories.member(peer, Role.SIGNATORY)
    factories.working_group("Fuzz group", conveners=[org], members=[org, peer])
    if not signed_in:
        return {}
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": owner.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


def _orders(raw: dict) -> dict[tuple[str, str], list[tuple[str, str, bool]]]:
    """Per operation, the documented orders of two body fields: ``(earlier, later, strict)`` from
    ``x-after``/``x-not-before`` (network.api.schema states a model's ``Ordered`` rule so)."""
    components = raw.get("components", {}).get("schemas", {})
    found: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            body = (
                (operation.get("requestBody") or {}).get("content", {}) if isinstance(operation, dict) else {}
            )
            ref = body.get("application/json", {}).get("schema", {}).get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            for name, spec in properties.items():
                for key, strict in (("x-after", True), ("x-not-before", False)):
                    if key in spec:
                        found.setdefault((method.upper(), path), []).append((spec[key], name, strict))
    return found


def _in_order(body: dict, earlier: str, later: str, strict: bool) -> None:
    """Move ``later`` after ``earlier`` (an hour or a day) when valid data put it before."""
    try:
        first, then = (datetime.fromisoformat(body[earlier]), datetime.fromisoformat(body[later]))
        step = timedelta(hours=1)
        dump = datetime.isoformat
        if len(body[earlier]) == 10:  # dates
            first, then, step, dump = first.date(), then.date(), timedelta(days=1), date.isoformat
    except (KeyError, TypeError, ValueError):
        return
    if then > first or (then == first and not strict):
        return
    try:
        body[later] = dump(first + step if strict else first)
    except OverflowError:
        body[earlier] = dump(then - step if strict else then)


def _award_weights_total(criteria: list) -> None:
    """A template's award weights add up to 100 when any is given (said in the ``criteria``
    description; OpenAPI cannot sum items): valid data shares 100 among the award criteria."""
    award = [c for c in criteria if isinstance(c, dict) and c.get("stage") == "award"]
    if not any(c.get("weight") is not None for c in award):
        return
    share, rest = divmod(100, len(award))
    for index, item in enumerate(award):
        item["weight"] = share + (1 if index < rest else 0)


def organisation_hints(fuzzed) -> None:
    """Valid data names an organisation the caller may act for: a positive case's ``organisation``
    (a slug the schema can only type as a string) becomes the caller's own. It also keeps the order
    the schema documents between two fields (``x-after``, ``x-not-before``: OpenAPI has no keyword
    that compares fields, so a generator cannot know it otherwise). Negative cases keep what was
    generated, so a bad value is still sent and must be refused."""
    orders = _orders(fuzzed.raw_schema)

    @fuzzed.hook
    def map_case(context, case):
        meta = getattr(case, "meta", None)
        positive = meta is not None and meta.generation.mode.is_positive
        if positive and isinstance(case.body, dict):
            for name in ORGANISATION_FIELDS:
                if isinstance(case.body.get(name), str):
                    case.body[name] = FUZZ_ORGANISATION
            for earlier, later, strict in orders.get((case.method.upper(), case.path), []):
                _in_order(case.body, earlier, later, strict)
            if isinstance(case.body.get("criteria"), list):
                _award_weights_total(case.body["criteria"])
        return case


organisation_hints(schema)


@pytest.fixture(params=["anonymous", "signed-in"])
def auth_headers(request, db) -> dict[str, str]:
    """Headers of the caller; the signed-in one owns a verified organisation with content."""
    return fuzz_world(signed_in=request.param == "signed-in")


@pytest.mark.django_db
@pytest.mark.timeout(120)  # per operation and caller; the first one also builds the test database
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
