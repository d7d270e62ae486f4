"""Personal data export: everything the platform holds about a person, as JSON files in a zip.

A request creates a :class:`DataExport` job (one in progress per person; asking again returns the
same job). Small accounts get the zip at once; larger ones are prepared on a thread after commit,
and ``manage.py process_data_exports`` finishes any job a stopped process left behind. The zip is
kept for :data:`EXPORT_KEEP_DAYS` days and handed only to its person.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import threading
import zipfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.privacy import inventory
from members.privacy.models import DataExport
from network import visibility

logger = logging.getLogger(__name__)
EXPORT_KEEP_DAYS = 7


def _inline_limit() -> int:
    """Accounts with at most this many rows are exported within the request."""
    return int(getattr(settings, "DATA_EXPORT_INLINE_ROWS", 2000))


def _rows(model, fields, qs) -> list[dict[str, Any]]:
    names = [f.attname for f in fields]
    return list(qs.order_by("pk").values(*names))


def _addresses(person) -> list[str]:
    from allauth.account.models import EmailAddress

    found = {person.email.lower()}
    found |= {e.lower() for e in EmailAddress.objects.filter(user=person).values_list("email", flat=True)}
    return sorted(found)


def collect(person) -> dict[str, list[dict[str, Any]]]:
    """Every row about the person, by ``app.Model.field`` (secrets left out), plus the profile."""
    from members.models import Person

    profile_fields = inventory.exportable_fields(Person)
    data: dict[str, list[dict[str, Any]]] = {
        "profile": _rows(Person, profile_fields, Person.objects.filter(pk=person.pk)),
    }
    for link in inventory.person_links():
        qs = link.model._base_manager.filter(**{link.field.name: person.pk})
        rows = _rows(link.model, inventory.exportable_fields(link.model), qs)
        if rows:
            data[link.label] = rows
    addresses = _addresses(person)
    for model, field in inventory.email_fields():
        label = f"{model._meta.label}.{field.name}"
        if label == "account.EmailAddress.email":
            continue  # exported through its user foreign key
        match = Q()
        for address in addresses:
            match |= Q(**{f"{field.name}__iexact": address})
        rows = _rows(model, inventory.exportable_fields(model), model._base_manager.filter(match))
        if rows:
            data[f"{label} (addressed to you)"] = rows
    return data


def count_rows(person) -> int:
    total = 1
    for link in inventory.person_links():
        total += link.model._base_manager.filter(**{link.field.name: person.pk}).count()
    return total


README = """Buyers Network: your personal data
=================================

Exported {when} for {email}.

profile.json holds your account. Every other file holds the rows that refer to you, one file
per place: <app>.<Model>.<field>.json (for example forums.Post.author.json: the posts you wrote,
forums.Reaction.person.json: your reactions, usersessions.UserSession.user.json: your sign-in
history, mfa.Authenticator.user.json: your MFA devices, listed without their secrets).
Dates are ISO 8601 in UTC. Ids refer to rows in other files (and to pages on the platform).
"""


def build_zip(person) -> tuple[bytes, int]:
    data = collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", README.format(when=timezone.now().isoformat(timespec="seconds"), email=person.email)
        )
        for name, rows in data.items():
            archive.writestr(
                f"{name}.json", json.dumps(rows, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            )
    return buffer.getvalue(), sum(len(rows) for rows in data.values())


def data_export_request(*, actor: Any, person: Any) -> tuple[DataExport, bool]:
    """Start (or return the running) export of ``person``'s data. Returns ``(job, created)``."""
    if not visibility.can_handle_personal_data(actor, person):
        raise PermissionDenied(_("Only you can export your personal data."))
    current = DataExport.objects.filter(person=person, status__in=["pending", "running"]).first()
    if current:
        return current, False
    try:
        with transaction.atomic():
            job = DataExport.objects.create(person=person)
    except IntegrityError:  # a concurrent request created it first
        return DataExport.objects.get(person=person, status__in=["pending", "running"]), False
    if count_rows(person) <= _inline_limit():
        run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _start_thread(job.pk))
    return job, True


def _start_thread(job_id: int) -> None:
    def work() -> None:
        try:
            run(job_id)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"data-export-{job_id}", daemon=True).start()


def run(job_id: int) -> DataExport | None:
    """Build one job's zip (claims it first, so two workers never build the same job)."""
    claimed = DataExport.objects.filter(pk=job_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = DataExport.objects.select_related("person").get(pk=job_id)
    try:
        content, rows = build_zip(job.person)
        name = default_storage.save(f"exports/{secrets.token_urlsafe(24)}.zip", ContentFile(content))
    except Exception as exc:
        logger.exception("data export %s failed", job_id)
        DataExport.objects.filter(pk=job_id).update(
            status=DataExport.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        return None
    now = timezone.now()
    DataExport.objects.filter(pk=job_id).update(
        status=DataExport.Status.READY,
        file=name,
        size=len(content),
        rows=rows,
        finished_at=now,
        expires_at=now + timedelta(days=EXPORT_KEEP_DAYS),
    )
    return DataExport.objects.get(pk=job_id)


def process_pending(*, stale_after: timedelta = timedelta(minutes=30)) -> int:
    """Finish jobs left waiting, or running longer than ``stale_after`` (the process stopped)."""
    DataExport.objects.filter(
        status=DataExport.Status.RUNNING, started_at__lt=timezone.now() - stale_after
    ).update(status=DataExport.Status.PENDING)
    done = 0
    for pk in DataExport.objects.filter(status=DataExport.Status.PENDING).values_list("pk", flat=True):
        if run(pk):
            done += 1
    return done


def delete_expired() -> int:
    expired = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lt=timezone.now())
    n = 0
    for job in expired:
        default_storage.delete(job.file)
        job.delete()
        n += 1
    return n


def exports_of(*, actor: Any, person: Any):
    if not visibility.can_handle_personal_data(actor, person):
        return DataExport.objects.none()
    return DataExport.objects.filter(person=person)


def export_for_download(*, actor: Any, pk: int) -> DataExport:
    """The actor's own ready export, or ``DataExport.DoesNotExist`` (another person's looks missing)."""
    job = DataExport.objects.get(pk=pk, status=DataExport.Status.READY, expires_at__gt=timezone.now())
    if not visibility.can_handle_personal_data(actor, job.person):
        raise DataExport.DoesNotExist
    return job
