"""Stateful API fuzzing: workflows that follow the schema's links (#20 item 14).

``network.api.schema.link_created_objects`` declares, for every create, how the created object is
read, changed, acted on and deleted (OpenAPI ``links`` from ``$response.body#/id`` or ``/slug``).
schemathesis' state machine chains those operations (create a statement → patch it → open it →
close it; create a tender → express interest → delete it) as the signed-in owner of a verified
organisation, with every check of :mod:`tests.quality.test_api_fuzz` on each step, including
``positive_data_acceptance``. Bounded: a fixed number of scenarios of a few steps, derandomised.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth

from tests.quality.test_api_fuzz import CHECKS, connection_kept_open, fuzz_world, organisation_hints

app = get_wsgi_application()
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-x00": False},
        "phases": {"stateful": {"enabled": True, "max-steps": 6}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=CONFIG)
#: The workflows: creates that declare links, and the operations they link to.
_LINKED = {
    (method.upper(), path)
    for path, operations in schema.raw_schema["paths"].items()
    for method, operation in operations.items()
    if isinstance(operation, dict) and operation.get("responses", {}).get("201", {}).get("links")
} | {
    (method.upper(), path)
    for path, operations in schema.raw_schema["paths"].items()
    for method, operation in operations.items()
    if isinstance(operation, dict)
    and any(
        link["operationId"] == operation.get("operationId")
        for other in schema.raw_schema["paths"].values()
        for create in other.values()
        if isinstance(create, dict)
        for link in create.get("responses", {}).get("201", {}).get("links", {}).values()
    )
}
schema = schema.include(func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in _LINKED)
organisation_hints(schema)
#: Every step sends the owner's valid token, so a generated (invalid) credential beside it is rightly
#: ignored; ``ignored_auth`` is checked per operation in test_api_fuzz.
STEP_CHECKS = [check for check in CHECKS if check is not ignored_auth]

#: Scenarios per run and steps per scenario: ~1 minute on SQLite, ~2 on PostgreSQL (measured).
#: By hand, ``STATEFUL_SCENARIOS=400 STATEFUL_RANDOM=1`` explores further (new scenarios each run).
SCENARIOS = int(os.environ.get("STATEFUL_SCENARIOS", "40"))
RANDOM = bool(os.environ.get("STATEFUL_RANDOM"))
STEPS = 6


@pytest.mark.django_db
@pytest.mark.timeout(300)
def test_api_workflows_follow_the_schema_links():
    headers = fuzz_world(signed_in=True)

    calls: list[tuple[str, str, int]] = []
    created: set[str] = set()  # ids and slugs of objects the workflow created
    followed: list[tuple[str, str, int]] = []  # calls that named one of them in their path

    class Workflow(schema.as_state_machine()):
        """Each scenario starts from the same world: what one created (a name now taken, a member
        already joined) is rolled back, so no scenario meets another's state and a derandomised run
        draws the same steps every time."""

        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            calls.append((case.method, case.path, response.status_code))
            if any(str(value) in created for value in (case.path_parameters or {}).values()):
                followed.append((case.method, case.path, response.status_code))
            if case.method == "POST" and response.status_code == 201:
                body = response.json()
                created.update(str(body[key]) for key in ("id", "slug") if key in body)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=STEP_CHECKS)

    with connection_kept_open():
        Workflow.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=not RANDOM,
                suppress_health_check=list(HealthCheck),
            )
        )
    # Not vacuous: objects were created and later steps reached them through the links.
    print(f"{len(calls)} calls, {len(created)} objects created, {len(followed)} calls on them: {followed}")
    assert created and followed, calls
