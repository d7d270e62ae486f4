"""Has the person just proved it is them? (allauth's re-authentication, with one gap closed.)"""

from __future__ import annotations

import time

from allauth.account import app_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import (
    did_recently_reauthenticate,
    get_reauthentication_flows,
)
from django.http import HttpRequest


def recently_reauthenticated(request: HttpRequest) -> bool:
    """allauth's answer for people with a password or MFA. allauth answers "yes" for accounts that
    only sign in through a provider (it cannot re-authenticate them there); for those we ask for a
    fresh sign-in instead: the session's last authentication within the re-authentication timeout."""
    if request.user.is_anonymous:
        return False
    if get_reauthentication_flows(request.user):
        return did_recently_reauthenticate(request)
    records = get_authentication_records(request, request.user)
    return bool(records) and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT
