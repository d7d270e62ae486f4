"""Where a person's data lives: every foreign key to the person model and every e-mail field,
found through Django's model meta, with the few rules that are not "delete" or "set null"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

#: Organisation records that keep pointing at the erased person's de-personalised row
#: (``Person.erased_at`` set, no name, no address): a signature stays the organisation's, signed
#: "by an authorised signatory"; audit entries and published statement versions are immutable.
KEPT_RECORDS: frozenset[str] = frozenset(
    {
        "statements.Signature.signed_by",
        "statements.Signature.withdrawn_by",
        "statements.AuditEntry.actor",
        "statements.StatementVersion.created_by",
    }
)

#: Columns never exported: secrets and keys that would let the file be used to sign in.
SECRET_FIELDS: frozenset[str] = frozenset(
    {
        "mfa.Authenticator.data",
        "usersessions.UserSession.session_key",
        "socialaccount.SocialToken.token",
        "socialaccount.SocialToken.token_secret",
        "members.Person.password",
        "statements.IdempotencyRecord.fingerprint",
        "events.Registration.token_hash",
        "members.Invitation.key",
    }
)

#: Free-text columns that hold the person's name on rows that refer to them (or are addressed to
#: one of their addresses); erasure blanks them before clearing the reference.
NAME_FIELDS: dict[str, list[str]] = {
    "accessibility.Feedback": ["name"],
    "events.Registration": ["guest_name"],
}

#: Relations to the person that are the person's own account machinery, not content.
SKIPPED: frozenset[str] = frozenset({"members.Person.groups", "members.Person.user_permissions"})


@dataclass(frozen=True)
class PersonLink:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def kept(self) -> bool:
        return self.label in KEPT_RECORDS


def person_links() -> Iterator[PersonLink]:
    """Every concrete foreign key (or one-to-one) from any model to the person model."""
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                getattr(field, "concrete", False)
                and field.is_relation
                and field.many_to_one | field.one_to_one
                and field.related_model is person_model
            ):
                link = PersonLink(model, field)
                if link.label not in SKIPPED and not model._meta.auto_created:
                    yield link


def email_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every e-mail field outside the person row itself."""
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        if model is person_model:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.EmailField):
                yield model, field


def exportable_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f"{model._meta.label}.{f.name}" not in SECRET_FIELDS]
