"""Methods an operation does not document answer 405 with ``Allow`` (#20 item 14).

What schemathesis' ``unsupported_method`` check does in its (slow) coverage phase, for every path of
``/api/schema/`` at once: ``TRACE`` and every undocumented method of ``GET POST PUT PATCH DELETE``
answer 405, the ``Allow`` header lists what the path does accept, and the body is the JSON error
contract. (``TRACE`` on an ``.ics`` feed used to answer without ``Allow``.)
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def _concrete(path: str) -> str:
    """The path with a sample value for each parameter (slugs and keys ``x``, ids ``1``)."""
    words = ("slug", "key", "organisation")
    return re.sub(r"{(\w+)}", lambda m: "x" if any(w in m.group(1) for w in words) else "1", path)


def test_every_api_path_answers_undocumented_methods_with_405_and_allow():
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    problems = []
    for path, operations in schema["paths"].items():
        documented = {m for m in operations if m in METHODS}
        url = _concrete(path)
        for method in ["trace", *sorted(set(METHODS) - documented)]:
            response = client.generic(method.upper(), url)
            allow = {m.strip().lower() for m in response.get("Allow", "").split(",") if m.strip()}
            if response.status_code != 405 or not documented <= allow or method in allow:
                problems.append(f"{method.upper()} {url}: {response.status_code}, Allow: {sorted(allow)}")
                continue
            if response["Content-Type"].startswith("application/json"):
                assert "detail" in response.json(), (method, url)
            else:
                problems.append(f"{method.upper()} {url}: {response['Content-Type']} body")
    assert not problems, "\n".join(problems)
