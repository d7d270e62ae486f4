"""API: the signed-in person's data exports, and deleting the account (``DELETE /api/v1/me/``)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from members.privacy import erasure, export
from members.privacy.models import DataExport
from members.privacy.reauth import recently_reauthenticated


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = ["id", "status", "requested_at", "finished_at", "expires_at", "size", "rows", "download_url"]

    def get_download_url(self, obj: DataExport) -> str | None:
        if obj.status != DataExport.Status.READY:
            return None
        return reverse("data-export-download", kwargs={"pk": obj.pk})


class DataExports(APIView):
    """``GET``: your recent exports. ``POST``: ask for one (202; while one is being prepared you get
    that one back with 200: one job per person)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DataExportSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = export.exports_of(actor=request.user, person=request.user)[:10]
        return Response(DataExportSerializer(jobs, many=True).data)

    @extend_schema(request=None, responses={202: DataExportSerializer, 200: DataExportSerializer})
    def post(self, request: Request) -> Response:
        job, created = export.data_export_request(actor=request.user, person=request.user)
        job.refresh_from_db()
        return Response(
            DataExportSerializer(job).data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        )


class DataExportDownload(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        try:
            job = export.export_for_download(actor=request.user, pk=pk)
        except DataExport.DoesNotExist as exc:
            raise Http404 from exc
        response = FileResponse(default_storage.open(job.file, "rb"), as_attachment=True, filename="data.zip")
        response["Content-Type"] = "application/zip"
        response["Cache-Control"] = "private, no-store"
        return response


class ReauthenticationRequired(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = (
        "Re-authenticate first (POST /_allauth/{client}/v1/auth/reauthenticate with your password), "
        "then repeat the request."
    )
    default_code = "reauthentication_required"


class DeleteAccountInput(serializers.Serializer):
    remove_posts = serializers.BooleanField(default=False)


def delete_me(request: Request) -> Response:
    """Called by ``members.api.views.Me.delete``."""
    if isinstance(request.auth, SessionBase):
        # X-Session-Token clients: their session is the token's, not a cookie's.
        request._request.session = request.auth
    if not recently_reauthenticated(request._request):
        raise ReauthenticationRequired()
    data = DeleteAccountInput(data=request.data if isinstance(request.data, dict) else {})
    data.is_valid(raise_exception=True)
    erasure.person_erase(
        actor=request.user, person=request.user, remove_posts=data.validated_data["remove_posts"]
    )
    logout(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


DELETE_ME_SCHEMA = extend_schema(
    request=DeleteAccountInput,
    responses={
        204: None,
        400: OpenApiResponse(description="You are the last owner of an organisation"),
        401: OpenApiResponse(description="Re-authenticate first"),
    },
)
