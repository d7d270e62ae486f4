"""Refusals of statement writes, with a message for people and the HTTP status the API answers.

Kept apart from :mod:`knowledge.statements.services` so the idempotency ledger, which the signing
service uses, can raise them without importing the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from knowledge.statements.models import Signature


class StatementError(Exception):
    """A refused write with a message for people; ``status`` is the HTTP status the API uses."""

    status = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StatementConflict(StatementError):
    """The statement's state does not allow this now (closed, not yet open, already signed)."""

    status = 409
    code = "conflict"


class AlreadySigned(StatementConflict):
    """The organisation already has an active signature; the request stored nothing."""

    code = "already_signed"

    def __init__(self, signature: Signature) -> None:
        super().__init__(
            _("%(org)s has already signed this statement (on %(date)s). Nothing was changed.")
            % {"org": signature.organisation.name, "date": signature.signed_at.date().isoformat()}
        )
        self.signature = signature


class NoActiveSignature(StatementError):
    status = 404
    code = "not_signed"


class IdempotencyMismatch(StatementError):
    """An ``Idempotency-Key`` already used for a different request."""

    status = 422
    code = "idempotency_key_reused"
