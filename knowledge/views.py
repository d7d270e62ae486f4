"""HTML views for the library (mounted at /library/). Thin: selectors read through the visibility
policy (another organisation's private item is a 404), services write, forms show the errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from knowledge import forms, ocds, selectors, services
from knowledge.api.views import attachment_response
from knowledge.diff import diff_versions
from knowledge.models.choices import LessonStage, Stage
from members import selectors as member_selectors
from members.models import Organisation
from network import content, sharing, visibility

PAGE = 20


def _editable_orgs(person: Any) -> list[Organisation]:
    return list(member_selectors.editable_organisations(person))


def _member_orgs(person: Any) -> list[Organisation]:
    return list(
        Organisation.objects.filter(pk__in=visibility.viewer_for(person).organisation_ids).order_by("name")
    )


def library(request: HttpRequest) -> HttpResponse:
    """Templates, lessons and planned tenders visible to the viewer, with the library filters."""
    form = forms.LibraryFilterForm(request.GET or None)
    params = form.params() if request.GET else {}
    kind = (form.cleaned_data.get("kind") if form.is_bound and form.is_valid() else "") or ""
    sections: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}  # what a type's section adds to the page (the tenders' joint quantities)
    size = PAGE if kind else 8
    for content_type in content.library_types():  # every type that declares a library section
        if kind and kind != content_type.kind:
            continue
        rows = content_type.library.rows(request.user, params)
        page = Paginator(rows, size).get_page(request.GET.get("page") if kind else 1)
        sections.append({"kind": content_type.kind, "template": content_type.library.template, "page": page})
        if content_type.library.context is not None:
            extra.update(content_type.library.context(rows))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = request.GET.copy()
    for key in ("page", "kind"):
        export_query.pop(key, None)
    return render(
        request,
        "knowledge/library.html",
        {
            "form": form,
            "kind": kind,
            "sections": sections,
            **extra,
            "query": query.urlencode(),
            "export_query": export_query.urlencode(),
            "can_create": bool(_editable_orgs(request.user)) if request.user.is_authenticated else False,
        },
    )


# --- templates -----------------------------------------------------------------------------------


def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_detail(request.user, pk)
    by_stage = []
    for value, name in Stage.choices:
        items = [c for c in template.criteria_list if c.stage == value]
        if items:
            by_stage.append((name, items))
    can_edit = visibility.can_edit(request.user, template)
    fork_orgs = list(_editable_orgs(request.user)) if request.user.is_authenticated else []
    versions = [v.number for v in template.version_list]
    return render(
        request,
        "knowledge/template_detail.html",
        {
            "origin_diff": selectors.origin_comparison(request.user, template),
            "template": template,
            "by_stage": by_stage,
            "can_edit": can_edit,
            "lineage": selectors.lineage(request.user, template),
            "publish_form": forms.PublishForm(),
            "upload_form": forms.UploadForm(),
            "fork_form": forms.ForkForm(
                organisations=fork_orgs,
                versions=versions,
                initial={"version": versions[0] if versions else None},
            )
            if fork_orgs and versions
            else None,
        },
    )


def _template_form_page(request, *, template=None) -> HttpResponse:
    editing = template is not None
    orgs = _editable_orgs(request.user)
    if not editing and not orgs:
        raise PermissionDenied(_("You need an editor role in an organisation to add templates."))
    owners = [template.organisation_id] if editing else [o.pk for o in orgs]
    if request.method == "POST":
        form = forms.TemplateForm(request.POST, organisations=orgs, editing=editing, owners=owners)
        formset = forms.CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            data = form.service_data(formset.criteria())
            try:
                if editing:
                    template = services.template_update(person=request.user, template=template, data=data)
                else:
                    org = next(o for o in orgs if o.slug == form.cleaned_data["organisation"])
                    template = services.template_create(person=request.user, organisation=org, data=data)
            except ValidationError as exc:
                forms.apply_errors(exc, form, formset)
            else:
                messages.success(request, _("Template saved."))
                return redirect(template)
    else:
        if editing:
            initial = {
                "title": template.title,
                "summary": template.summary,
                "procedure": template.procedure,
                "language": template.language,
                "licence": template.licence,
                "visibility": template.visibility,
                "tags": ", ".join(template.tags),
                "cpv_codes": " ".join(c.full_code for c in template.cpv_codes.all()),
                "shared_groups": sharing.initial(template),
            }
            criteria = selectors.criteria_input(template)
        else:
            initial, criteria = {"visibility": "private"}, []
        form = forms.TemplateForm(initial=initial, organisations=orgs, editing=editing, owners=owners)
        formset = forms.CriterionFormSet(initial=criteria, prefix="criteria")
    return render(
        request,
        "knowledge/template_form.html",
        {
            "form": form,
            "formset": formset,
            "sections": forms.criteria_sections(formset),
            "template": template,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    if not visibility.can_edit(request.user, template):
        raise PermissionDenied(_("Only editors of the owning organisation can change this."))
    return _template_form_page(request, template=template)


@login_required
@require_POST
def template_publish(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    form = forms.PublishForm(request.POST)
    if form.is_valid():
        version = services.template_publish(
            person=request.user, template=template, change_note=form.cleaned_data["change_note"]
        )
        messages.success(request, _("Version %(n)s published.") % {"n": version.number})
    else:
        messages.error(request, _("The change note is too long."))
    return redirect(template)


@login_required
@require_POST
def template_fork(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    versions = list(selectors.versions_of(template).values_list("number", flat=True))
    form = forms.ForkForm(request.POST, organisations=_editable_orgs(request.user), versions=versions)
    if not form.is_valid():
        messages.error(request, _("Choose an organisation and a version to fork."))
        return redirect(template)
    version = selectors.version_for(template, form.cleaned_data["version"])
    org = Organisation.objects.get(slug=form.cleaned_data["organisation"])
    fork = services.template_fork(person=request.user, version=version, organisation=org)
    messages.success(request, _("Forked into %(org)s as a private draft.") % {"org": org.name})
    return redirect(fork)


def template_diff(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    numbers = list(selectors.versions_of(template).values_list("number", flat=True))
    try:
        new_n = int(request.GET.get("to") or (numbers[0] if numbers else 0))
        old_n = int(request.GET.get("from") or (new_n - 1))
    except ValueError:
        old_n = new_n = 0
    diff = None
    if old_n in numbers and new_n in numbers:
        diff = diff_versions(selectors.version_for(template, old_n), selectors.version_for(template, new_n))
    return render(
        request,
        "knowledge/template_diff.html",
        {"template": template, "numbers": numbers, "diff": diff, "old_n": old_n, "new_n": new_n},
    )


def template_origin_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """A fork compared with the version it came from (404 if not a fork or the origin is hidden)."""
    template = selectors.template_for(request.user, pk)
    diff = selectors.origin_comparison(request.user, template)
    if diff is None:
        raise Http404
    return render(request, "knowledge/template_origin_diff.html", {"template": template, "diff": diff})


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    form = forms.UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(person=request.user, template=template, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Attachment added."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect(template)


def attachment_download(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    return attachment_response(selectors.attachment_for(request.user, pk, attachment))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    item = selectors.attachment_for(request.user, pk, attachment)
    services.attachment_delete(person=request.user, attachment=item)
    messages.success(request, _("Attachment removed."))
    return redirect(item.template)


# --- lessons -------------------------------------------------------------------------------------


def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = selectors.lesson_for(request.user, pk)
    stage_names = dict(LessonStage.choices)
    return render(
        request,
        "knowledge/lesson_detail.html",
        {
            "lesson": lesson,
            "stages": [stage_names.get(s, s) for s in lesson.stages],
            "related": selectors.lesson_related(request.user, lesson),
            "can_edit": visibility.can_edit(request.user, lesson),
        },
    )


@dataclass(frozen=True)
class _OwnedContentPages:
    """The add and edit pages of a lesson or a planned tender, declared once per type: the form
    carries input into the type's dataclass, the service validates and writes, errors stay on the
    form with what was typed."""

    form_class: Any
    one: Callable[[Any, Any], Any]  # the type's selector: a readable object or 404
    create: Callable[..., Any]
    update: Callable[..., Any]
    keyword: str  # how the update service names the object (``lesson=``, ``tender=``)
    add_title: Any
    edit_title: Any

    def add(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, None)

    def edit(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.one(request.user, pk)
        if not visibility.can_edit(request.user, obj):
            raise PermissionDenied(_("Only editors of the owning organisation can change this."))
        return self._page(request, obj)

    def _page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        editing = obj is not None
        orgs = _editable_orgs(request.user)
        if not editing and not orgs:
            raise PermissionDenied(_("You need an editor role in an organisation to add this."))
        owners = [obj.organisation_id] if editing else [o.pk for o in orgs]
        if request.method != "POST":
            form = self.form_class(initial=_initial(obj), organisations=orgs, editing=editing, owners=owners)
        else:
            form = self.form_class(request.POST, organisations=orgs, editing=editing, owners=owners)
            saved = self._save(request, form, obj, orgs) if form.is_valid() else None
            if saved is not None:
                messages.success(request, _("Saved."))
                return redirect(saved)
        title = self.edit_title if editing else self.add_title
        return render(request, "knowledge/simple_form.html", {"form": form, "object": obj, "title": title})

    def _save(self, request: HttpRequest, form: Any, obj: Any, orgs: list[Organisation]) -> Any:
        try:
            if obj is not None:
                return self.update(person=request.user, data=form.service_data(), **{self.keyword: obj})
            org = next(o for o in orgs if o.slug == form.cleaned_data["organisation"])
            return self.create(person=request.user, organisation=org, data=form.service_data())
        except ValidationError as exc:
            forms.apply_errors(exc, form)
            return None


def _initial(obj) -> dict[str, Any]:
    if obj is None:
        return {"visibility": "private"}
    data = {f: getattr(obj, f) for f in obj.__dict__ if not f.startswith("_")}
    if hasattr(obj, "recommendations"):
        data["recommendations"] = "\n".join(obj.recommendations)
    if hasattr(obj, "tags"):
        data["tags"] = ", ".join(obj.tags)
    if hasattr(obj, "cpv_codes"):
        data["cpv_codes"] = " ".join(c.full_code for c in obj.cpv_codes.all())
    data["shared_groups"] = sharing.initial(obj)
    return data


_LESSON_PAGES = _OwnedContentPages(
    form_class=forms.LessonForm,
    one=selectors.lesson_for,
    create=services.lesson_create,
    update=services.lesson_update,
    keyword="lesson",
    add_title=gettext_lazy("Share a lesson learned"),
    edit_title=gettext_lazy("Edit lesson learned"),
)
lesson_create = login_required(require_http_methods(["GET", "POST"])(_LESSON_PAGES.add))
lesson_edit = login_required(require_http_methods(["GET", "POST"])(_LESSON_PAGES.edit))


# --- planned tenders -----------------------------------------------------------------------------


def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_for(request.user, pk)
    member_peers = [o for o in _member_orgs(request.user) if o.pk != tender.organisation_id]
    peer_orgs = [o for o in member_peers if visibility.can_express_interest_for(request.user, o)]
    form = forms.InterestForm(request.POST or None, organisations=peer_orgs)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            org = next(o for o in peer_orgs if o.slug == form.cleaned_data["organisation"])
            try:
                services.tender_interest_set(
                    person=request.user,
                    tender=tender,
                    organisation=org,
                    note=form.cleaned_data["note"],
                    withdraw="withdraw" in request.POST,
                )
            except ValidationError as exc:
                forms.apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("Your interest is recorded.")
                    if "withdraw" not in request.POST
                    else _("Your interest is withdrawn."),
                )
                return redirect(tender)
    interests = list(selectors.interests_for(request.user, tender))
    my_org_ids = visibility.viewer_for(request.user).organisation_ids
    return render(
        request,
        "knowledge/tender_detail.html",
        {
            "tender": tender,
            "interests": interests,
            "is_owner": tender.organisation_id in my_org_ids,
            # "Withdraw our interest" only once one of my organisations has expressed interest.
            "has_interest": any(i.organisation_id in my_org_ids for i in interests),
            "interest_form": form if peer_orgs else None,
            "interest_needs_role": bool(member_peers) and not peer_orgs,
            "interest_changes": list(selectors.interest_changes_for(request.user, tender)[:50]),
            "can_edit": visibility.can_edit(request.user, tender),
            "templates": list(selectors.templates_visible(request.user).filter(planned_tenders=tender)),
        },
    )


_TENDER_PAGES = _OwnedContentPages(
    form_class=forms.TenderForm,
    one=selectors.tender_for,
    create=services.tender_create,
    update=services.tender_update,
    keyword="tender",
    add_title=gettext_lazy("Announce a planned tender"),
    edit_title=gettext_lazy("Edit planned tender"),
)
tender_create = login_required(require_http_methods(["GET", "POST"])(_TENDER_PAGES.add))
tender_edit = login_required(require_http_methods(["GET", "POST"])(_TENDER_PAGES.edit))


def _json_download(package: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(package, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def tender_ocds(request: HttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_for(request.user, pk)
    return _json_download(
        ocds.release_package([tender], uri=request.build_absolute_uri()), f"tender-{pk}-ocds.json"
    )


def tenders_ocds(request: HttpRequest) -> HttpResponse:
    form = forms.LibraryFilterForm(request.GET or None)
    params = form.params() if request.GET else {}
    tenders = selectors.filter_common(
        selectors.tenders_visible(request.user), params, kind="tender", person=request.user
    )[:1000]
    return _json_download(
        ocds.release_package(tenders, uri=request.build_absolute_uri()), "planned-tenders-ocds.json"
    )
