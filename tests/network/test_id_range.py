"""Ids and numeric filters beyond the 64-bit range answer like "missing" / "invalid", never 500.

Found by schemathesis: ``/api/v1/templates/<24 digits>/attachments/3/`` and ``?forum=9…9`` raised
``OverflowError`` on SQLite. Checked here for every route with an id in the URLconf and every numeric
filter of every API list, so a new route or filter is covered the moment it exists.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters import FilterSet
from rest_framework.test import APIClient

from members.models import Role
from network.api.filters import NUMERIC_FIELDS
from tests import factories
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db

HUGE = "123456789012345678901234"


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _concrete(route: str, known: dict[str, str]) -> str | None:
    """A URL for ``route`` with HUGE in one id position, small real ids elsewhere; None without ids."""
    if "(?P<format>" in route:  # the same view with a .json suffix
        return None
    route = route.lstrip("^").rstrip("$")
    ids = re.findall(r"<int:(\w+)>|\(\?P<(\w+)>(?:\\d|\[0-9\])\+\)|\(\?P<(pk)>\[\^/\.\]\+\)", route)
    if not ids:
        return None
    url = re.sub(r"<int:\w+>|\(\?P<\w+>(?:\\d|\[0-9\])\+\)|\(\?P<pk>\[\^/\.\]\+\)", "{}", route)
    url = re.sub(r"<(?:slug|str):(\w+)>|\(\?P<(\w+)>[^)]*\)", lambda m: known.get(m[1] or m[2], "x"), url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url.format(*([HUGE] + ["1"] * (len(ids) - 1)))


def routes_with_ids() -> list[str]:
    urls = set()
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        url = _concrete(route, {"slug": "helsinki"})
        if url:
            urls.add(url)
    return sorted(urls)


def test_the_route_walk_finds_the_reported_routes():
    urls = routes_with_ids()
    assert f"/api/v1/templates/{HUGE}/attachments/1/" in urls
    assert f"/library/templates/{HUGE}/" in urls
    assert len(urls) > 20


def test_every_route_answers_an_out_of_range_id_as_missing():
    org = factories.organisation("Helsinki", slug="helsinki")
    editor = factories.member(org, Role.OWNER)
    kf.template(editor, org)
    api = APIClient()
    api.force_authenticate(editor)
    for url in routes_with_ids():
        response = api.get(url)
        assert response.status_code in (404, 405), (url, response.status_code)
        if url.startswith("/api/") and response.status_code == 404:
            assert response.json()["detail"]


def _numeric_filters(kinds: tuple[type, ...] = NUMERIC_FIELDS) -> list[tuple[str, str]]:
    """(list URL, filter name) for every numeric (or other ``kinds``) filter of every API list."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if not route.startswith("api/v1/") or "list" not in actions.values():
            continue
        filterset_class = getattr(cls, "filterset_class", None)
        if not (isinstance(filterset_class, type) and issubclass(filterset_class, FilterSet)):
            continue
        url = "/" + route.replace("^", "").replace("$", "").replace("\\.(?P<format>[a-z0-9]+)/?", "")
        if "(?P<" in url:
            continue
        for name, filt in filterset_class.base_filters.items():
            if issubclass(filt.field_class, kinds):
                found.append((url, name))
    return found


def test_the_filter_walk_finds_the_reported_filter():
    assert ("/api/v1/threads/", "forum") in _numeric_filters()


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "-1.27e+68", "9223372036854775808"])
def test_every_numeric_filter_refuses_an_out_of_range_number(value):
    org = factories.organisation("Helsinki", slug="helsinki")
    api = APIClient()
    api.force_authenticate(factories.member(org, Role.OWNER))
    for url, name in _numeric_filters():
        response = api.get(url, {name: value})
        assert response.status_code == 400, (url, name, response.status_code)
        body = response.json()
        assert name in body["errors"] and body["detail"], body


def test_the_largest_id_is_still_an_ordinary_miss():
    api = APIClient()
    assert api.get("/api/v1/threads/", {"forum": "9223372036854775807"}).status_code == 200
    assert api.get("/api/v1/templates/9223372036854775807/attachments/1/").status_code == 404


def test_every_yes_no_filter_refuses_a_value_that_is_neither():
    """django-filter alone reads ``?unread=maybe`` as no filter at all and lists everything."""
    org = factories.organisation("Helsinki", slug="helsinki")
    api = APIClient()
    api.force_authenticate(factories.member(org, Role.OWNER))
    filters = _numeric_filters((forms.NullBooleanField,))
    assert ("/api/v1/threads/", "unread") in filters
    filters.append(("/api/v1/organisations/", "verified"))  # a list routed outside the walk
    for url, name in filters:
        for bad in ("maybe", "1.1", "null"):
            response = api.get(url, {name: bad})
            assert response.status_code == 400, (url, name, bad, response.status_code)
            assert name in response.json()["errors"]
        for good in ("true", "False", "0", ""):
            assert api.get(url, {name: good}).status_code == 200, (url, name, good)
