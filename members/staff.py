"""The network staff role: a Django group with the permissions staff need, and the one way to make
a staff account (``manage.py createstaff``).

Staff verify organisations, look after people, memberships and working groups, moderate the network
forum (and act on any post or report in the admin), and read — never edit — statements, their
signatures and audit trails, which are the network's record of what was signed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

STAFF_GROUP = "Network staff"

#: app_label → model → actions. ``view`` alone means read-only for staff.
STAFF_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "members": {
        "organisation": ("view", "change"),
        "person": ("view", "change"),
        "membership": ("view", "add", "change", "delete"),
        "invitation": ("view", "change"),
        "workinggroup": ("view", "add", "change"),
        "groupmembership": ("view", "add", "change"),
    },
    "knowledge": {
        "tendertemplate": ("view", "change"),
        "lesson": ("view", "change"),
        "plannedtender": ("view", "change"),
    },
    "statements": {
        "statement": ("view",),
        "signature": ("view",),
        "auditentry": ("view",),
    },
    "events": {
        "event": ("view", "change"),
        "registration": ("view", "change"),
    },
    "forums": {
        "forum": ("view", "change"),
        "thread": ("view", "change"),
        "post": ("view", "change"),
        "postreport": ("view", "change"),
        "moderationaction": ("view",),
    },
    "network": {"notification": ("view",)},
    "admin": {"logentry": ("view",)},
}


def staff_permissions() -> list[Permission]:
    wanted = [
        (app, f"{action}_{model}")
        for app, models in STAFF_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in=[code for _app, code in wanted]).select_related(
            "content_type"
        )
    }
    return [found[key] for key in wanted if key in found]


@transaction.atomic
def staff_group_ensure() -> Group:
    """The staff group with exactly the permissions above (run again after a new model lands)."""
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(staff_permissions())
    return group


@transaction.atomic
def staff_create(*, email: str, name: str = "", password: str | None = None) -> tuple[Any, bool]:
    """Make (or promote) a network staff account: ``is_staff``, in the staff group, not a superuser.
    Returns ``(person, created)``. An existing person keeps their password unless one is given."""
    from allauth.account.models import EmailAddress

    from members.models import Person

    email = Person.objects.normalize_email(email).lower()
    person = Person.objects.filter(email=email).first()
    created = person is None
    if created:
        person = Person.objects.create_user(email=email, password=password, name=name)
    elif password:
        person.set_password(password)
    person.is_staff = True
    if name and not person.name:
        person.name = name
    person.save()
    person.groups.add(staff_group_ensure())
    EmailAddress.objects.update_or_create(
        user=person, email=email, defaults={"verified": True, "primary": True}
    )
    return person, created
