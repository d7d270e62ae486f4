"""Writes for joint statements of demand: drafting, versions, opening, signing, withdrawing.

Every write is here (HTML views and the API only parse input and format output) and every write
that must not race runs in one ``transaction.atomic()`` block. On SQLite the project's database
options set ``transaction_mode = IMMEDIATE``, so each outermost atomic block starts with
``BEGIN IMMEDIATE``: it takes the write lock up front and concurrent writers wait on the busy
timeout instead of failing half-way with "database is locked". On PostgreSQL the statement row is
locked (``SELECT … FOR UPDATE``) so signing, closing and new versions are serialised per statement.

Signing relies on the database: the partial unique index ``one_active_signature_per_organisation``
allows one active signature per organisation. The insert runs in a savepoint; when the index
refuses it, the existing signature is looked up and :class:`AlreadySigned` (HTTP 409, carrying the
existing signature) is raised. We answer 409 rather than 200 on purpose: the second request's
volumes and comment were *not* stored, and the caller must be told. A retry of the very same
request is made safe by the ``Idempotency-Key`` (see :mod:`knowledge.statements.idempotency`),
which replays the first response instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.statements import errors, idempotency
from knowledge.statements.models import (
    AuditAction,
    AuditEntry,
    Demand,
    Signature,
    Statement,
    StatementStatus,
    StatementVersion,
)
from network import capabilities, markdown, ratelimit, sharing, validation, visibility
from network.categories import validate_volumes
from network.notifications import notify
from network.slugs import unguessable_slug

#: Fields whose change is a change of the statement's text (a new version once published).
TEXT_FIELDS = ("title", "summary", "body")
#: Fields edited in place at any time (no new version).
META_FIELDS = ("contact", "opens_on", "closes_on", "visibility", "working_group")
MAX_DEMANDS = 30


# The refusals live in knowledge.statements.errors; callers name them through this module.
StatementError = errors.StatementError
StatementConflict = errors.StatementConflict
AlreadySigned = errors.AlreadySigned
NoActiveSignature = errors.NoActiveSignature
IdempotencyMismatch = errors.IdempotencyMismatch


# --- permissions (shared with selectors and views) --------------------------------------------


def issuer_ids(statement: Statement) -> set[int]:
    ids = {o.pk for o in statement.issuers.all()}
    ids.add(statement.organisation_id)
    return ids


def can_manage_statement(person: Any, statement: Statement) -> bool:
    """Owners, admins and editors of any issuing organisation edit, open and close a statement."""
    return capabilities.edits_for(visibility.viewer_for(person), issuer_ids(statement))


def _require_manager(person: Any, statement: Statement) -> None:
    if not can_manage_statement(person, statement):
        raise PermissionDenied(_("Only owners, admins and editors of an issuing organisation can do this."))


# --- drafting -----------------------------------------------------------------------------------


@dataclass
class StatementData:
    """A statement as a write gives it: the page's form, the API, the demo loader build one. The
    rules of its fields and dates live on :class:`Statement` and :class:`Demand` and run once here.
    ``issuers`` and ``demands`` as ``None`` leave an existing statement's as they are."""

    title: str = ""
    body: str = ""
    summary: str = ""
    contact: str = ""
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    visibility: str = visibility.Visibility.PRIVATE
    working_group: Any = None
    issuers: Sequence[Any] | None = None
    demands: Sequence[dict[str, Any]] | None = None
    #: A draft with visibility ``group``: the working groups (slugs or objects) that read it
    #: (:func:`network.sharing.resolve`); ``None`` leaves them as they are.
    shared_groups: Sequence[Any] | None = None

    @classmethod
    def of(cls, statement: Statement) -> StatementData:
        """What ``statement`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        return cls(**{name: getattr(statement, name) for name in (*TEXT_FIELDS, *META_FIELDS)})

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> StatementData:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def with_changes(self, changes: dict[str, Any]) -> StatementData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


def _demand_errors(index: int, demand: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One demand checked by the ``Demand`` model's rules (its CPV code by the vocabulary)."""
    from knowledge.cpv import validate_cpv_code

    row = Demand(
        position=index,
        text=str(demand.get("text") or "").strip(),
        category=str(demand.get("category") or "").strip(),
        cpv_code=str(demand.get("cpv_code") or "").strip(),
    )
    messages: list[str] = []
    try:
        row.full_clean(exclude=["statement", "position", "cpv_code"], validate_unique=False)
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
    if row.cpv_code:
        try:
            row.cpv_code = validate_cpv_code(row.cpv_code).full_code
        except ValidationError as exc:
            messages += exc.messages
    cleaned = {"position": index, "text": row.text, "category": row.category, "cpv_code": row.cpv_code}
    return cleaned, [_("Demand %(n)s: %(m)s") % {"n": index, "m": m} for m in messages]


def _clean_demands(demands: Sequence[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``[{text, category, cpv_code}]`` numbered 1…n in the given order; problems into ``errors``."""
    if len(demands) > MAX_DEMANDS:
        errors["demands"] = [_("At most %(n)s demands.") % {"n": MAX_DEMANDS}]
        return []
    cleaned, messages = [], []
    for index, demand in enumerate(demands, start=1):
        row, problems = _demand_errors(index, demand)
        cleaned.append(row)
        messages += problems
    if messages:
        errors["demands"] = messages
    return cleaned


def _values(data: StatementData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in (*TEXT_FIELDS, *META_FIELDS)}
    for name in ("title", "summary", "contact"):
        values[name] = str(values[name] or "").strip()
    values["body"] = str(data.body or "")
    values["visibility"] = data.visibility or visibility.Visibility.PRIVATE
    return values


def _validate(
    statement: Statement, data: StatementData
) -> tuple[list[dict[str, Any]] | None, list[Any] | None]:
    """The statement's, its demands' and its sharing rules, every problem reported together (the
    body's emptiness is judged on its text, so a body of spaces is "no text")."""
    errors: dict[str, list[str]] = {}
    demands = None if data.demands is None else _clean_demands(data.demands, errors)
    groups = sharing.resolve(statement, data.shared_groups, errors)
    body, statement.body = statement.body, statement.body.strip()
    try:
        validation.full_clean(
            statement, exclude=["slug", "working_group", "current_version"], errors=errors, constraints=False
        )
    finally:
        statement.body = body
    return demands, groups


def _clean_issuers(person: Any, lead: Any, issuers: Iterable[Any], working_group: Any) -> set[Any]:
    """Co-issuers: organisations the person edits for, or members of the chosen working group.

    Naming an organisation as issuer gives its editors control of the statement and puts its name
    on a public text, so nobody may name an organisation that has not agreed to work with them.
    """
    from members.models import EDITOR_ROLES, GroupMembership

    viewer = visibility.viewer_for(person)
    allowed_group_orgs: set[int] = set()
    if working_group is not None:
        allowed_group_orgs = set(
            GroupMembership.objects.filter(
                group=working_group, status=GroupMembership.Status.APPROVED
            ).values_list("organisation_id", flat=True)
        ) | {o.pk for o in working_group.conveners.all()}
    result = {lead}
    refused = []
    for org in issuers:
        if org.pk == lead.pk:
            continue
        if viewer.has_role(org.pk, EDITOR_ROLES) or (
            lead.pk in allowed_group_orgs and org.pk in allowed_group_orgs
        ):
            result.add(org)
        else:
            refused.append(org.name)
    if refused:
        raise ValidationError(
            {
                "issuers": _(
                    "You can name as issuers only organisations you edit for, or members of the "
                    "statement's working group: %(names)s."
                )
                % {"names": ", ".join(sorted(refused))}
            }
        )
    return result


def _unique_slug(title: str) -> str:
    """The title plus a random part: never a hint about another organisation's private statements."""
    return unguessable_slug(title, model=Statement, fallback="statement", max_length=80)


def _replace_demands(statement: Statement, demands: list[dict[str, Any]]) -> None:
    statement.demands.all().delete()
    Demand.objects.bulk_create([Demand(statement=statement, **d) for d in demands])


def _audit(
    statement: Statement, action: str, actor: Any, organisation: Any = None, **details: Any
) -> AuditEntry:
    return AuditEntry.objects.create(
        statement=statement, action=action, actor=actor, organisation=organisation, details=details
    )


def statement_create(*, person: Any, organisation: Any, data: StatementData) -> Statement:
    """Create a draft led by ``organisation``; ``person`` must be an editor there."""
    if not visibility.can_create_in(person, organisation):
        raise PermissionDenied(
            _("Only owners, admins and editors of %(org)s can draft for it.") % {"org": organisation}
        )
    statement = Statement(organisation=organisation, created_by=person, **_values(data))
    demands, groups = _validate(statement, data)
    issuer_set = _clean_issuers(person, organisation, data.issuers or (), data.working_group)
    with transaction.atomic():
        statement.slug = _unique_slug(statement.title)
        statement.body_html = markdown.render(statement.body)
        statement.save()
        statement.issuers.set(issuer_set)
        statement.shared_groups.set(groups or [])
        _replace_demands(statement, demands or [])
    return statement


def _snapshot_version(statement: Statement, person: Any, change_note: str) -> StatementVersion:
    last = statement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = StatementVersion.objects.create(
        statement=statement,
        number=last + 1,
        title=statement.title,
        summary=statement.summary,
        body=statement.body,
        demands=[d.snapshot() for d in statement.demands.order_by("position")],
        change_note=change_note,
        created_by=person,
    )
    statement.current_version = version
    return version


def _lock(statement: Statement) -> Statement:
    """Re-read the statement with its row locked until the transaction ends.

    A statement read as closed because its closing date passed (see ``Statement.from_db``) is
    persisted as closed here, with its audit entry and the issuers told, before anything else.
    """
    locked = Statement.objects.select_for_update().get(pk=statement.pk)
    if locked.expired_on_read:
        _persist_expiry(locked)
    return locked


def _persist_expiry(locked: Statement) -> None:
    """Store the closing that the calendar already decided; audit it and tell the issuers."""
    locked.status = StatementStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.expired_on_read = False
    Statement.objects.filter(pk=locked.pk).update(
        status=StatementStatus.CLOSED, closed_at=locked.closed_at, updated_at=locked.closed_at
    )
    _audit(locked, AuditAction.EXPIRE, None, closes_on=locked.closes_on.isoformat())
    notify(
        _issuer_staff(locked),
        kind="statement.closed",
        title=_("“%(title)s” closed on its closing date") % {"title": locked.title},
        body=_("Signing ended on %(date)s. You can reopen it after moving the closing date.")
        % {"date": locked.closes_on.isoformat()},
        url=reverse("statements:manage", kwargs={"slug": locked.slug}),
    )


def statements_close_expired() -> list[Statement]:
    """Persist every statement whose closing date has passed (``manage.py close_statements``).

    Idempotent: a statement is closed once; a second run finds nothing. Each statement is closed in
    its own transaction under its row lock, so a signature racing the run either lands before it
    (and counts) or is refused after it.
    """
    closed = []
    for pk in Statement.objects.past_closing_date().values_list("pk", flat=True):
        with transaction.atomic():
            locked = Statement.objects.select_for_update().get(pk=pk)
            if locked.expired_on_read:
                _persist_expiry(locked)
                closed.append(locked)
    return closed


def _record_edit(
    locked: Statement, person: Any, change_note: str, changed: list[str], text_changed: bool
) -> None:
    """A text change of a published statement is a new version (it needs a note); the rest an edit."""
    if text_changed and locked.current_version_id is not None:
        if not change_note:
            raise ValidationError({"change_note": _("Say what changed: signatories will see it.")})
        version = _snapshot_version(locked, person, change_note)
        locked.save(update_fields=["current_version"])
        _audit(locked, AuditAction.NEW_VERSION, person, version=version.number, change_note=change_note)
    elif text_changed or changed:
        _audit(
            locked, AuditAction.EDIT, person, fields=sorted({*changed, *(["text"] if text_changed else [])})
        )


def statement_update(
    *, person: Any, statement: Statement, data: StatementData, change_note: str = ""
) -> Statement:
    """Edit a statement (``StatementData.of(statement)`` keeps what is not changed). A draft changes
    in place; a published one gets a new version when its text or demands change. Invalid input
    leaves the row (and ``statement``) as they were."""
    _require_manager(person, statement)
    values = _values(data)
    demands, groups = _validate(validation.candidate(statement, values), data)
    change_note = validation.clean_field(StatementVersion, "change_note", (change_note or "").strip())
    with transaction.atomic():
        locked = _lock(statement)
        old_demands = [d.snapshot() for d in locked.demands.order_by("position")]
        new_demands = demands is not None and demands != old_demands
        text_changed = new_demands or any(
            str(values[name]).strip() != str(getattr(locked, name)).strip() for name in TEXT_FIELDS
        )
        changed = [name for name in META_FIELDS if values[name] != getattr(locked, name)]
        for name, value in values.items():
            setattr(locked, name, value)
        locked.body_html = markdown.render(locked.body)
        locked.save()
        if new_demands:
            _replace_demands(locked, demands)
        if groups is not None:
            locked.shared_groups.set(groups)
        _record_edit(locked, person, change_note, changed, text_changed)
    return locked


# --- lifecycle ---------------------------------------------------------------------------------


def statement_open(*, person: Any, statement: Statement) -> Statement:
    """Open a draft for signature: it becomes public and its text becomes version 1."""
    _require_manager(person, statement)
    with transaction.atomic():
        locked = _lock(statement)
        if locked.status != StatementStatus.DRAFT:
            raise StatementConflict(
                _("Only a draft can be opened; this statement is %(s)s.") % {"s": locked.get_status_display()}
            )
        if not locked.demands.exists():
            raise ValidationError({"demands": _("Add at least one demand before opening the statement.")})
        if locked.closes_on and locked.closes_on < timezone.localdate():
            raise ValidationError({"closes_on": _("The closing date has passed; move it first.")})
        if locked.current_version_id is None:
            _snapshot_version(locked, person, _("First published version"))
        locked.status = StatementStatus.OPEN
        locked.opened_at = timezone.now()
        locked.save(update_fields=["status", "opened_at", "current_version", "updated_at"])
        _audit(locked, AuditAction.OPEN, person, version=locked.current_version.number)
        _tell_signatories_opened(locked, actor=person)
    return locked


def _tell_signatories_opened(statement: Statement, *, actor: Any) -> None:
    """Every signatory of a verified organisation may sign an open (public) statement: tell them."""
    from members.models import SIGNATORY_ROLES, Person

    people = Person.objects.filter(
        is_active=True,
        memberships__role__in=SIGNATORY_ROLES,
        memberships__organisation__verified=True,
    ).distinct()
    if statement.opens_on and statement.opens_on > timezone.localdate():
        body = _("Signing opens on %(d)s.") % {"d": statement.opens_on.isoformat()}
    elif statement.closes_on:
        body = _("Open for signature until %(d)s.") % {"d": statement.closes_on.isoformat()}
    else:
        body = _("Open for signature.")
    notify(
        people,
        kind="statement.opened",
        title=_("New joint statement open for your signature: “%(title)s”") % {"title": statement.title},
        body=body,
        url=statement.get_absolute_url(),
        actor=actor,
    )


def statement_close(*, person: Any, statement: Statement) -> Statement:
    _require_manager(person, statement)
    with transaction.atomic():
        locked = _lock(statement)
        if locked.status != StatementStatus.OPEN:
            raise StatementConflict(_("Only an open statement can be closed."))
        locked.status = StatementStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _audit(locked, AuditAction.CLOSE, person)
    return locked


def statement_reopen(*, person: Any, statement: Statement) -> Statement:
    _require_manager(person, statement)
    with transaction.atomic():
        locked = _lock(statement)
        if locked.status != StatementStatus.CLOSED:
            raise StatementConflict(_("Only a closed statement can be reopened."))
        if locked.closes_on and locked.closes_on < timezone.localdate():
            raise ValidationError({"closes_on": _("The closing date has passed; move it before reopening.")})
        locked.status = StatementStatus.OPEN
        locked.closed_at = None
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _audit(locked, AuditAction.REOPEN, person)
    return locked


# --- signatures --------------------------------------------------------------------------------


def _check_signable(statement: Statement) -> None:
    today = timezone.localdate()
    if statement.status != StatementStatus.DRAFT and statement.closes_on and today > statement.closes_on:
        raise StatementConflict(_("Signing closed on %(d)s.") % {"d": statement.closes_on.isoformat()})
    if statement.status != StatementStatus.OPEN:
        raise StatementConflict(_("This statement is not open for signature."))
    if statement.opens_on and today < statement.opens_on:
        raise StatementConflict(_("Signing opens on %(d)s.") % {"d": statement.opens_on.isoformat()})


def _issuer_staff(statement: Statement) -> Iterable[Any]:
    from members.models import EDITOR_ROLES, Person

    return Person.objects.filter(
        is_active=True,
        memberships__organisation_id__in=issuer_ids(statement),
        memberships__role__in=EDITOR_ROLES,
    ).distinct()


def statement_sign(
    *,
    person: Any,
    statement: Statement,
    organisation: Any,
    volumes: dict[str, Any] | None = None,
    volumes_public: bool = False,
    comment: str = "",
    idempotency_key: str | None = None,
) -> Signature:
    """Sign ``statement`` on behalf of ``organisation``; return the new active signature.

    The one signing path of every surface: the page's confirmation step, the API and the demo
    loader all call this. With an ``idempotency_key`` (the confirmation page's hidden key, the API's
    ``Idempotency-Key`` header) a retry of the same request, through either surface, returns the
    first signature with ``replayed`` set instead of signing again; a double submit without a key
    meets the unique index and :class:`AlreadySigned`.

    Raises ``PermissionDenied`` (not a signatory of that organisation), ``ValidationError``
    (organisation not verified, bad volumes, comment too long, a malformed key),
    :class:`StatementConflict` (not open), :class:`AlreadySigned` (an active signature exists;
    nothing stored) and :class:`IdempotencyMismatch` (the key was used for another request).
    """
    key = idempotency.clean_key(idempotency_key)

    def sign() -> Signature:
        ratelimit.SIGN.check(person.pk)  # one limit for the page and the API (a replay is free)
        return _sign(person, statement, organisation, volumes, volumes_public, comment)

    if key is None:
        return sign()
    params = {
        "organisation": organisation.slug,
        "volumes": dict(volumes or {}),
        "volumes_public": bool(volumes_public),
        "comment": (comment or "").strip(),
    }
    signature, replayed = idempotency.run_once(
        person=person,
        key=key,
        action=f"statement_sign {statement.pk}",
        params=params,
        execute=sign,
        load=lambda pk: Signature.objects.select_related("organisation", "version", "signed_by").get(pk=pk),
    )
    signature.replayed = replayed
    return signature


def _sign(
    person: Any,
    statement: Statement,
    organisation: Any,
    volumes: dict[str, Any] | None,
    volumes_public: bool,
    comment: str,
) -> Signature:
    if not visibility.can_sign_for(person, organisation):
        raise PermissionDenied(
            _("Only a person with the signatory role in %(org)s can sign on its behalf.")
            % {"org": organisation.name}
        )
    if not organisation.verified:
        raise ValidationError(
            {
                "organisation": _(
                    "%(org)s is not verified yet; network staff verify organisations before they sign."
                )
                % {"org": organisation.name}
            }
        )
    volumes = {} if volumes is None else volumes
    try:
        validate_volumes(volumes)
    except ValidationError as exc:
        raise ValidationError({"volumes": exc.messages}) from None
    volumes = dict(volumes)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": _("At most 1,000 characters.")})
    with transaction.atomic():
        locked = _lock(statement)
        _check_signable(locked)
        try:
            with transaction.atomic():  # a savepoint: the unique index may refuse the insert
                signature = Signature.objects.create(
                    statement=locked,
                    organisation=organisation,
                    signed_by=person,
                    version_id=locked.current_version_id,
                    volumes=volumes,
                    volumes_public=bool(volumes_public),
                    comment=comment,
                    first_signed_at=timezone.now(),
                )
        except IntegrityError:
            existing = (
                Signature.objects.active()
                .filter(statement=locked, organisation=organisation)
                .select_related("organisation", "version", "signed_by")
                .first()
            )
            if existing is None:  # some other integrity problem: not ours to hide
                raise
            raise AlreadySigned(existing) from None
        signature.organisation = organisation
        _audit(
            locked,
            AuditAction.SIGN,
            person,
            organisation,
            signature=signature.pk,
            version=signature.version.number,
            volumes=volumes,
            volumes_public=bool(volumes_public),
        )
        notify(
            _issuer_staff(locked),
            kind="statement.signed",
            title=_("%(org)s signed “%(title)s”") % {"org": organisation.name, "title": locked.title},
            body=comment,
            url=reverse("statements:manage", kwargs={"slug": locked.slug}),
            actor=person,
        )
    return signature


def signature_withdraw(*, person: Any, statement: Statement, organisation: Any, reason: str) -> Signature:
    """Withdraw ``organisation``'s active signature; the row stays with who, when and why."""
    if not visibility.can_sign_for(person, organisation):
        raise PermissionDenied(
            _("Only a person with the signatory role in %(org)s can withdraw its signature.")
            % {"org": organisation.name}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the signature is withdrawn; the issuers will see it.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("At most 1,000 characters.")})
    with transaction.atomic():
        locked = _lock(statement)
        if locked.status != StatementStatus.OPEN:
            raise StatementConflict(_("Signatures can be withdrawn only while the statement is open."))
        signature = Signature.objects.active().filter(statement=locked, organisation=organisation).first()
        now = timezone.now()
        updated = (
            Signature.objects.filter(pk=getattr(signature, "pk", None), withdrawn_at__isnull=True).update(
                withdrawn_at=now, withdrawn_by=person, withdrawal_reason=reason
            )
            if signature
            else 0
        )
        if not updated:
            raise NoActiveSignature(
                _("%(org)s has no active signature on this statement.") % {"org": organisation.name}
            )
        signature.refresh_from_db()
        _audit(locked, AuditAction.WITHDRAW, person, organisation, signature=signature.pk, reason=reason)
        notify(
            _issuer_staff(locked),
            kind="statement.withdrawn",
            title=_("%(org)s withdrew its signature from “%(title)s”")
            % {"org": organisation.name, "title": locked.title},
            body=reason,
            url=reverse("statements:manage", kwargs={"slug": locked.slug}),
            actor=person,
        )
    return signature


class NothingToAmend(StatementConflict):
    """No active signature of that organisation (never signed, or withdrawn): nothing to amend."""

    code = "not_signed"


def signature_amend(
    *,
    person: Any,
    statement: Statement,
    organisation: Any,
    volumes: dict[str, Any] | None,
    volumes_public: bool,
    comment: str | None = None,
) -> Signature:
    """Change an organisation's declared volumes or their disclosure without withdrawing.

    The amendment is a new signature row (``revision`` + 1, same statement version, same first
    signing date) and the old row is kept, closed at the moment of the amendment and linked to its
    successor, so the audit trail shows what was declared before. The issuers are told. Amending
    with the same figures changes nothing and returns the active signature (a double submit).
    """
    if not visibility.can_sign_for(person, organisation):
        raise PermissionDenied(
            _("Only a person with the signatory role in %(org)s can amend its signature.")
            % {"org": organisation.name}
        )
    volumes = {} if volumes is None else volumes
    try:
        validate_volumes(volumes)
    except ValidationError as exc:
        raise ValidationError({"volumes": exc.messages}) from None
    volumes = dict(volumes)
    if comment is not None:
        comment = comment.strip()
        if len(comment) > 1000:
            raise ValidationError({"comment": _("At most 1,000 characters.")})
    ratelimit.SIGN.check(person.pk)  # the signing limit, on the page and the API alike
    with transaction.atomic():
        locked = _lock(statement)
        if locked.status != StatementStatus.OPEN:
            raise StatementConflict(_("Signatures can be amended only while the statement is open."))
        old = (
            Signature.objects.active()
            .select_for_update()
            .filter(statement=locked, organisation=organisation)
            .first()
        )
        if old is None:
            raise NothingToAmend(
                _("%(org)s has no active signature on this statement to amend; sign it instead.")
                % {"org": organisation.name}
            )
        new_comment = old.comment if comment is None else comment
        if (
            old.volumes == volumes
            and old.volumes_public == bool(volumes_public)
            and old.comment == new_comment
        ):
            old.organisation = organisation
            return old
        now = timezone.now()
        Signature.objects.filter(pk=old.pk).update(
            withdrawn_at=now,
            withdrawn_by=person,
            withdrawal_reason=_("Amended (revision %(n)s)") % {"n": old.revision + 1},
        )
        signature = Signature.objects.create(
            statement=locked,
            organisation=organisation,
            signed_by=person,
            version_id=old.version_id,
            volumes=volumes,
            volumes_public=bool(volumes_public),
            comment=new_comment,
            supersedes=old,
            revision=old.revision + 1,
            first_signed_at=old.originally_signed_at,
        )
        signature.organisation = organisation
        _audit(
            locked,
            AuditAction.AMEND,
            person,
            organisation,
            signature=signature.pk,
            replaces=old.pk,
            revision=signature.revision,
            before={"volumes": old.volumes, "volumes_public": old.volumes_public},
            after={"volumes": volumes, "volumes_public": bool(volumes_public)},
        )
        notify(
            _issuer_staff(locked),
            kind="statement.amended",
            title=_("%(org)s amended its signature on “%(title)s”")
            % {"org": organisation.name, "title": locked.title},
            url=reverse("statements:manage", kwargs={"slug": locked.slug}),
            actor=person,
        )
    return signature
