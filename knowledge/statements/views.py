"""HTML pages for joint statements. Views parse input and render; services and selectors decide."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from knowledge.statements import charts, selectors, services
from knowledge.statements.forms import (
    AmendForm,
    DemandFormSet,
    SignForm,
    StatementForm,
    WithdrawForm,
    demands_from_formset,
)
from knowledge.statements.models import StatementStatus
from members.models import Role
from network import sharing
from network.categories import DeviceCategory
from network.errors import NeedsRole, role_help
from network.ratelimit import RateLimited
from network.validation import add_to_form


def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.statements_visible_to(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "statements/index.html", {"page": page})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_for(request.user, slug)
    summary = selectors.demand_summary(statement)
    rows = selectors.signatory_rows(request.user, statement)
    signed_ids = {r.signature.organisation_id for r in rows}
    caps = selectors.statement_capabilities(request.user, statement, signed_organisation_ids=signed_ids)
    until = timezone.localdate() if statement.status == StatementStatus.OPEN else None
    context = {
        "statement": statement,
        "demands": statement.demands.order_by("position"),
        "rows": rows,
        "summary": summary,
        "chart": charts.cumulative_step_svg(
            summary.timeline, title=_("Signatories over time: %(t)s") % {"t": statement.title}, until=until
        ),
        "versions": selectors.versions_with_signatories(statement),
        "caps": caps,
        # a member who may sign for none of their organisations learns, before clicking, who signs
        # for them and whom to ask for the role
        "sign_help": role_help(request.user, Role.SIGNATORY)
        if statement.status == StatementStatus.OPEN
        and request.user.is_authenticated
        and not selectors.signable_organisations(request.user)
        else [],
    }
    return render(request, "statements/detail.html", context)


def _service_refusal(request: HttpRequest, exc: Exception, slug: str) -> HttpResponseRedirect:
    messages.error(request, getattr(exc, "message", None) or str(exc))
    return redirect("statements:detail", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """Three steps without JavaScript: the form, a confirmation page, then the signature.

    The confirmation page carries a fresh idempotency key; submitting it twice (double click,
    reload, back-and-resubmit) replays the first result instead of signing twice.
    """
    statement = selectors.statement_for(request.user, slug)
    organisations = selectors.signable_organisations(request.user)
    if not organisations:
        raise NeedsRole(
            _("You need the signatory role in a verified organisation to sign."), role=Role.SIGNATORY
        )
    if statement.status != StatementStatus.OPEN:
        messages.error(request, _("This statement is not open for signature."))
        return redirect(statement)
    form = SignForm(request.POST or None, organisations=organisations)
    step = request.POST.get("step", "")
    if request.method == "POST" and step != "edit" and form.is_valid():
        if step != "confirm":
            return render(
                request,
                "statements/sign_confirm.html",
                {
                    "statement": statement,
                    "form": form,
                    "volumes": _labelled(form.declared_volumes()),
                    "key": uuid.uuid4().hex,
                },
            )
        return _sign_confirmed(request, statement, form)
    return render(request, "statements/sign_form.html", {"statement": statement, "form": form})


def _labelled(volumes: dict[str, int]) -> list[tuple[str, int]]:
    labels = dict(DeviceCategory.choices)
    return [(str(labels[c]), n) for c, n in volumes.items()]


def _sign_confirmed(request: HttpRequest, statement: Any, form: SignForm) -> HttpResponse:
    """The confirmation page's submit: the service signs once per hidden key (double submits,
    reloads and back-and-resubmit replay the first signature)."""
    organisation = form.cleaned_data["organisation"]
    try:
        signature = services.statement_sign(
            person=request.user,
            statement=statement,
            organisation=organisation,
            volumes=form.declared_volumes(),
            volumes_public=form.cleaned_data["volumes_public"],
            comment=form.cleaned_data["comment"],
            idempotency_key=request.POST.get("idempotency_key"),
        )
    except services.AlreadySigned as exc:
        messages.info(request, exc.message)
        return redirect(statement)
    except ValidationError as exc:
        add_to_form(exc, form)
        return render(
            request, "statements/sign_form.html", {"statement": statement, "form": form}, status=400
        )
    except (services.StatementError, PermissionDenied, RateLimited) as exc:
        return _service_refusal(request, exc, statement.slug)
    if signature.replayed:
        messages.info(request, _("Your signature was already recorded."))
    else:
        messages.success(
            request,
            _("%(org)s has signed “%(title)s”.") % {"org": organisation.name, "title": statement.title},
        )
    return redirect(statement)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_for(request.user, slug)
    signed = [
        o
        for o in selectors.signable_organisations(request.user)
        if selectors.active_signature_of(statement, o)
    ]
    if not signed:
        messages.info(request, _("None of your organisations has an active signature on this statement."))
        return redirect(statement)
    form = WithdrawForm(request.POST or None, organisations=signed)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_withdraw(
                person=request.user,
                statement=statement,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_to_form(exc, form)
        except (services.StatementError, PermissionDenied) as exc:
            return _service_refusal(request, exc, slug)
        else:
            messages.success(request, _("The signature was withdrawn. You can sign again later."))
            return redirect(statement)
    return render(request, "statements/withdraw.html", {"statement": statement, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, slug: str) -> HttpResponse:
    """A signatory changes their organisation's volumes or disclosure without withdrawing."""
    statement = selectors.statement_for(request.user, slug)
    signed = {
        o.pk: (o, sig)
        for o in selectors.signable_organisations(request.user)
        if (sig := selectors.active_signature_of(statement, o)) is not None
    }
    if not signed:
        messages.info(request, _("None of your organisations has an active signature on this statement."))
        return redirect(statement)
    organisations = [o for o, _sig in signed.values()]
    wanted = request.GET.get("organisation")
    first_org, first_sig = next(
        (pair for pair in signed.values() if pair[0].slug == wanted), next(iter(signed.values()))
    )
    initial = {
        "organisation": first_org.pk,
        "volumes_public": first_sig.volumes_public,
        "comment": first_sig.comment,
    }
    caps = selectors.statement_capabilities(request.user, statement)
    if caps.sees_volumes(first_sig):  # a signatory of the organisation: always, by the policy
        initial.update({f"volume_{c}": n for c, n in (first_sig.volumes or {}).items()})
    form = AmendForm(request.POST or None, organisations=organisations, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                services.signature_amend(
                    person=request.user,
                    statement=statement,
                    organisation=organisation,
                    volumes=form.declared_volumes(),
                    volumes_public=form.cleaned_data["volumes_public"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_to_form(exc, form)
            except (services.StatementError, PermissionDenied, RateLimited) as exc:
                return _service_refusal(request, exc, slug)
            else:
                messages.success(
                    request,
                    _("The signature of %(org)s now declares the new figures.") % {"org": organisation.name},
                )
                return redirect(statement)
        status = 400
    return render(request, "statements/amend.html", {"statement": statement, "form": form}, status=status)


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The issuers' dashboard: lifecycle buttons, every signature with its figures, the audit trail."""
    statement = selectors.statement_for(request.user, slug)
    caps = selectors.statement_capabilities(request.user, statement)
    if not caps.is_issuer:
        raise PermissionDenied(_("Only members of the issuing organisations see this page."))
    page = Paginator(selectors.audit_entries(statement), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "statements/manage.html",
        {
            "statement": statement,
            "rows": selectors.signatory_rows(request.user, statement),
            "audit_page": page,
            "caps": caps,
        },
    )


TRANSITIONS = {
    "open": (services.statement_open, _("The statement is open for signature and now public.")),
    "close": (services.statement_close, _("The statement is closed.")),
    "reopen": (services.statement_reopen, _("The statement is open for signature again.")),
}


@login_required
@require_POST
def transition(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    statement = selectors.statement_for(request.user, slug)
    service, done = TRANSITIONS[action]
    try:
        service(person=request.user, statement=statement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.StatementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("statements:manage", slug=slug)


def _demand_initial(statement: Any) -> list[dict[str, Any]]:
    return [
        {"text": d.text, "category": d.category, "cpv_code": d.cpv_code}
        for d in statement.demands.order_by("position")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.POST or None, person=request.user)
    if not form.fields["organisation"].queryset.exists():
        raise PermissionDenied(
            _("You need an owner, admin or editor role in an organisation to draft a statement.")
        )
    formset = DemandFormSet(request.POST or None, prefix="demands")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            statement = services.statement_create(
                person=request.user,
                organisation=data["organisation"],
                data=services.StatementData.from_mapping(
                    {**data, "issuers": list(data["issuers"]), "demands": demands_from_formset(formset)}
                ),
            )
        except ValidationError as exc:
            add_to_form(exc, form)
        else:
            messages.success(
                request, _("Draft saved. Open it for signature from the issuer page when ready.")
            )
            return redirect("statements:manage", slug=statement.slug)
    return render(
        request, "statements/statement_form.html", {"form": form, "formset": formset, "statement": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_for(request.user, slug)
    if not selectors.statement_capabilities(request.user, statement).can_manage:
        raise PermissionDenied(_("Only owners, admins and editors of an issuing organisation can edit."))
    initial = {
        f: getattr(statement, f)
        for f in ("title", "summary", "body", "contact", "opens_on", "closes_on", "visibility")
    }
    initial["shared_groups"] = sharing.initial(statement)
    form = StatementForm(
        request.POST or None,
        person=request.user,
        editing=True,
        initial=initial,
        owners=[statement.organisation_id],
    )
    formset = DemandFormSet(request.POST or None, prefix="demands", initial=_demand_initial(statement))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        change_note = data.pop("change_note", "")
        try:
            changes = {**data, "demands": demands_from_formset(formset)}
            services.statement_update(
                person=request.user,
                statement=statement,
                data=services.StatementData.of(statement).with_changes(changes),
                change_note=change_note,
            )
        except ValidationError as exc:
            add_to_form(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("statements:manage", slug=slug)
    return render(
        request, "statements/statement_form.html", {"form": form, "formset": formset, "statement": statement}
    )
