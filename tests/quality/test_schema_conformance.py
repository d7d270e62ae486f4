"""The responses schemathesis found outside the schema (#20 item 14), each produced on purpose and
validated against ``/api/schema/`` (status documented, body matching), plus the documented errors.

Fuzzing finds these by chance; here each has a fixed case: a statement fresh from create, edit and
close carries ``signature_count``; an audit entry without an organisation; the lineage of a fork whose
ancestor became private (a hidden ancestor, an origin without a version); an event whose meeting link
is hidden from the caller (``""``); error bodies of 400, 401, 403, 404, 405 in the ``Error`` shape;
``page_size`` bounds in the schema and in the answers.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from rest_framework.test import APIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from knowledge.services import templates as template_services
from members.models import Role
from tests import factories as f
from tests.events.factories import event
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def connection_kept_open():
    """As in test_api_fuzz: the WSGI handler must not close the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema(db):
    """Loaded per test, inside the test's transaction: generating it runs the middleware, which may
    touch the database (and the WSGI handler must not close the test's connection)."""
    with connection_kept_open():
        return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def token(person) -> dict[str, str]:
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": person.email, "password": f.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"X-Session-Token": response.json()["meta"]["session_token"]}


def check(schema, path: str, method: str, expected: int, *, headers=None, **parts) -> dict:
    """Call the operation through the WSGI app and validate the response against the schema."""
    if "body" in parts:
        parts.setdefault("media_type", "application/json")
    case = schema[path][method].Case(**parts)
    with connection_kept_open():
        response = case.call(headers=headers or {})
        case.validate_response(response, checks=CHECKS)
    assert response.status_code == expected, response.text
    return response.json() if response.text else {}


def test_statement_responses_after_writes_carry_signature_count(schema):
    org = f.organisation("Helsinki", slug="helsinki", verified=True)
    editor = f.member(org, Role.OWNER)
    auth = token(editor)
    created = check(
        schema,
        "/api/v1/statements/",
        "POST",
        201,
        headers=auth,
        body={
            "organisation": "helsinki",
            "title": "Fair phones",
            "body": "We ask.",
            "visibility": "public",
            "demands": [{"text": "Repairable phones.", "category": "phones"}],
        },
    )
    assert created["signature_count"] == 0
    slug = {"slug": created["slug"]}
    edited = check(
        schema,
        "/api/v1/statements/{slug}/",
        "PATCH",
        200,
        headers=auth,
        path_parameters=slug,
        body={"summary": "Short"},
    )
    assert edited["signature_count"] == 0
    check(schema, "/api/v1/statements/{slug}/open/", "POST", 200, headers=auth, path_parameters=slug)
    closed = check(
        schema, "/api/v1/statements/{slug}/close/", "POST", 200, headers=auth, path_parameters=slug
    )
    assert closed["signature_count"] == 0
    audit = check(schema, "/api/v1/statements/{slug}/audit/", "GET", 200, headers=auth, path_parameters=slug)
    assert audit["results"]


def test_lineage_of_a_fork_whose_ancestor_became_private(schema):
    helsinki = f.organisation("Helsinki", slug="helsinki", verified=True)
    malmo = f.organisation("Malmö", slug="malmo", verified=True)
    author = kf.editor(helsinki)
    origin = kf.template(author, helsinki, visibility="public", title="Laptops")
    version = template_services.template_publish(person=author, template=origin, change_note="v1")
    forker = kf.editor(malmo)
    fork = template_services.template_fork(person=forker, version=version, organisation=malmo)
    template_services.template_update(
        person=forker,
        template=fork,
        data=template_services.TemplateData.of(fork).with_changes({"visibility": "public"}),
    )
    template_services.template_update(
        person=author,
        template=origin,
        data=template_services.TemplateData.of(origin).with_changes({"visibility": "private"}),
    )
    lineage = check(schema, "/api/v1/templates/{id}/lineage/", "GET", 200, path_parameters={"id": fork.pk})
    assert lineage["ancestors"] and lineage["ancestors"][0]["hidden"] is True


def test_event_with_a_hidden_meeting_link(schema):
    org = f.organisation("Helsinki", slug="helsinki", verified=True)
    ev = event(org, visibility="public", online_url="https://meet.example.org/secret")
    detail = check(schema, "/api/v1/events/{slug}/", "GET", 200, path_parameters={"slug": ev.slug})
    assert detail["online_url"] == ""
    listed = check(schema, "/api/v1/events/", "GET", 200)
    assert listed["results"][0]["online_url"] == ""


def test_error_responses_are_documented_in_the_error_shape(schema):
    org = f.organisation("Helsinki", slug="helsinki", verified=True)
    # an editor: a statement's rules are the model's, checked once the person may draft for it
    editor = f.member(org, Role.EDITOR)
    missing = {"slug": "no-such-statement"}
    body = check(schema, "/api/v1/statements/{slug}/", "GET", 404, path_parameters=missing)
    assert set(body) == {"detail", "code"}
    body = check(
        schema,
        "/api/v1/statements/",
        "POST",
        401,
        body={"title": "x", "body": "y", "organisation": "helsinki"},
    )
    assert "detail" in body
    body = check(
        schema,
        "/api/v1/statements/",
        "POST",
        400,
        headers=token(editor),
        body={"organisation": "helsinki", "title": "", "body": "y"},
    )
    assert set(body) == {"detail", "errors"} and "title" in body["errors"]
    body = check(
        schema,
        "/api/v1/organisations/{slug}/members/",
        "GET",
        403,
        headers=token(f.member(f.organisation("Malmö", verified=True))),
        path_parameters={"slug": "helsinki"},
    )
    assert "detail" in body
    body = check(schema, "/api/v1/templates/", "GET", 400, query={"page_size": 101})
    assert "page_size" in body["errors"]


def test_page_size_bounds_are_documented_and_enforced(schema):
    raw = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p["schema"] for p in raw["paths"]["/api/v1/templates/"]["get"]["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["page"]["minimum"] == 1
    client = APIClient()
    assert client.get("/api/v1/templates/", {"page_size": 100}).status_code == 200
    for bad in (0, 101, "ten", "1e3"):
        response = client.get("/api/v1/templates/", {"page_size": bad})
        assert response.status_code == 400 and "page_size" in response.json()["errors"], bad


def _unbounded_integers(node, where: str) -> list[str]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "integer" and "maximum" not in node:
            found.append(where)
        for key, value in node.items():
            if key == "not":  # what a value must not be ("weight: not an integer" = null or absent)
                continue
            found += _unbounded_integers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _unbounded_integers(value, f"{where}[{i}]")
    return found


def test_every_integer_a_client_sends_is_bounded_in_the_schema():
    """Request bodies and parameters: an integer without a maximum reached the database driver out
    of range (SQLite ``OverflowError``: a 500 on ``POST /api/v1/tenders/``)."""
    raw = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemas = raw["components"]["schemas"]
    found = []
    for name, component in schemas.items():
        if name.endswith("Request"):
            found += _unbounded_integers(component, name)
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                # ``page`` of list endpoints never reaches the database (a page past the end is 404).
                if parameter.get("in") == "query" and not (
                    parameter["name"] == "page" and "/search/" not in path
                ):
                    found += _unbounded_integers(
                        parameter.get("schema", {}), f"{method} {path} ?{parameter['name']}"
                    )
    assert not found, "\n".join(found)
