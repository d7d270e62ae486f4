"""Error pages that explain themselves: 403, 404, 500 and CSRF failures render in the site's
layout and the visitor's language, and say what to do next.

A refusal that a role would lift raises :class:`NeedsRole` (a ``PermissionDenied``): the 403 page
then names the people who hold the role in the person's organisations and who can grant it, so a
member who may not sign sees their organisation's signatories and whom to ask. An anonymous visitor
is sent to sign in and back.

Ordinary 403s are expected answers, not faults: :class:`NoTracebackForPermissionDenied` keeps
Django's one-line warning but drops the traceback it would otherwise log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import get_language


class NeedsRole(PermissionDenied):
    """Refused for want of a role in an organisation (e.g. ``signatory`` to sign a statement)."""

    def __init__(self, message: str, *, role: str, organisation_ids: Iterable[int] = ()) -> None:
        super().__init__(message)
        self.role = role
        self.organisation_ids = list(organisation_ids)


def role_help(person: Any, role: str, organisation_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """For each of the person's organisations (or those named): who holds ``role`` and which owners
    and admins can grant it. Names and e-mail addresses are shown to fellow members only."""
    from members.models import MANAGER_ROLES, Membership
    from network import visibility

    viewer = visibility.viewer_for(person)
    if viewer.is_anonymous:
        return []
    org_ids = [o for o in (organisation_ids or viewer.organisation_ids) if o in viewer.organisation_ids]
    if not org_ids:
        return []
    rows = (
        Membership.objects.filter(organisation_id__in=org_ids, person__is_active=True)
        .filter(role__in={role, *MANAGER_ROLES})
        .select_related("person", "organisation")
        .order_by("organisation__name", "person__name", "person__email")
    )
    by_org: dict[int, dict[str, Any]] = {}
    for m in rows:
        entry = by_org.setdefault(
            m.organisation_id, {"organisation": m.organisation, "holders": [], "managers": []}
        )
        (entry["holders"] if m.role == role else entry["managers"]).append(m.person)
    for org_id in org_ids:
        if org_id not in by_org:
            from members.models import Organisation

            by_org[org_id] = {
                "organisation": Organisation.objects.get(pk=org_id),
                "holders": [],
                "managers": [],
            }
    return [by_org[o] for o in sorted(by_org, key=lambda o: by_org[o]["organisation"].name)]


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context, request=request), status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    person = getattr(request, "user", None)
    message = str(exception) if exception is not None and str(exception) else ""
    context: dict[str, Any] = {"message": message, "role_help": [], "role": ""}
    if isinstance(exception, NeedsRole):
        context["role"] = exception.role
        context["role_help"] = role_help(person, exception.role, exception.organisation_ids or None)
    return _render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", {}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors (the database may be what failed), still translated."""
    html = loader.render_to_string(
        "500.html", {"LANGUAGE_CODE": get_language() or "en", "request_path": request.path}
    )
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open across a sign-in or out, or
    cookies blocked. Say so, and how to send it again."""
    return _render(request, "403_csrf.html", {"reason": reason}, status=403)


class NoTracebackForPermissionDenied(logging.Filter):
    """Keep "Forbidden: /path" in the log, drop the traceback of an ordinary ``PermissionDenied``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
