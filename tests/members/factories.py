"""Factories for members tests: the shared ones plus API helpers (real services, real models)."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.factories import PASSWORD, member, organisation, person, working_group

__all__ = ["PASSWORD", "api_as", "member", "organisation", "person", "working_group"]


def api_as(who=None) -> APIClient:
    """An API client signed in (browser session) as ``who``, or anonymous."""
    client = APIClient()
    if who is not None:
        client.force_authenticate(who)
    return client
