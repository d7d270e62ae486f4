"""The resource centre: guides, reports, model clauses, tools and links buyers share.

Procura+, the EU Public Buyers Community Platform and TCO Certified each keep a library like this.
The whole type lives in this one module and declares itself once (:func:`register_types`, called
from ``knowledge.content``): the model, typed input validated by the model's own rules, services,
selectors, HTML pages, the API, its search index, dashboard section, notification and demo data.
Every read starts from ``Resource.objects.visible_to``; a file is only ever served through
:func:`download` after the same check, and another tenant's private resource is a 404.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from knowledge.models.choices import LANGUAGES
from knowledge.models.vocabulary import CpvCode, Label
from members.selectors import organisation_for_write
from network import capabilities, sharing, validation, visibility
from network.api.fields import (
    CpvCodesInput,
    ModelChoiceInput,
    ModelTextInput,
    SharedGroupsInput,
    SharedGroupsOutput,
)

RESOURCE_SHARED = "resource.shared"
ALLOWED_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".txt", ".csv"}


class Resource(visibility.TenantOwned):
    """A guide, report, model clause, tool or link, owned by one organisation."""

    class Kind(models.TextChoices):
        GUIDE = "guide", gettext_lazy("Guide")
        REPORT = "report", gettext_lazy("Report")
        MODEL_CLAUSE = "model_clause", gettext_lazy("Model clause")
        TOOL = "tool", gettext_lazy("Tool")
        LINK = "link", gettext_lazy("Link")

    title = models.CharField(gettext_lazy("title"), max_length=200)
    summary = models.TextField(gettext_lazy("summary"), blank=True, max_length=5000)
    kind = models.CharField(gettext_lazy("kind"), max_length=20, choices=Kind.choices, default=Kind.GUIDE)
    url = models.URLField(gettext_lazy("link"), blank=True, max_length=500)
    attachment = models.FileField(gettext_lazy("attachment"), upload_to="resources/%Y/", blank=True)
    language = models.CharField(gettext_lazy("language"), max_length=2, choices=LANGUAGES, default="en")
    cpv_codes = models.ManyToManyField(CpvCode, blank=True, related_name="resources")
    labels = models.ManyToManyField(Label, blank=True, related_name="resources")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "knowledge"
        ordering = ["-created_at", "-pk"]
        verbose_name = gettext_lazy("resource")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", kwargs={"pk": self.pk})

    #: The one rule across fields, declared once (:meth:`clean` checks it, the API schema states it):
    #: a resource points somewhere, a link or a file.
    FIELD_RULES = (
        validation.AnyOf(("url", "attachment"), message=gettext_lazy("Give a link or attach a file.")),
    )

    def clean(self) -> None:
        errors = validation.broken_rules(self, self.FIELD_RULES)
        if errors:
            raise ValidationError(errors)
        name = getattr(self.attachment, "name", "") or ""
        if name and os.path.splitext(name)[1].lower() not in ALLOWED_EXTENSIONS:
            raise ValidationError({"attachment": _("Attach a PDF, office document, text or CSV file.")})
        if self.attachment and getattr(self.attachment, "size", 0) > settings.MAX_UPLOAD_SIZE:
            raise ValidationError({"attachment": _("The file is too large.")})


# --- input, services ----------------------------------------------------------------------------


@dataclass
class ResourceData:
    """Typed input of a write; forms, the API and the demo loader all build one of these."""

    title: str = ""
    kind: str = Resource.Kind.GUIDE
    summary: str = ""
    url: str = ""
    attachment: Any = None
    language: str = "en"
    visibility: str = visibility.Visibility.PRIVATE
    cpv_codes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    #: With visibility ``group``: the working groups (slugs or objects) whose member organisations
    #: may read it; ``None`` leaves an existing resource's groups as they are.
    shared_groups: list[Any] | None = None


def _vocabulary(data: ResourceData) -> tuple[list[CpvCode], list[Label]]:
    from knowledge import cpv

    errors: dict[str, list[str]] = {}
    codes: list[CpvCode] = []
    try:
        codes = cpv.validate_cpv_codes(data.cpv_codes or [])
    except ValidationError as exc:
        errors["cpv_codes"] = exc.messages
    labels = list(Label.objects.filter(slug__in=data.labels or []))
    if len(labels) != len(set(data.labels or [])):
        errors["labels"] = [validation.conflicting(_("Unknown label."))]  # rows staff keep: state (409)
    if errors:
        raise ValidationError(errors)
    return codes, labels


def _save(resource: Resource, data: ResourceData) -> Resource:
    for name in ("title", "kind", "summary", "url", "language", "visibility"):
        setattr(resource, name, (getattr(data, name) or "").strip())
    if data.attachment is not None:
        resource.attachment = data.attachment
    errors: dict[str, list[str]] = {}
    codes: list[CpvCode] = []
    labels: list[Label] = []
    groups = sharing.resolve(resource, data.shared_groups, errors)
    try:
        codes, labels = _vocabulary(data)
    except ValidationError as exc:
        validation.merge(errors, exc)
    try:
        resource.full_clean(exclude=["organisation", "created_by"])  # the model's own rules, once
    except ValidationError as exc:
        validation.merge(errors, exc)
    if errors:  # every problem at once, so a form shows them all
        raise ValidationError(errors)
    with transaction.atomic():
        resource.save()
        resource.cpv_codes.set(codes)
        resource.labels.set(labels)
        if groups is not None:
            resource.shared_groups.set(groups)
    return resource


def resource_create(*, person: Any, organisation: Any, data: ResourceData) -> Resource:
    if not visibility.can_create_in(person, organisation):
        raise PermissionDenied(_("Only owners, admins and editors of the organisation can do this."))
    with transaction.atomic():
        resource = _save(Resource(organisation=organisation, created_by=person), data)
        notify_shared(resource, actor=person)
    return resource


def resource_update(*, person: Any, resource: Resource, data: ResourceData) -> Resource:
    if not capabilities.content_capabilities(person, resource).can_edit:
        raise PermissionDenied(_("Only editors of the owning organisation can change this."))
    return _save(resource, data)


def resource_delete(*, person: Any, resource: Resource) -> None:
    if not capabilities.content_capabilities(person, resource).can_delete:
        raise PermissionDenied(_("Only editors of the owning organisation can change this."))
    with transaction.atomic():
        if resource.attachment:
            resource.attachment.delete(save=False)
        resource.delete()


def notify_shared(resource: Resource, *, actor: Any) -> None:
    """People of other organisations in the working groups a resource is shared with hear of it."""
    from members.models import GroupMembership, Person
    from network.notifications import notify

    if resource.visibility != visibility.Visibility.GROUP or resource.pk is None:
        return
    group_ids = list(resource.shared_groups.values_list("pk", flat=True))
    org_ids = set(
        GroupMembership.objects.filter(
            group_id__in=group_ids, status=GroupMembership.Status.APPROVED
        ).values_list("organisation_id", flat=True)
    ) - {resource.organisation_id}
    people = Person.objects.filter(is_active=True, memberships__organisation_id__in=org_ids).distinct()
    notify(
        [p for p in people if visibility.can_read(p, resource)],
        kind=RESOURCE_SHARED,
        title=_("A resource was shared with your working group: “%(title)s”") % {"title": resource.title},
        body=resource.summary[:500],
        url=resource.get_absolute_url(),
        actor=actor,
    )


# --- selectors ----------------------------------------------------------------------------------


def resources_visible(person: Any, *, kind: str = "", language: str = "", cpv: str = "", label: str = ""):
    rows = Resource.objects.visible_to(person).select_related("organisation").prefetch_related("labels")
    if kind:
        rows = rows.filter(kind=kind)
    if language:
        rows = rows.filter(language=language)
    if cpv.split("-")[0].isdigit():
        rows = rows.filter(cpv_codes__code__startswith=cpv.split("-")[0]).distinct()
    if label:
        rows = rows.filter(labels__slug=label).distinct()
    return rows


#: Library filters a resource has no value for: asking for one of them matches no resource.
_NOT_A_RESOURCE_FILTER = ("stage", "procedure", "status")


def library_rows(person: Any, params: dict[str, Any]):
    """The library's section: readable resources under the library's common filters."""
    if any(params.get(name) for name in _NOT_A_RESOURCE_FILTER):
        return Resource.objects.none()
    rows = resources_visible(
        person,
        language=params.get("language", ""),
        cpv=params.get("cpv", ""),
        label=params.get("label", ""),
    )
    if params.get("country"):
        rows = rows.filter(organisation__country=params["country"])
    if params.get("organisation"):
        rows = rows.filter(organisation__slug=params["organisation"])
    return rows


def resource_for(person: Any, pk: Any) -> Resource:
    """One readable resource or 404 (another tenant's private one looks exactly like a missing one)."""
    try:
        return resources_visible(person).prefetch_related("cpv_codes", "shared_groups").get(pk=int(pk))
    except (Resource.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def dashboard_section(s: Any) -> Any:
    """New resources from my organisations, my working groups' members and the network."""
    from network.dashboard import selectors as dashboard

    if not (s.org_ids or s.group_ids):
        return None
    rows = (
        Resource.objects.visible_to(s.person)
        .filter(created_at__gte=s.since)
        .filter(Q(organisation_id__in=s.network_org_ids) | Q(shared_groups__in=s.group_ids))
        .select_related("organisation")
        .distinct()[: dashboard.LIMIT]
    )
    items = [
        dashboard.Item(r.title, r.get_absolute_url(), r.created_at, r.get_kind_display(), r.organisation.name)
        for r in rows
    ]
    return dashboard.Section("resources", _("New resources"), items, _("No new resources in your network."))


# --- HTML pages ---------------------------------------------------------------------------------


def resource_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Resource.Kind.values else ""
    rows = resources_visible(request.user, kind=kind, cpv=request.GET.get("cpv", ""))
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    can_create = (
        bool(visibility.editor_organisation_ids(request.user)) if request.user.is_authenticated else False
    )
    context = {"page": page, "kind": kind, "kinds": Resource.Kind.choices, "can_create": can_create}
    return render(request, "knowledge/resources.html", context)


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_for(request.user, pk)
    caps = capabilities.content_capabilities(request.user, resource)
    return render(request, "knowledge/resources.html", {"resource": resource, "caps": caps})


class ResourceForm(forms.Form):
    """The create and edit page's form; it only parses into :class:`ResourceData` (the service and
    the model validate, and their messages land on these fields)."""

    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Resource.Kind.choices)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    url = forms.CharField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        help_text=gettext_lazy("A web address starting with https://; or attach a file below."),
    )
    attachment = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("PDF, office document, text or CSV."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=visibility.Visibility.choices
    )
    shared_groups = sharing.SharedGroupsField()
    cpv_codes = forms.CharField(
        label=gettext_lazy("CPV codes"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("e.g. 30213100-6 48000000-8, separated by spaces"),
    )
    labels = forms.MultipleChoiceField(
        label=gettext_lazy("Labels"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, organisations: Any = (), editing: bool = False, owners: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [(o.slug, o.name) for o in organisations]
        sharing.offer(self, owners)
        labels = [(lb.slug, lb.name) for lb in Label.objects.order_by("name")]
        if labels:
            self.fields["labels"].choices = labels
        else:  # a network without labels yet: no empty group of checkboxes
            del self.fields["labels"]

    def resource_data(self) -> ResourceData:
        values = self.cleaned_data
        return ResourceData(
            title=values["title"],
            kind=values["kind"],
            summary=values["summary"],
            url=values["url"],
            attachment=values["attachment"] or None,
            language=values["language"],
            visibility=values["visibility"],
            cpv_codes=values["cpv_codes"].replace(",", " ").split(),
            labels=list(values.get("labels") or []),
            shared_groups=sharing.named(self),
        )


def _initial(resource: Resource | None, language: str = "en") -> dict[str, Any]:
    if resource is None:  # a new resource is most often in the language the person reads the site in
        known = {code for code, _label in LANGUAGES}
        return {
            "visibility": visibility.Visibility.NETWORK,
            "kind": Resource.Kind.GUIDE,
            "language": language if language in known else "en",
        }
    return {
        "title": resource.title,
        "kind": resource.kind,
        "summary": resource.summary,
        "url": resource.url,
        "language": resource.language,
        "visibility": resource.visibility,
        "cpv_codes": " ".join(c.full_code for c in resource.cpv_codes.all()),
        "labels": [lb.slug for lb in resource.labels.all()],
        "shared_groups": sharing.initial(resource),
    }


def _form_page(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    """Create (``resource`` None) or edit: the form, the service, errors kept on the form."""
    from members.selectors import editable_organisations

    organisations = list(editable_organisations(request.user)) if resource is None else []
    if resource is None and not organisations:
        raise PermissionDenied(_("You need an editor role in an organisation to add this."))
    editing = resource is not None
    owners = [resource.organisation_id] if editing else [o.pk for o in organisations]
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisations,
        editing=editing,
        owners=owners,
        initial=_initial(resource, (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if editing:
                    saved = resource_update(person=request.user, resource=resource, data=form.resource_data())
                else:
                    owner = next(o for o in organisations if o.slug == form.cleaned_data["organisation"])
                    saved = resource_create(
                        person=request.user, organisation=owner, data=form.resource_data()
                    )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("Saved."))
                return redirect(saved)
        status = 400
    title = _("Edit the resource") if editing else _("Add a resource")
    context = {"form": form, "form_title": title, "resource_edited": resource}
    return render(request, "knowledge/resources.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_for(request.user, pk)
    if not capabilities.content_capabilities(request.user, resource).can_edit:
        raise PermissionDenied(_("Only editors of the owning organisation can change this."))
    return _form_page(request, resource)


@login_required
@require_POST
def resource_remove(request: HttpRequest, pk: int) -> HttpResponse:
    resource_delete(person=request.user, resource=resource_for(request.user, pk))
    messages.success(request, _("The resource was deleted."))
    return redirect("resources:list")


def download(request: HttpRequest, pk: int) -> FileResponse:
    resource = resource_for(request.user, pk)
    if not resource.attachment:
        raise Http404
    try:
        handle = resource.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = os.path.basename(resource.attachment.name)
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", resource_list, name="list"),
    path("new/", resource_new, name="new"),
    path("<int:pk>/", resource_detail, name="detail"),
    path("<int:pk>/edit/", resource_edit, name="edit"),
    path("<int:pk>/delete/", resource_remove, name="delete"),
    path("<int:pk>/download/", download, name="download"),
]


# --- API ----------------------------------------------------------------------------------------


class ResourceSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cpv_codes = serializers.SlugRelatedField(slug_field="full_code", many=True, read_only=True)
    labels = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    shared_groups = SharedGroupsOutput()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = ["id", "title", "summary", "kind", "url", "download_url", "language", "visibility"]
        fields += ["shared_groups", "cpv_codes", "labels", "organisation", "created_at", "updated_at"]
        read_only_fields = fields

    def get_download_url(self, obj: Resource) -> str | None:
        return reverse("resources:download", kwargs={"pk": obj.pk}) if obj.attachment else None


class ResourceWriteSerializer(serializers.Serializer):
    """Parses the body into :class:`ResourceData`; the service validates with the model's rules (one
    layer), which the schema states (``ModelTextInput``, ``ModelChoiceInput``, ``field_rules``)."""

    field_rules = Resource.FIELD_RULES

    organisation = serializers.SlugField(required=False, help_text="Owner (needed if you edit for several)")
    title = ModelTextInput(Resource, "title")
    kind = ModelChoiceInput(choices=Resource.Kind.choices, default=Resource.Kind.GUIDE)
    summary = ModelTextInput(Resource, "summary", default="")
    url = ModelTextInput(Resource, "url", default="")
    language = ModelChoiceInput(choices=LANGUAGES, default="en")
    visibility = ModelChoiceInput(
        choices=visibility.Visibility.choices, default=visibility.Visibility.PRIVATE
    )
    cpv_codes = CpvCodesInput(default=list)
    labels = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    shared_groups = SharedGroupsInput()


class ResourceUploadSerializer(ResourceWriteSerializer):
    """The same with a file: a multipart body (JSON cannot carry one)."""

    attachment = serializers.FileField(required=False, allow_null=True, default=None)


#: JSON bodies link (``url``); multipart bodies may attach a file instead.
_RESOURCE_BODY = {
    "application/json": ResourceWriteSerializer,
    "multipart/form-data": ResourceUploadSerializer,
}


_RESOURCE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The resource's id.")


class ResourceFilterSerializer(serializers.Serializer):
    """The list's filters: a value outside the documented choices is refused, never ignored."""

    kind = serializers.ChoiceField(choices=Resource.Kind.values, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=[code for code, _label in LANGUAGES], required=False, allow_blank=True
    )


@extend_schema_view(
    retrieve=extend_schema(parameters=[_RESOURCE_ID]),
    partial_update=extend_schema(
        parameters=[_RESOURCE_ID], request=_RESOURCE_BODY, responses=ResourceSerializer
    ),
    destroy=extend_schema(parameters=[_RESOURCE_ID]),
)
class ResourceViewSet(viewsets.ViewSet):
    """Resources. Reads follow the visibility policy; writes need an editor role of the owner."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = ResourceSerializer
    # the project's paginator (a plain ViewSet has none); drf-spectacular reads it to describe the page
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Resource.Kind.values),
            OpenApiParameter("language", str, enum=[code for code, _label in LANGUAGES]),
        ]
    )
    def list(self, request: Request) -> Response:
        filters = ResourceFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)  # an unknown kind or language is a 400, not "no filter"
        q = filters.validated_data
        rows = resources_visible(request.user, kind=q.get("kind", ""), language=q.get("language", ""))
        rows = rows.prefetch_related("cpv_codes", "shared_groups")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            ResourceSerializer(page, many=True, context={"request": request}).data
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ResourceSerializer(resource_for(request.user, pk), context={"request": request}).data)

    def _data(self, request: Request) -> tuple[str | None, ResourceData]:
        body = ResourceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        return values.pop("organisation", None), ResourceData(**values)

    @extend_schema(request=_RESOURCE_BODY, responses={201: ResourceSerializer})
    def create(self, request: Request) -> Response:
        slug, data = self._data(request)
        resource = resource_create(
            person=request.user, organisation=organisation_for_write(request.user, slug), data=data
        )
        return Response(
            ResourceSerializer(resource_for(request.user, resource.pk), context={"request": request}).data,
            status=201,
        )

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        resource = resource_for(request.user, pk)
        current = {
            f: getattr(resource, f) for f in ("title", "kind", "summary", "url", "language", "visibility")
        }
        current["cpv_codes"] = [c.full_code for c in resource.cpv_codes.all()]
        current["labels"] = [lb.slug for lb in resource.labels.all()]
        incoming = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
        body = ResourceUploadSerializer(data={**current, **incoming})
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        values.pop("organisation", None)
        resource_update(person=request.user, resource=resource, data=ResourceData(**values))
        return Response(
            ResourceSerializer(resource_for(request.user, resource.pk), context={"request": request}).data
        )

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        resource_delete(person=request.user, resource=resource_for(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- demo data ----------------------------------------------------------------------------------

DEMO = [
    (
        "helsinki",
        "Procura+ Manual: a guide to implementing sustainable procurement",
        "guide",
        "en",
        "https://procuraplus.org/manual/",
        "The ICLEI network's step-by-step manual, with ICT examples.",
    ),
    (
        "helsinki",
        "EU GPP criteria for computers, monitors, tablets and smartphones",
        "model_clause",
        "en",
        "https://green-business.ec.europa.eu/green-public-procurement/gpp-criteria-and-requirements_en",
        "Selection, technical and award criteria and contract clauses ready to copy into a tender.",
    ),
    (
        "malmo",
        "TCO Certified: criteria documents and verification",
        "tool",
        "en",
        "https://tcocertified.com/criteria/",
        "Sustainability certification for IT products; criteria per product type.",
    ),
    (
        "malmo",
        "Electronics Watch: contract conditions for public buyers",
        "model_clause",
        "en",
        "https://electronicswatch.org/en/contract-conditions_2549390",
        "Model clauses on labour rights in supply chains.",
    ),
]


def load_demo(stdout: Any) -> None:
    """Idempotent: keyed on (organisation, title)."""
    from members.models import Organisation

    made = 0
    for org_slug, title, kind, language, url, summary in DEMO:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None or Resource.objects.filter(organisation=organisation, title=title).exists():
            continue
        data = ResourceData(
            title=title, kind=kind, summary=summary, url=url, language=language, visibility="public"
        )
        _save(Resource(organisation=organisation), data)
        made += 1
    stdout.write(f"Resource centre: {made} resources\n")


# --- the declaration ----------------------------------------------------------------------------


def register_types() -> None:
    from network.content import ContentType, LibrarySection, register
    from network.notification_kinds import register_kind
    from network.search.spec import SearchIndex

    register_kind(RESOURCE_SHARED, category="other")
    register(
        ContentType(
            kind="resource",
            model="knowledge.Resource",
            label=gettext_lazy("Resources"),
            search_type="resource",
            search_index=SearchIndex(
                model="knowledge.Resource",
                type="resource",
                type_label=gettext_lazy("Resource"),
                title="title",
                fields=[("summary", "B"), ("get_kind_display", "C")],
                language="language",
                date="updated_at",
                facets={"label": lambda r: [(lb.slug, lb.name) for lb in r.labels.all()]},
                prefetch_related=["labels"],
            ),
            dashboard=(dashboard_section,),
            dashboard_order=45,
            library=LibrarySection(library_rows, "knowledge/library/resource.html", order=40),
            urls=("resources/", (urlpatterns, "resources")),
            api_routes=(("resources", ResourceViewSet, "knowledge-resource"),),
            demo=load_demo,
            notification_kinds=(RESOURCE_SHARED,),
        )
    )
