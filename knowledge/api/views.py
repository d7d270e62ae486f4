"""Thin API views for the library: look up through :mod:`knowledge.selectors` (404 when the object is
not visible), call :mod:`knowledge.services`, serialize. No business rules here."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from knowledge import ocds, selectors, services
from knowledge.api import serializers as s
from knowledge.diff import diff_versions
from knowledge.models import Label, Lesson, PlannedTender, TenderTemplate
from knowledge.models.choices import LANGUAGES, LessonStage, Procedure, Stage, TenderStatus
from members.selectors import organisation_for_write
from network.api.fields import INT32_MAX

# --- filters -------------------------------------------------------------------------------------


class LibraryFilter(django_filters.FilterSet):
    """The library filters; each one defers to :func:`knowledge.selectors.filter_common`."""

    kind = "template"
    cpv = django_filters.CharFilter(method="common", help_text="CPV code or prefix, e.g. 302 or 30213100-6")
    label = django_filters.CharFilter(method="common", help_text="Label slug, e.g. tco-certified")
    stage = django_filters.ChoiceFilter(method="common", choices=LessonStage.choices)
    country = django_filters.CharFilter(
        method="common", help_text="Owner organisation's country (ISO 3166-1 alpha-2)"
    )
    language = django_filters.ChoiceFilter(method="common", choices=LANGUAGES)
    organisation = django_filters.CharFilter(method="common", help_text="Owner organisation slug")

    def common(self, queryset, name: str, value: Any):
        return selectors.filter_common(queryset, {name: value}, kind=self.kind, person=self.request.user)


class TemplateFilter(LibraryFilter):
    procedure = django_filters.ChoiceFilter(method="common", choices=Procedure.choices)
    status = django_filters.ChoiceFilter(method="common", choices=TenderTemplate.Status.choices)
    stage = django_filters.ChoiceFilter(method="common", choices=Stage.choices)

    class Meta:
        model = TenderTemplate
        fields: list[str] = []


class LessonFilter(LibraryFilter):
    kind = "lesson"

    class Meta:
        model = Lesson
        fields: list[str] = []


class TenderFilter(LibraryFilter):
    kind = "tender"
    procedure = django_filters.ChoiceFilter(method="common", choices=Procedure.choices)
    status = django_filters.ChoiceFilter(method="common", choices=TenderStatus.choices)

    class Meta:
        model = PlannedTender
        fields: list[str] = []


# --- helpers -------------------------------------------------------------------------------------


#: A version number as the schema documents it (and the diff refuses anything else with a 400).
VERSION_NUMBER = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}


# --- templates -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Templates visible to you, filtered"),
    retrieve=extend_schema(summary="A template with its criteria"),
)
class TemplateViewSet(viewsets.ModelViewSet):
    """Tender templates. Reads follow the visibility policy; writes need an editor role."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = TemplateFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.templates_visible(self.request.user).prefetch_related("shared_groups")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return s.TemplateWriteSerializer
        if self.action == "retrieve":
            return s.TemplateDetailSerializer
        return s.TemplateSerializer

    def get_object(self) -> TenderTemplate:
        return selectors.template_detail(self.request.user, self.kwargs["pk"])

    def _respond(self, template: TenderTemplate, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.template_detail(self.request.user, template.pk)
        return Response(
            s.TemplateDetailSerializer(fresh, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=s.TemplateWriteSerializer, responses={201: s.TemplateDetailSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._validated(request)
        org = organisation_for_write(request.user, data.pop("organisation", None))
        template = services.template_create(
            person=request.user, organisation=org, data=services.TemplateData.from_mapping(data)
        )
        return self._respond(template, status.HTTP_201_CREATED)

    @extend_schema(request=s.TemplateWriteSerializer, responses=s.TemplateDetailSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        template = self.get_object()
        data = self._validated(request)
        data.pop("organisation", None)
        changed = services.TemplateData.of(template).with_changes(data)  # PATCH: what is not sent stays
        template = services.template_update(person=request.user, template=template, data=changed)
        return self._respond(template)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.template_delete(person=request.user, template=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _validated(self, request: Request) -> dict[str, Any]:
        serializer = s.TemplateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "criteria" in data:
            data["criteria"] = [dict(c) for c in data["criteria"]]
        return data

    # versions

    @extend_schema(methods=["GET"], responses=s.VersionSerializer(many=True), summary="Version history")
    @extend_schema(
        methods=["POST"], request=s.PublishSerializer, responses={201: s.VersionSerializer}, summary="Publish"
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        if request.method == "POST":
            body = s.PublishSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            version = services.template_publish(
                person=request.user, template=template, change_note=body.validated_data["change_note"]
            )
            return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)
        return Response(s.VersionSerializer(selectors.versions_of(template), many=True).data)

    @extend_schema(responses=s.VersionDetailSerializer, summary="One version with its snapshot")
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)", filterset_class=None)
    def version(self, request: Request, pk: str, number: str) -> Response:
        template = selectors.template_for(request.user, pk)
        return Response(s.VersionDetailSerializer(selectors.version_for(template, number)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", VERSION_NUMBER, required=True, description="Older version number"),
            OpenApiParameter("to", VERSION_NUMBER, required=True, description="Newer version number"),
        ],
        responses=s.DiffSerializer,
        summary="Compare two versions",
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def diff(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        numbers = {}
        for name in ("from", "to"):
            value = request.query_params.get(name, "")
            if not (value.isdigit() and 1 <= int(value[:10]) <= INT32_MAX and len(value) <= 10):
                raise ValidationError({name: [_("Give a version number.")]})
            numbers[name] = value
        old = selectors.version_for(template, numbers["from"])
        new = selectors.version_for(template, numbers["to"])
        return Response(diff_versions(old, new))

    @extend_schema(
        responses={200: s.OriginDiffSerializer},
        summary="Compare a fork with the version it came from",
        description="404 when the template is not a fork, or its origin is not visible to you.",
    )
    @action(detail=True, methods=["get"], url_path="origin-diff", filterset_class=None)
    def origin_diff(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        diff = selectors.origin_comparison(request.user, template)
        if diff is None:
            raise Http404
        origin = diff.pop("origin_template")
        diff["origin"] = {"id": origin.pk, "title": origin.title, "version": diff.pop("from")}
        diff.pop("to", None)
        return Response(diff)

    @extend_schema(
        request=s.ForkSerializer, responses={201: s.TemplateDetailSerializer}, summary="Fork a version"
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def fork(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        body = s.ForkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.version_to_fork(template, body.validated_data.get("version"))
        org = organisation_for_write(request.user, body.validated_data["organisation"])
        fork = services.template_fork(
            person=request.user, version=version, organisation=org, title=body.validated_data.get("title")
        )
        return self._respond(fork, status.HTTP_201_CREATED)

    @extend_schema(responses=s.LineageSerializer, summary="Ancestors and forks you may see")
    @action(detail=True, methods=["get"], filterset_class=None)
    def lineage(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        return Response(s.LineageSerializer(selectors.lineage(request.user, template)).data)

    @extend_schema(methods=["GET"], responses=s.AttachmentSerializer(many=True), summary="Attachments")
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
        summary="Upload a PDF, DOCX, ODT, XLSX or ODS",
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def attachments(self, request: Request, pk: str) -> Response:
        template = selectors.template_for(request.user, pk)
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Choose a file to upload.")]})
            attachment = services.attachment_add(person=request.user, template=template, upload=upload)
            return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        return Response(s.AttachmentSerializer(template.attachments.all(), many=True).data)

    @extend_schema(
        methods=["GET"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download",
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, summary="Remove an attachment")
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"attachments/(?P<attachment>\d+)",
        filterset_class=None,
    )
    def attachment(self, request: Request, pk: str, attachment: str):
        item = selectors.attachment_for(request.user, pk, attachment)
        if request.method == "DELETE":
            services.attachment_delete(person=request.user, attachment=item)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return attachment_response(item)


def attachment_response(item) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- lessons, labels, tenders --------------------------------------------------------------------


class _OwnedContentViewSet(viewsets.ModelViewSet):
    """Lessons and planned tenders alike: reads through the type's selectors (the policy), writes
    through its services; the write serializer only parses, the service validates (one layer)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_serializer: Any
    write_serializer: Any
    #: ``visible(person)`` and ``one(person, pk)``: the type's selectors.
    visible: Any
    one: Any
    #: the type's typed input, services and the keyword they name the object by (``lesson=``).
    data_class: Any
    create_service: Any
    update_service: Any
    delete_service: Any
    object_keyword = ""

    def get_queryset(self):
        return self.visible(self.request.user).prefetch_related("shared_groups")

    def get_serializer_class(self):
        return self.write_serializer if self.action in ("create", "partial_update") else self.read_serializer

    def get_object(self) -> Any:
        return self.one(self.request.user, self.kwargs["pk"])

    def _validated(self, request: Request) -> dict[str, Any]:
        body = self.write_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._validated(request)
        org = organisation_for_write(request.user, data.pop("organisation", None))
        made = self.create_service(
            person=request.user, organisation=org, data=self.data_class.from_mapping(data)
        )
        fresh = self.one(request.user, made.pk)
        return Response(self.read_serializer(fresh, context={"request": request}).data, status=201)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        obj = self.get_object()
        data = self._validated(request)
        data.pop("organisation", None)
        changed = self.data_class.of(obj).with_changes(data)  # PATCH: what is not sent stays
        self.update_service(person=request.user, data=changed, **{self.object_keyword: obj})
        fresh = self.one(request.user, obj.pk)
        return Response(self.read_serializer(fresh, context={"request": request}).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        self.delete_service(person=request.user, **{self.object_keyword: self.get_object()})
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(request=s.LessonWriteSerializer, responses={201: s.LessonSerializer}),
    partial_update=extend_schema(request=s.LessonWriteSerializer, responses=s.LessonSerializer),
)
class LessonViewSet(_OwnedContentViewSet):
    """Lessons learned. Reads follow the visibility policy; writes need an editor role."""

    filterset_class = LessonFilter
    read_serializer = s.LessonSerializer
    write_serializer = s.LessonWriteSerializer
    visible = staticmethod(selectors.lessons_visible)
    one = staticmethod(selectors.lesson_for)
    data_class = services.LessonData
    create_service = staticmethod(services.lesson_create)
    update_service = staticmethod(services.lesson_update)
    delete_service = staticmethod(services.lesson_delete)
    object_keyword = "lesson"


class LabelViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of labels, certifications and independent monitoring schemes (public)."""

    serializer_class = s.LabelSerializer
    queryset = Label.objects.all()
    lookup_field = "slug"
    filterset_fields = ["kind"]


@extend_schema_view(
    create=extend_schema(request=s.TenderWriteSerializer, responses={201: s.TenderSerializer}),
    partial_update=extend_schema(request=s.TenderWriteSerializer, responses=s.TenderSerializer),
)
class TenderViewSet(_OwnedContentViewSet):
    """Planned tenders: the shared tender calendar. Reads follow the policy; writes need an editor."""

    filterset_class = TenderFilter
    read_serializer = s.TenderSerializer
    write_serializer = s.TenderWriteSerializer
    visible = staticmethod(selectors.tenders_visible)
    one = staticmethod(selectors.tender_for)
    data_class = services.TenderData
    create_service = staticmethod(services.tender_create)
    update_service = staticmethod(services.tender_update)
    delete_service = staticmethod(services.tender_delete)
    object_keyword = "tender"

    @extend_schema(methods=["GET"], responses=s.InterestSerializer(many=True), summary="Interest you may see")
    @extend_schema(methods=["POST"], request=s.InterestWriteSerializer, responses={200: s.InterestSerializer})
    @extend_schema(methods=["DELETE"], request=s.InterestWriteSerializer, responses={204: None})
    @action(
        detail=True,
        methods=["get", "post", "delete"],
        filterset_class=None,
        pagination_class=None,
        permission_classes=[permissions.IsAuthenticated],
    )
    def interest(self, request: Request, pk: str) -> Response:
        tender = self.get_object()
        if request.method == "GET":
            return Response(
                s.InterestSerializer(selectors.interests_for(request.user, tender), many=True).data
            )
        body = s.InterestWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        org = organisation_for_write(request.user, body.validated_data.get("organisation"))
        result = services.tender_interest_set(
            person=request.user,
            tender=tender,
            organisation=org,
            note=body.validated_data["note"],
            withdraw=request.method == "DELETE",
        )
        if result is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.InterestSerializer(result).data)

    @extend_schema(
        responses=s.InterestChangeSerializer(many=True),
        summary="Who expressed, changed or withdrew interest (owner: all; others: their own)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="interest/history",
        filterset_class=None,
        pagination_class=None,
        permission_classes=[permissions.IsAuthenticated],
    )
    def interest_history(self, request: Request, pk: str) -> Response:
        tender = self.get_object()
        changes = selectors.interest_changes_for(request.user, tender)[:200]
        return Response(s.InterestChangeSerializer(changes, many=True).data)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="OCDS 1.1 release package for this tender")
    @action(detail=True, methods=["get"], filterset_class=None)
    def ocds(self, request: Request, pk: str) -> Response:
        tender = self.get_object()
        package = ocds.release_package([tender], uri=request.build_absolute_uri())
        return Response(
            package, headers={"Content-Disposition": f'inline; filename="tender-{tender.pk}-ocds.json"'}
        )

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="OCDS 1.1 release package for the filtered list",
        operation_id="v1_tenders_ocds_list_export",
    )
    @action(detail=False, methods=["get"], url_path="ocds", pagination_class=None)
    def ocds_list(self, request: Request) -> Response:
        tenders = self.filter_queryset(self.get_queryset())[:1000]
        return Response(ocds.release_package(tenders, uri=request.build_absolute_uri()))


class CpvViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Look up CPV codes by code prefix or by words in the interface language (for pickers).

    Words go through the search analysis chain, against the English labels and the everyday names
    of common ICT codes in English, Finnish and Swedish: ``?q=laptop``, ``?q=kannettavat`` and
    ``?q=bärbara datorer`` all find 30213100-6 (see :mod:`network.search.cpv`).
    """

    serializer_class = s.CpvSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Code prefix, or words in the interface language (Accept-Language)"
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        from knowledge.models import CpvCode

        q = (self.request.query_params.get("q") or "").strip()
        qs = CpvCode.objects.all()
        if q:
            digits = q.split("-")[0]
            if digits.isdigit():
                return qs.filter(code__startswith=digits)
            from django.utils.translation import get_language

            from network.search.cpv import find_codes
            from network.search.text import normalise_language

            return find_codes(q[:200], normalise_language(get_language()), qs)
        return qs
