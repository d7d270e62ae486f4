"""API: an organisation's identity provider (owners/admins; the secret is write-only) and the
headless log-in's "which provider signs in this address?" lookup."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors
from members.models import Organisation
from members.sso import services
from members.sso.models import IdentityProvider
from network.api.fields import URL_PATTERN


class HttpsUrlField(serializers.URLField):
    """An issuer URL: the service refuses anything but https (members.sso.services._clean_issuer),
    so the schema says https (``published``, network.api.schema)."""

    published = {"pattern": URL_PATTERN.replace("^https?://", "^https://", 1)}


class IdentityProviderSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    issuer = HttpsUrlField(max_length=500)
    client_id = serializers.CharField(max_length=255)
    client_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Write-only: stored encrypted, never returned. Leave out to keep the stored one.",
    )
    domains = serializers.ListField(child=serializers.CharField(max_length=253), allow_empty=False)
    password_login_allowed = serializers.BooleanField(default=True)
    enabled = serializers.BooleanField(default=True)
    has_client_secret = serializers.BooleanField(read_only=True, source="has_secret")
    provider_id = serializers.CharField(read_only=True)
    redirect_uri = serializers.SerializerMethodField()

    def get_redirect_uri(self, obj: IdentityProvider) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": obj.provider_id})
        )


class OrganisationIdentityProvider(APIView):
    """``GET``/``PUT``/``DELETE`` the organisation's OpenID Connect provider (owners and admins only:
    other members get 403, people outside a hidden organisation 404)."""

    permission_classes = [permissions.IsAuthenticated]

    def _organisation(self, slug: str) -> Organisation:
        try:
            org = selectors.organisation_for(self.request.user, slug)
        except Organisation.DoesNotExist as exc:
            raise Http404 from exc
        services._require_manager(self.request.user, org)
        return org

    @extend_schema(responses=IdentityProviderSerializer)
    def get(self, request: Request, slug: str) -> Response:
        org = self._organisation(slug)
        idp = IdentityProvider.objects.filter(organisation=org).first()
        if idp is None:
            raise Http404
        return Response(IdentityProviderSerializer(idp, context={"request": request}).data)

    @extend_schema(request=IdentityProviderSerializer, responses=IdentityProviderSerializer)
    def put(self, request: Request, slug: str) -> Response:
        org = self._organisation(slug)
        serializer = IdentityProviderSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        idp = services.identity_provider_configure(
            actor=request.user, organisation=org, **serializer.validated_data
        )
        return Response(IdentityProviderSerializer(idp, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        org = self._organisation(slug)
        services.identity_provider_remove(actor=request.user, organisation=org)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SsoLookupInput(serializers.Serializer):
    email = serializers.EmailField()


class SsoLookupResult(serializers.Serializer):
    sso = serializers.BooleanField()
    provider_id = serializers.CharField(allow_null=True)
    provider_name = serializers.CharField(allow_null=True)
    password_login_allowed = serializers.BooleanField()
    redirect_url = serializers.CharField(
        allow_null=True,
        help_text="POST here (allauth headless, form-encoded: provider, process=login, callback_url).",
    )


class SsoLookup(APIView):
    """Which sign-in an address uses: its organisation's provider (start it with allauth headless's
    ``provider/redirect``) and whether a password is still accepted. Says nothing about accounts."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "post"

    @extend_schema(request=SsoLookupInput, responses=SsoLookupResult)
    def post(self, request: Request) -> Response:
        data = SsoLookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        idp = services.identity_provider_for_email(data.validated_data["email"])
        if idp is None:
            result = {
                "sso": False,
                "provider_id": None,
                "provider_name": None,
                "password_login_allowed": True,
                "redirect_url": None,
            }
        else:
            result = {
                "sso": True,
                "provider_id": idp.provider_id,
                "provider_name": idp.name or idp.organisation.name,
                "password_login_allowed": idp.password_login_allowed,
                "redirect_url": "/_allauth/browser/v1/auth/provider/redirect",
            }
        return Response(result)
