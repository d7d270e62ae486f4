"""``Idempotency-Key`` handling for requests that must happen once (signing a statement).

Semantics (as Stripe's, whose behaviour clients already know):

* The first request with a key runs; if it succeeds, its status and body are stored with a
  fingerprint of the endpoint and parameters, scoped to the person (unique ``(person, key)``).
* A retry with the same key and the same parameters gets the stored response back (the same status
  and the same JSON body, key order kept), and nothing runs again.
* The same key with different parameters (or another endpoint) is refused with
  :class:`IdempotencyMismatch` (HTTP 422).
* A request that fails stores nothing (its transaction rolls back together with the record), so a
  retry after an error runs again: errors never become sticky.

The record is inserted in the same transaction as the write. Two requests with one key at the same
moment therefore serialise on the unique index (PostgreSQL makes the second insert wait for the first
transaction, SQLite's immediate transactions queue them): the second then finds the committed record
and replays it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge.statements.models import IdempotencyRecord
from knowledge.statements.services import StatementError

MAX_KEY_LENGTH = 255


class IdempotencyMismatch(StatementError):
    status = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def fingerprint(endpoint: str, params: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"endpoint": endpoint, "params": params}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def clean_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({"idempotency_key": _("An Idempotency-Key is 1 to 255 printable characters.")})
    return key


def _replay(record: IdempotencyRecord, endpoint: str, digest: str) -> Outcome:
    if record.endpoint != endpoint or record.fingerprint != digest:
        raise IdempotencyMismatch(
            _(
                "This Idempotency-Key was already used for a different request. Use a new key for a "
                "new request, or resend exactly the same parameters to get the first response."
            )
        )
    return Outcome(record.response_status, json.loads(record.response_body), replayed=True)


def run_once(
    *,
    person: Any,
    key: str | None,
    endpoint: str,
    params: dict[str, Any],
    execute: Callable[[], Outcome],
) -> Outcome:
    """Run ``execute`` once per ``(person, key)``; replay its stored outcome on retries."""
    key = clean_key(key)
    if key is None:
        return execute()
    digest = fingerprint(endpoint, params)
    existing = IdempotencyRecord.objects.filter(person=person, key=key).first()
    if existing is not None:
        return _replay(existing, endpoint, digest)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    person=person,
                    key=key,
                    endpoint=endpoint,
                    fingerprint=digest,
                    response_status=0,
                    response_body="",
                )
        except IntegrityError:
            # A concurrent request with the same key committed first: replay what it answered.
            return _replay(IdempotencyRecord.objects.get(person=person, key=key), endpoint, digest)
        outcome = execute()
        record.response_status = outcome.status
        record.response_body = json.dumps(outcome.body, cls=DjangoJSONEncoder)
        record.save(update_fields=["response_status", "response_body"])
    return outcome
