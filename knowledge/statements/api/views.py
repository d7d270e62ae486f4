"""The statements API: thin views that parse input, call services/selectors and format output.

Reads go through :func:`selectors.statement_for` (another tenant's draft answers 404, exactly like a
missing one); writes go through :mod:`knowledge.statements.services`, whose refusals map to JSON
errors here: ``PermissionDenied`` → 403, ``ValidationError`` → 400 with field errors,
:class:`StatementConflict` → 409, :class:`IdempotencyMismatch` → 422.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from knowledge.statements import exports, selectors, services
from knowledge.statements.api import serializers as s
from knowledge.statements.models import AuditEntry, Signature, Statement, StatementStatus, StatementVersion
from members.selectors import organisations_nameable

ERRORS = {
    400: OpenApiResponse(s.StatementErrorSerializer, description="Invalid input (field errors in `errors`)."),
    403: OpenApiResponse(s.StatementErrorSerializer, description="Visible, but you may not do this."),
    404: OpenApiResponse(s.StatementErrorSerializer, description="No such statement, or not visible to you."),
}
CONFLICT = {
    409: OpenApiResponse(
        s.StatementConflictSerializer, description="The statement's state does not allow this."
    )
}
SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The statement's slug.")


class StatementAPIView(generics.GenericAPIView):
    """Resolves the statement once through the visibility policy and maps service refusals to JSON."""

    lookup_field = "slug"

    def get_statement(self) -> Statement:
        if not hasattr(self, "_statement"):
            self._statement = selectors.statement_for(self.request.user, self.kwargs["slug"])
        return self._statement

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.StatementError):
            body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
            if isinstance(exc, services.AlreadySigned):
                caps = selectors.statement_capabilities(self.request.user, exc.signature.statement)
                body["signature"] = s.SignatureSerializer(exc.signature, context={"caps": caps}).data
            return Response(body, status=exc.status)
        return super().handle_exception(exc)

    def sig_context(self) -> dict[str, Any]:
        caps = selectors.statement_capabilities(self.request.user, self.get_statement())
        return {"caps": caps, "request": self.request}


class StatementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=StatementStatus.choices, method="filter_status", help_text="The status as it is today."
    )
    issuer = django_filters.CharFilter(field_name="issuers__slug", label="Issuing organisation (slug)")

    class Meta:
        model = Statement
        fields = ["status", "issuer"]

    def filter_status(self, queryset, name: str, value: str):
        return queryset.with_status(value)


@extend_schema_view(
    get=extend_schema(summary="Statements you may read, open ones first", tags=["statements"]),
    post=extend_schema(
        summary="Draft a statement",
        request=s.StatementCreateSerializer,
        responses={201: s.StatementDetailSerializer, **ERRORS},
        tags=["statements"],
    ),
)
class StatementListView(StatementAPIView, generics.ListCreateAPIView):
    serializer_class = s.StatementListSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        return (
            selectors.statements_visible_to(self.request.user)
            .select_related("current_version")
            .prefetch_related("shared_groups")
        )

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.StatementCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        statement = services.statement_create(
            person=request.user,
            organisation=v["organisation"],
            data=services.StatementData.from_mapping(
                {**v, "demands": [dict(d) for d in v.get("demands", [])]}
            ),
        )
        statement = selectors.statement_for(request.user, statement.slug)
        return Response(
            s.StatementDetailSerializer(statement, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    get=extend_schema(
        summary="A statement",
        responses={200: s.StatementDetailSerializer, 404: ERRORS[404]},
        tags=["statements"],
    ),
    patch=extend_schema(
        summary="Edit a statement (a published one gets a new version when its text changes)",
        request=s.StatementUpdateSerializer,
        responses={200: s.StatementDetailSerializer, **ERRORS},
        tags=["statements"],
    ),
)
class StatementDetailView(StatementAPIView):
    serializer_class = s.StatementDetailSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request: Request, slug: str) -> Response:
        return Response(s.StatementDetailSerializer(self.get_statement(), context={"request": request}).data)

    def patch(self, request: Request, slug: str) -> Response:
        statement = self.get_statement()
        data = s.StatementUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        change_note = fields.pop("change_note", "")
        if "demands" in fields:
            fields["demands"] = [dict(d) for d in fields["demands"]]
        changed = services.StatementData.of(statement).with_changes(fields)  # PATCH: what is not sent stays
        services.statement_update(
            person=request.user, statement=statement, data=changed, change_note=change_note
        )
        return Response(
            s.StatementDetailSerializer(
                selectors.statement_for(request.user, slug), context={"request": request}
            ).data
        )


class _Transition(StatementAPIView):
    serializer_class = s.StatementDetailSerializer
    permission_classes = [permissions.IsAuthenticated]
    service = staticmethod(services.statement_open)

    @extend_schema(
        request=None, responses={200: s.StatementDetailSerializer, **ERRORS, **CONFLICT}, tags=["statements"]
    )
    def post(self, request: Request, slug: str) -> Response:
        type(self).service(person=request.user, statement=self.get_statement())
        return Response(
            s.StatementDetailSerializer(
                selectors.statement_for(request.user, slug), context={"request": request}
            ).data
        )


class StatementOpenView(_Transition):
    """Open a draft for signature (issuers' owners, admins, editors). It becomes public."""

    service = staticmethod(services.statement_open)


class StatementCloseView(_Transition):
    """Close an open statement: no more signatures."""

    service = staticmethod(services.statement_close)


class StatementReopenView(_Transition):
    """Reopen a closed statement for signature."""

    service = staticmethod(services.statement_reopen)


@extend_schema(summary="Published versions, newest first, with who signed each", tags=["statements"])
class VersionListView(StatementAPIView, generics.ListAPIView):
    serializer_class = s.StatementVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatementVersion.objects.none()
        return selectors.versions_signed(self.get_statement())


IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). A retry with the same key and parameters returns the first "
    "response; the same key with different parameters is refused with 422.",
)


@extend_schema_view(
    get=extend_schema(summary="Active signatures, in signing order", tags=["signatures"]),
    post=extend_schema(
        summary="Sign on behalf of an organisation",
        description="Needs the `signatory` role in a verified organisation and an open statement. "
        "Records the current version. When the organisation already has an active signature the "
        "answer is **409** with the existing signature under `signature`, and nothing is stored.",
        parameters=[IDEMPOTENCY],
        request=s.SignRequestSerializer,
        responses={
            201: s.SignatureSerializer,
            **ERRORS,
            **CONFLICT,
            422: OpenApiResponse(
                s.StatementErrorSerializer, description="Idempotency-Key reused with other parameters."
            ),
        },
        tags=["signatures"],
    ),
)
class SignatureListView(StatementAPIView, generics.ListAPIView):
    serializer_class = s.SignatureSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Signature.objects.none()
        return selectors.active_signatures(self.get_statement())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **self.sig_context()}

    def post(self, request: Request, slug: str) -> Response:
        statement = self.get_statement()
        data = s.SignRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        signature = services.statement_sign(
            person=request.user,
            statement=statement,
            organisation=v["organisation"],
            volumes=v.get("volumes") or {},
            volumes_public=v["volumes_public"],
            comment=v["comment"],
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        body = s.SignatureSerializer(signature, context=self.sig_context()).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if signature.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


@extend_schema(
    summary="Withdraw an organisation's signature (the record is kept)",
    parameters=[SLUG, OpenApiParameter("organisation_slug", str, OpenApiParameter.PATH)],
    request=s.WithdrawRequestSerializer,
    responses={200: s.WithdrawnSignatureSerializer, **ERRORS, **CONFLICT},
    tags=["signatures"],
)
class SignatureWithdrawView(StatementAPIView):
    serializer_class = s.WithdrawRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request: Request, slug: str, organisation_slug: str) -> Response:
        statement = self.get_statement()
        data = s.WithdrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = generics.get_object_or_404(
            organisations_nameable(request.user), slug=organisation_slug
        )
        signature = services.signature_withdraw(
            person=request.user,
            statement=statement,
            organisation=organisation,
            reason=data.validated_data["reason"],
        )
        return Response(s.WithdrawnSignatureSerializer(signature, context=self.sig_context()).data)


@extend_schema(
    summary="Amend an organisation's volumes or their disclosure (a new revision; the old is kept)",
    description="Needs the `signatory` role in the organisation, an active signature and an open "
    "statement. Sending the same figures again changes nothing.",
    parameters=[SLUG, OpenApiParameter("organisation_slug", str, OpenApiParameter.PATH)],
    request=s.AmendRequestSerializer,
    responses={200: s.AmendedSignatureSerializer, **ERRORS, **CONFLICT},
    tags=["signatures"],
)
class SignatureAmendView(StatementAPIView):
    serializer_class = s.AmendRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request: Request, slug: str, organisation_slug: str) -> Response:
        statement = self.get_statement()
        data = s.AmendRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = generics.get_object_or_404(
            organisations_nameable(request.user), slug=organisation_slug
        )
        signature = services.signature_amend(
            person=request.user,
            statement=statement,
            organisation=organisation,
            volumes=data.validated_data["volumes"],
            volumes_public=data.validated_data["volumes_public"],
            comment=data.validated_data.get("comment"),
        )
        return Response(s.AmendedSignatureSerializer(signature, context=self.sig_context()).data)


@extend_schema(
    summary="Signatories as CSV (public volumes only)",
    responses={(200, "text/csv"): OpenApiTypes.STR, 404: ERRORS[404]},
    tags=["signatures"],
)
class SignatoriesCsvView(StatementAPIView):
    def get(self, request: Request, slug: str) -> HttpResponse:
        statement = self.get_statement()
        response = HttpResponse(
            exports.signatories_csv(request.user, statement), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{statement.slug}-signatories.csv"'
        return response


class SignatoriesExportSerializer(s.serializers.Serializer):
    statement = s.serializers.CharField()
    title = s.serializers.CharField()
    current_version = s.serializers.IntegerField(allow_null=True)
    signatories = s.serializers.ListField(child=s.serializers.DictField())


@extend_schema(
    summary="Signatories as JSON (public volumes only)",
    responses={200: SignatoriesExportSerializer, 404: ERRORS[404]},
    tags=["signatures"],
)
class SignatoriesJsonView(StatementAPIView):
    def get(self, request: Request, slug: str) -> Response:
        return Response(exports.signatories_json(request.user, self.get_statement()))


@extend_schema(summary="Audit trail (members of issuing organisations only)", tags=["statements"])
class AuditListView(StatementAPIView, generics.ListAPIView):
    serializer_class = s.AuditEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        statement = self.get_statement()  # 404 first: an invisible statement's audit does not exist
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        if not selectors.statement_capabilities(self.request.user, statement).sees_audit:
            raise PermissionDenied("Only members of the issuing organisations see the audit trail.")
        return selectors.audit_entries(statement)


@extend_schema(
    summary="Aggregated demand: signatories, countries, public yearly volumes, signatures over time",
    responses={200: s.DemandSummarySerializer, 404: ERRORS[404]},
    tags=["statements"],
)
class DemandView(StatementAPIView):
    def get(self, request: Request, slug: str) -> Response:
        summary = selectors.demand_summary(self.get_statement())
        return Response(
            {
                "signatory_count": summary.signatory_count,
                "countries": [{"code": c, "name": n, "signatories": k} for c, n, k in summary.countries],
                "totals": [t.__dict__ for t in summary.totals],
                "public_volume_signatories": summary.public_volume_signatories,
                "timeline": [{"date": d.isoformat(), "signatories": n} for d, n in summary.timeline],
            }
        )
