"""``Idempotency-Key`` handling for writes that must happen once (signing a statement).

Semantics (as Stripe's, whose behaviour clients already know), kept by the service itself so every
surface (the confirmation page's hidden key, the API's ``Idempotency-Key`` header) shares them:

* The first request with a key runs; if it succeeds, the id of what it made is stored with a
  fingerprint of the action and parameters, scoped to the person (unique ``(person, key)``).
* A retry with the same key and the same parameters gets the same object back, marked as a replay,
  and nothing runs again, whichever surface the retry comes through.
* The same key with different parameters (or another action) is refused with
  :class:`~knowledge.statements.errors.IdempotencyMismatch` (HTTP 422).
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
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge.statements.errors import IdempotencyMismatch
from knowledge.statements.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
T = TypeVar("T")


def fingerprint(action: str, params: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"endpoint": action, "params": params}, sort_keys=True, separators=(",", ":"), default=str
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


def _stored_id(record: IdempotencyRecord, action: str, digest: str) -> int:
    if record.endpoint != action or record.fingerprint != digest:
        raise IdempotencyMismatch(
            _(
                "This Idempotency-Key was already used for a different request. Use a new key for a "
                "new request, or resend exactly the same parameters to get the first response."
            )
        )
    return int(json.loads(record.response_body)["id"])


def run_once(
    *,
    person: Any,
    key: str,
    action: str,
    params: dict[str, Any],
    execute: Callable[[], T],
    load: Callable[[int], T],
) -> tuple[T, bool]:
    """Run ``execute`` once per ``(person, key)``; on a retry ``load`` the object it made.

    Returns ``(object, replayed)``. ``execute`` returns a model instance (its ``pk`` is stored).
    """
    digest = fingerprint(action, params)
    existing = IdempotencyRecord.objects.filter(person=person, key=key).first()
    if existing is not None:
        return load(_stored_id(existing, action, digest)), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    person=person,
                    key=key,
                    endpoint=action,
                    fingerprint=digest,
                    response_status=0,
                    response_body="",
                )
        except IntegrityError:
            # A concurrent request with the same key committed first: replay what it made.
            stored = IdempotencyRecord.objects.get(person=person, key=key)
            return load(_stored_id(stored, action, digest)), True
        made = execute()
        record.response_status = 201
        record.response_body = json.dumps({"id": made.pk}, cls=DjangoJSONEncoder)
        record.save(update_fields=["response_status", "response_body"])
    return made, False
