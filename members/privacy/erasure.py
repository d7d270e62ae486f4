"""Erasure of a person's account (GDPR Art. 17), keeping what is an organisation's record.

What goes: the profile (name, title, addresses, password), e-mail addresses, sessions and
sign-in history, MFA devices, linked sign-in accounts, memberships, reactions, mentions, read
state, subscriptions, reports they made, event registrations (places go to the waiting list),
notifications, export files, invitations addressed to them, and every e-mail field holding
one of their addresses.

What stays, de-personalised: posts and threads ("a former member", or removed if the person
chose so), the organisation's signatures and the statements' audit entries (they point at the
person's row, which keeps no name, no address and cannot sign in; pages show "a former member"),
and everything else that referred to the person as author or actor (the reference is cleared).
Statement totals and signature counts do not change.

Everything is found through :mod:`members.privacy.inventory`, so a new model with a foreign key
to the person is handled by its ``on_delete`` rule (set null, or delete the row) without edits here.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from members.privacy import inventory
from network import visibility


def last_owner_of(person: Any) -> list[Any]:
    """Organisations where ``person`` is the only owner (they must hand over first)."""
    from members.models import Membership, Role

    owned = Membership.objects.filter(person=person, role=Role.OWNER).select_related("organisation")
    blocking = []
    for membership in owned:
        others = (
            Membership.objects.filter(
                organisation=membership.organisation, role=Role.OWNER, person__is_active=True
            )
            .exclude(person=person)
            .exists()
        )
        if not others:
            blocking.append(membership.organisation)
    return blocking


def _end_sessions(person: Any) -> None:
    from allauth.usersessions.models import UserSession
    from django.conf import settings

    store: type[SessionBase] = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for key in UserSession.objects.filter(user=person).values_list("session_key", flat=True):
        store(session_key=key).delete()


def _cancel_registrations(person: Any) -> None:
    from network.events import services as event_services
    from network.events.models import Registration

    live = Registration.objects.filter(person=person).exclude(status=Registration.Status.CANCELLED)
    for registration in live:
        event_services.registration_cancel(registration=registration, by=person)


def _remove_posts(person: Any) -> None:
    from forums import services as forum_services

    forum_services.posts_erase_author(person)


def _scrub_notifications_about(person: Any, words: list[str]) -> None:
    """Other people's notifications naming the person ("Anna mentioned you") lose the name."""
    from network.models import Notification

    former = _("a former member")
    for note in Notification.objects.filter(actor=person).exclude(recipient=person):
        title, body = note.title, note.body
        for word in words:
            if word:
                title, body = title.replace(word, former), body.replace(word, former)
        Notification.objects.filter(pk=note.pk).update(title=title[:300], body=body)


def _clear_email_fields(addresses: list[str]) -> None:
    for model, field in inventory.email_fields():
        if f"{model._meta.label}.{field.name}" == "account.EmailAddress.email":
            continue  # deleted with the person's addresses
        match = Q()
        for address in addresses:
            match |= Q(**{f"{field.name}__iexact": address})
        rows = model._base_manager.filter(match)
        if field.blank:
            rows.update(**{field.name: ""})
        else:
            rows.delete()


def _blank_names(person: Any, addresses: list[str]) -> None:
    from django.apps import apps

    for label, names in inventory.NAME_FIELDS.items():
        model = apps.get_model(label)
        match = Q()
        for link in inventory.person_links():
            if link.model is model:
                match |= Q(**{link.field.name: person.pk})
        for field in model._meta.concrete_fields:
            if isinstance(field, models.EmailField):
                for address in addresses:
                    match |= Q(**{f"{field.name}__iexact": address})
        model._base_manager.filter(match).update(**dict.fromkeys(names, ""))


def _detach(link: inventory.PersonLink, person: Any) -> None:
    rows = link.model._base_manager.filter(**{link.field.name: person.pk})
    if link.kept:
        return
    on_delete = link.field.remote_field.on_delete
    if on_delete is models.SET_NULL:
        rows.update(**{link.field.name: None})
    elif on_delete is models.CASCADE:
        rows.delete()
    elif link.field.null:  # PROTECT / DO_NOTHING on a nullable reference: clear it
        rows.update(**{link.field.name: None})
    else:
        raise RuntimeError(
            f"{link.label} protects the person: add it to inventory.KEPT_RECORDS or change on_delete"
        )


def person_erase(*, actor: Any, person: Any, remove_posts: bool = False) -> None:
    """Erase ``person``'s account. Only the person themselves, after re-authenticating (the view
    checks that); refused while they are the last owner of an organisation."""
    from allauth.account.models import EmailAddress

    from members.models import Person
    from members.privacy.models import DataExport

    if not visibility.can_handle_personal_data(actor, person):
        raise PermissionDenied(_("Only you can delete your account."))
    blocking = last_owner_of(person)
    if blocking:
        raise ValidationError(
            _(
                "You are the last owner of %(orgs)s. Make someone else an owner (or remove the "
                "organisation) before you delete your account."
            )
            % {"orgs": ", ".join(o.name for o in blocking)},
            code="last_owner",
        )
    words = [person.name, person.email]
    addresses = sorted(
        {
            person.email.lower(),
            *(e.lower() for e in EmailAddress.objects.filter(user=person).values_list("email", flat=True)),
        }
    )
    _cancel_registrations(person)
    files = list(DataExport.objects.filter(person=person).exclude(file="").values_list("file", flat=True))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        _end_sessions(person)
        if remove_posts:
            _remove_posts(person)
        _scrub_notifications_about(person, words)
        _blank_names(person, addresses)
        for link in inventory.person_links():
            _detach(link, person)
        _clear_email_fields(addresses)
        person.groups.clear()
        person.user_permissions.clear()
        Person.objects.filter(pk=person.pk).update(
            email=f"erased-{secrets.token_hex(12)}@erased.invalid",
            name="",
            title="",
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
            last_login=None,
            date_joined=timezone.now(),
            email_notifications=Person.EmailPreference.NEVER,
            erased_at=timezone.now(),
        )
        transaction.on_commit(lambda: [default_storage.delete(f) for f in files])
    visibility.forget(person)
