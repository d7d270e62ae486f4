"""Test data built through the real models and services, with readable defaults."""

from __future__ import annotations

import itertools

from allauth.account.models import EmailAddress
from django.utils.text import slugify

from members.models import GroupMembership, Membership, Organisation, Person, Role, WorkingGroup

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def person(email: str | None = None, *, name: str = "", verified_email: bool = True, **extra) -> Person:
    n = next(_seq)
    email = email or f"person{n}@example.org"
    p = Person.objects.create_user(email=email, password=PASSWORD, name=name or f"Person {n}", **extra)
    EmailAddress.objects.create(user=p, email=email, verified=verified_email, primary=True)
    return p


def organisation(
    name: str | None = None, *, verified: bool = True, country: str = "FI", **extra
) -> Organisation:
    n = next(_seq)
    name = name or f"Organisation {n}"
    return Organisation.objects.create(
        name=name,
        slug=extra.pop("slug", slugify(name)[:70] or f"org-{n}"),
        country=country,
        verified=verified,
        **extra,
    )


def member(org: Organisation, role: str = Role.MEMBER, email: str | None = None, **extra) -> Person:
    p = person(email, **extra)
    Membership.objects.create(person=p, organisation=org, role=role)
    return p


def working_group(
    name: str | None = None, *, conveners=(), members=(), visibility: str = "network"
) -> WorkingGroup:
    n = next(_seq)
    name = name or f"Working group {n}"
    group = WorkingGroup.objects.create(name=name, slug=slugify(name)[:70], visibility=visibility)
    group.conveners.set(conveners)
    for org in members:
        GroupMembership.objects.create(group=group, organisation=org, status=GroupMembership.Status.APPROVED)
    return group
