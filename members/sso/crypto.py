"""Encryption of the client secrets organisations give us (Fernet, a key derived from SECRET_KEY).

The key is derived with HKDF from ``SECRET_KEY`` and a fixed purpose string, so the secrets are
unreadable in a database dump without the settings, and rotating ``SECRET_KEY`` (with the old key
in ``SECRET_KEY_FALLBACKS``) keeps them readable: :func:`decrypt` tries every key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"buyers-network/sso-client-secret/v1"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(s) for s in secrets])


def encrypt(plaintext: str) -> str:
    return _keys().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext, or ``""`` when the token cannot be read (a changed SECRET_KEY): re-enter it."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
