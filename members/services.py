"""Writes about organisations and people (services; views and the API call these)."""

from __future__ import annotations

from django.db import transaction

from members.models import Membership, Organisation, Person, Role
from network import visibility


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


@transaction.atomic
def membership_join_by_domain(*, person: Person, email: str) -> list[Membership]:
    """Make ``person`` a ``member`` of every verified organisation owning ``email``'s domain."""
    domain = email_domain(email)
    joined = []
    for org in Organisation.objects.filter(verified=True):
        if domain in (org.verified_domains or []):
            membership, created = Membership.objects.get_or_create(
                person=person, organisation=org, defaults={"role": Role.MEMBER}
            )
            if created:
                joined.append(membership)
    visibility.forget(person)
    return joined
