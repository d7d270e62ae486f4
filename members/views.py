"""HTML pages: directory, profiles, management, invitations, working groups, profile settings.

Views parse input, call :mod:`members.services` and render; rules live in the services, reads
in :mod:`members.selectors`. Invisible and missing organisations are both 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members import selectors, services
from members.forms import (
    DirectoryFilterForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    ProfileForm,
    RoleForm,
    VerificationForm,
    WorkingGroupForm,
)
from members.models import GroupMembership, Invitation, Membership, Organisation, WorkingGroup
from network import visibility
from network.categories import DeviceCategory


def _put_errors_on(form, exc: ValidationError) -> None:
    """Service errors back onto the form, keeping what was typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    try:
        return selectors.organisation_for(request.user, slug)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def organisation_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.organisation_list(
        request.user, country=filters.get("country", ""), kind=filters.get("kind", ""), q=filters.get("q", "")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/organisation_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "viewer": visibility.viewer_for(request.user),
        },
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation(request, slug)
    show_members = selectors.can_see_members(request.user, org)
    volumes = [
        (label, (org.annual_volumes or {}).get(value))
        for value, label in DeviceCategory.choices
        if (org.annual_volumes or {}).get(value) is not None
    ]
    groups = selectors.working_groups_for(request.user).filter(
        pk__in=GroupMembership.objects.filter(
            organisation=org, status=GroupMembership.Status.APPROVED
        ).values("group_id")
    ) | selectors.working_groups_for(request.user).filter(conveners=org)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "org": org,
            "volumes": volumes,
            "members": selectors.member_list(org) if show_members else None,
            "can_manage": visibility.can_manage(request.user, org),
            "my_role": visibility.viewer_for(request.user).role_in(org.pk),
            "my_membership": Membership.objects.filter(person_id=request.user.pk, organisation=org).first()
            if request.user.is_authenticated
            else None,
            "groups": groups.distinct(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _put_errors_on(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s was created and you are its owner. Network staff will verify it.")
                % {"org": org.name},
            )
            return redirect(org)
    return render(request, "members/organisation_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation(request, slug)
    if not visibility.can_manage(request.user, org):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_for(org))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_update(actor=request.user, organisation=org, **form.service_kwargs())
        except ValidationError as exc:
            _put_errors_on(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect(org)
    return render(request, "members/organisation_form.html", {"form": form, "org": org, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and invitations of one organisation, for its owners and admins."""
    org = _organisation(request, slug)
    if not visibility.can_manage(request.user, org):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            _put_errors_on(form, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("members:organisation_manage", slug=org.slug)
    return render(
        request,
        "members/organisation_manage.html",
        {
            "org": org,
            "form": form,
            "members": [
                (m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in selectors.member_list(org)
            ],
            "invitations": selectors.invitation_list(org)[:50],
        },
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = _organisation(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("person", "organisation"), pk=pk, organisation=org
    )
    form = RoleForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            services.membership_update_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("%(who)s is now %(role)s.")
                % {
                    "who": membership.person,
                    "role": dict(RoleForm.base_fields["role"].choices)[form.cleaned_data["role"]],
                },
            )
    return redirect("members:organisation_manage", slug=org.slug)


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = _organisation(request, slug)
    if not selectors.can_see_members(request.user, org):
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("person", "organisation"), pk=pk, organisation=org
    )
    leaving = membership.person_id == request.user.pk
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(
            org if leaving else "members:organisation_manage", **({} if leaving else {"slug": org.slug})
        )
    if leaving:
        messages.success(request, _("You left %(org)s.") % {"org": org.name})
        return redirect("members:organisations")
    messages.success(request, _("%(who)s was removed.") % {"who": membership.person})
    return redirect("members:organisation_manage", slug=org.slug)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = _organisation(request, slug)
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk, organisation=org)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("members:organisation_manage", slug=org.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    """The link in the invitation e-mail. Shows what is offered; accepting needs signing in."""
    invitation = get_object_or_404(Invitation.objects.select_related("organisation", "invited_by"), key=key)
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            membership = services.invitation_accept(actor=request.user, key=key)
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organisation.name})
            return redirect(membership.organisation)
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )


def working_group_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "members/working_group_list.html",
        {
            "groups": selectors.working_groups_for(request.user),
            "can_create": request.user.is_authenticated
            and selectors.managed_organisations(request.user).filter(verified=True).exists(),
        },
    )


def _group(request: HttpRequest, slug: str) -> WorkingGroup:
    try:
        return selectors.working_group_for(request.user, slug)
    except WorkingGroup.DoesNotExist as exc:
        raise Http404 from exc


def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    is_convener = request.user.is_authenticated and visibility.can_convene(request.user, group)
    join_form = None
    own_requests = []
    if request.user.is_authenticated:
        taken = {o.pk for o in group.conveners.all()} | {
            gm.organisation_id for gm in group.approved_memberships
        }
        candidates = selectors.managed_organisations(request.user).filter(verified=True).exclude(pk__in=taken)
        own_requests = list(
            GroupMembership.objects.filter(
                group=group, organisation__in=selectors.managed_organisations(request.user)
            )
            .exclude(status=GroupMembership.Status.APPROVED)
            .select_related("organisation")
        )
        if candidates.exists():
            join_form = JoinRequestForm(organisations=candidates)
    return render(
        request,
        "members/working_group_detail.html",
        {
            "group": group,
            "is_convener": is_convener,
            "pending": selectors.pending_requests(group) if is_convener else [],
            "join_form": join_form,
            "own_requests": own_requests,
        },
    )


@login_required
@require_POST
def working_group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(request, slug)
    form = JoinRequestForm(request.POST, organisations=selectors.managed_organisations(request.user))
    if form.is_valid():
        try:
            services.working_group_request_join(
                actor=request.user,
                group=group,
                organisation=form.cleaned_data["organisation"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Request sent; the conveners will decide."))
    else:
        messages.error(request, _("Choose an organisation you manage."))
    return redirect(group)


@login_required
@require_POST
def working_group_decide(request: HttpRequest, slug: str, organisation: str, decision: str) -> HttpResponse:
    if decision not in ("approve", "decline"):
        raise Http404
    group = _group(request, slug)
    org = get_object_or_404(Organisation, slug=organisation, group_memberships__group=group)
    try:
        services.working_group_decide(
            actor=request.user, group=group, organisation=org, approve=decision == "approve"
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            (_("%(org)s is now a member.") if decision == "approve" else _("Request of %(org)s declined."))
            % {"org": org.name},
        )
    return redirect(group)


@login_required
@require_http_methods(["GET", "POST"])
def working_group_create(request: HttpRequest) -> HttpResponse:
    orgs = selectors.managed_organisations(request.user).filter(verified=True)
    form = WorkingGroupForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            group = services.working_group_create(
                actor=request.user,
                convener=data["convener"],
                name=data["name"],
                description=data["description"],
                visibility_level=data["visibility"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                _put_errors_on(form, exc)
            else:
                form.add_error("convener", str(exc))
        else:
            messages.success(request, _("Working group created."))
            return redirect(group)
    return render(request, "members/working_group_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Name, job title and e-mail notification preference of the signed-in person."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.person_update_profile(person=request.user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("members:profile")
    return render(
        request,
        "members/profile.html",
        {"form": form, "memberships": selectors.memberships_of(request.user)},
    )


# --- staff: verification ----------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not request.user.is_staff:
        raise PermissionDenied(_("Only network staff verify organisations."))


@login_required
@require_http_methods(["GET"])
def staff_verification(request: HttpRequest) -> HttpResponse:
    """Network staff's verification queue outside the admin: unverified organisations first, with
    their managers' e-mail addresses to compare against the domains they claim."""
    _require_staff(request)
    state = request.GET.get("state", "pending")
    verified = {"pending": False, "verified": True}.get(state)
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.verification_queue(verified=verified, q=q), 30).get_page(
        request.GET.get("page")
    )
    forms_by_org = {
        org.pk: VerificationForm(
            prefix=f"org{org.pk}",
            initial={
                "verified": "0" if org.verified else "1",
                "verified_domains": ", ".join(org.verified_domains),
            },
        )
        for org in page
    }
    for org in page:
        org.verification_form = forms_by_org[org.pk]
    return render(request, "members/staff_verification.html", {"page": page, "state": state, "q": q})


@login_required
@require_POST
def staff_verify(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    org = get_object_or_404(Organisation, slug=slug)
    form = VerificationForm(request.POST, prefix=f"org{org.pk}")
    if form.is_valid():
        try:
            services.organisation_verify(
                actor=request.user,
                organisation=org,
                verified=form.cleaned_data["verified"],
                verified_domains=form.cleaned_data["verified_domains"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _put_errors_on(form, exc)
        else:
            done = (
                _("%(org)s is verified.")
                if form.cleaned_data["verified"]
                else _("%(org)s is no longer verified.")
            )
            messages.success(request, done % {"org": org.name})
            return redirect(reverse("members:staff_verification"))
    org.verification_form = form
    return render(
        request,
        "members/staff_verification.html",
        {"page": [org], "state": "one", "q": "", "single": True},
        status=400,
    )
