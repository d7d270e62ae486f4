"""Domain join: verifying an address on an organisation's verified domain makes one a member."""

from __future__ import annotations

from allauth.account.signals import email_confirmed
from django.dispatch import receiver


@receiver(email_confirmed)
def join_organisations_by_verified_domain(sender, request, email_address, **kwargs) -> None:
    from members.services import membership_join_by_domain

    membership_join_by_domain(person=email_address.user, email=email_address.email)
