"""Erasure: the person's data goes, the organisations' records stay de-personalised."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from forums.models import Post, Thread
from knowledge.statements.models import Signature, Statement
from members.models import Membership, Person
from members.privacy import erasure
from members.privacy.inventory import KEPT_RECORDS
from tests import factories
from tests.privacy import world as privacy_world

pytestmark = pytest.mark.django_db
PersonModel = apps.get_model(settings.AUTH_USER_MODEL)


def links_to_person() -> list[tuple[type[models.Model], models.Field]]:
    """Found here through model meta, independently of the code under test."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is PersonModel:
                found.append((model, field))
    return found


def email_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.EmailField)
    ]


def label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def totals() -> dict:
    return {
        s.pk: (
            s.signatures.filter(withdrawn_at__isnull=True).count(),
            s.signatures.count(),
            list(s.signatures.order_by("pk").values_list("pk", "organisation_id", "volumes", "withdrawn_at")),
        )
        for s in Statement.objects.all()
    }


def test_an_erased_person_leaves_no_personal_data_behind():
    w = privacy_world.build()
    anna = w.anna
    addresses = ["anna@hel.fi", "anna.private@example.org"]
    uncovered = [
        label(m, f) for m, f in links_to_person() if not m._base_manager.filter(**{f.name: anna.pk}).exists()
    ]
    assert uncovered == [], f"give the privacy world (tests/privacy/world.py) a row in {uncovered}"
    before = totals()

    erasure.person_erase(actor=anna, person=anna)

    for model, field in links_to_person():
        left = model._base_manager.filter(**{field.name: anna.pk}).count()
        if label(model, field) in KEPT_RECORDS:
            continue  # an organisation's record, pointing at the de-personalised row checked below
        assert left == 0, f"{label(model, field)} still refers to the erased person"
    for model, field in email_fields():
        for address in addresses:
            assert not model._base_manager.filter(**{f"{field.name}__iexact": address}).exists(), label(
                model, field
            )
    row = Person.objects.get(pk=anna.pk)
    assert row.erased_at and not row.is_active and not row.has_usable_password()
    assert row.name == "" and row.title == "" and "anna" not in row.email and row.last_login is None
    assert row.display_name == "a former member"
    # Other people's notifications no longer name her.
    from network.models import Notification

    assert not Notification.objects.filter(title__contains="Anna Virtanen").exists()
    from network.accessibility.models import Feedback

    assert Feedback.objects.get().name == "" and Feedback.objects.get().message  # the report stays
    # Organisation records stay, and every total and signature count is unchanged.
    assert totals() == before
    assert Signature.objects.filter(signed_by=anna).count() == 2
    assert Thread.objects.get(pk=w.thread.pk).author_id is None
    assert Post.objects.filter(body="My own words, Anna V.", author__isnull=True).exists()


def test_erasure_can_remove_the_posts_too():
    w = privacy_world.build()
    erasure.person_erase(actor=w.anna, person=w.anna, remove_posts=True)
    assert not Post.objects.filter(body__contains="My own words").exists()
    removed = Post.objects.filter(thread=w.thread, author__isnull=True, removed_at__isnull=False)
    assert removed.count() >= 2  # the first post and her reply
    assert Post.objects.filter(body="@Anna Virtanen see this").exists()  # Bob's posts are Bob's


def test_the_last_owner_cannot_erase_their_account():
    org = factories.organisation()
    owner = factories.member(org, "owner")
    with pytest.raises(ValidationError, match="last owner"):
        erasure.person_erase(actor=owner, person=owner)
    assert Person.objects.get(pk=owner.pk).is_active
    second = factories.member(org, "owner")
    erasure.person_erase(actor=owner, person=owner)
    assert Membership.objects.filter(organisation=org).get().person == second


def test_nobody_erases_another_persons_account_from_other_organisation():
    helsinki, oslo = factories.organisation(), factories.organisation()
    anna = factories.member(helsinki)
    boss = factories.member(helsinki, "owner")
    stranger = factories.member(oslo, "owner")
    staff = factories.person(is_staff=True, is_superuser=True)
    for actor in (boss, stranger, staff, None):
        with pytest.raises(PermissionDenied):
            erasure.person_erase(actor=actor, person=anna)
    assert Person.objects.get(pk=anna.pk).is_active
