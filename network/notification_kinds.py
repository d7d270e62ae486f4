"""The registry of notification kinds and the categories people set preferences for.

A *kind* is the string a service passes to :func:`network.notifications.notify`
(``"forum.mention"``); a *category* is what a person chooses a channel for on their notification
settings page ("mentions": in-app, immediate e-mail, daily digest or off). Several kinds share one
category (a signature and its withdrawal are both "signatures on our statements").

A new capability adds its kinds in one place, this module, with one line each::

    register_kind("statement.opened", category="statements_open")

or declares a new category with :func:`register_category` first. A kind nobody registered falls
into ``other``, so an unregistered kind is still delivered (never silently dropped), and
:func:`unregistered_kinds` lets a test list the ``notify(kind=...)`` strings that forgot to register.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel:
    """How a person wants one category delivered. Every channel except ``off`` keeps the in-app note."""

    IN_APP = "in_app"
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"

    choices = [
        (IN_APP, _("In the app only")),
        (IMMEDIATE, _("In the app and an e-mail at once")),
        (DIGEST, _("In the app and in the daily digest e-mail")),
        (OFF, _("Off")),
    ]
    values = [value for value, _label in choices]


@dataclass(frozen=True)
class Category:
    key: str
    label: str | Promise
    help_text: str | Promise = ""


_categories: dict[str, Category] = {}
_kinds: dict[str, str] = {}
OTHER = "other"


def register_category(key: str, label: str | Promise, help_text: str | Promise = "") -> Category:
    """Declare a category people can set a channel for (idempotent for the same key)."""
    category = Category(key=key, label=label, help_text=help_text)
    _categories.setdefault(key, category)
    return _categories[key]


def register_kind(kind: str, *, category: str) -> None:
    """File a notification kind under a category; the category must exist."""
    if category not in _categories:
        raise KeyError(f"Unknown notification category {category!r}; register_category() it first.")
    _kinds[kind] = category


def category_of(kind: str) -> str:
    return _kinds.get(kind, OTHER)


def categories() -> list[Category]:
    """Categories in the order they were declared (the settings page and the API use this order)."""
    return list(_categories.values())


def kinds_of(category: str) -> list[str]:
    return sorted(k for k, c in _kinds.items() if c == category)


def unregistered_kinds(kinds: list[str]) -> list[str]:
    return sorted(k for k in set(kinds) if k not in _kinds)


# --- the network's categories, in the order people see them ----------------------------------

register_category("mentions", _("Mentions"), _("Someone mentioned you in a forum post."))
register_category("replies", _("Replies"), _("New replies in threads you follow."))
register_category(
    "signatures",
    _("Signatures on our statements"),
    _("An organisation signed or withdrew from our statement."),
)
register_category(
    "statements_open",
    _("Statements open for our signature"),
    _("A joint statement opened for signature, or one we may sign is closing."),
)
register_category("events", _("Event changes"), _("Registrations, waiting-list places and cancellations."))
register_category(
    "join_requests", _("Join requests"), _("Requests to join our working groups, and decisions on ours.")
)
register_category("reports", _("Reports to moderate"), _("Posts reported in forums we moderate."))
register_category(OTHER, _("Everything else"), _("Invitations accepted, interest in our tenders and more."))

register_kind("forum.mention", category="mentions")
register_kind("forum.reply", category="replies")
register_kind("statement.signed", category="signatures")
register_kind("statement.withdrawn", category="signatures")
register_kind("statement.amended", category="signatures")
register_kind("statement.amended", category="signatures")
register_kind("statement.opened", category="statements_open")
register_kind("statement.closing", category="statements_open")
register_kind("statement.closed", category="statements_open")
register_kind("event.cancelled", category="events")
register_kind("event.changed", category="events")
register_kind("event.registration", category="events")
register_kind("event.promoted", category="events")
register_kind("event.cohost_invited", category="events")
register_kind("event.cohost_answered", category="events")
register_kind("working_group.join_requested", category="join_requests")
register_kind("working_group.decided", category="join_requests")
register_kind("forum.report", category="reports")
register_kind("forum.report_resolved", category="reports")
register_kind("organisation.verified", category=OTHER)
register_kind("organisation.unverified", category=OTHER)
register_kind("invitation.accepted", category=OTHER)
register_kind("tender_interest", category=OTHER)
