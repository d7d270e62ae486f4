"""Thin API views: resolve the organisation/group once (404 when not visible), call a service.

Who sees what is documented in :mod:`members.selectors`; summarised per endpoint below.
"""

from __future__ import annotations

from typing import Any

import django_filters
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors, services
from members.api import serializers as s
from members.models import Invitation, Membership, Organisation, WorkingGroup
from members.privacy import api as privacy_api
from network import visibility


class OrganisationFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO 3166-1 alpha-2 code")
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    verified = django_filters.BooleanFilter()
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name")

    class Meta:
        model = Organisation
        fields = ["country", "kind", "verified", "q"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())


class OrganisationScoped:
    """Resolve ``{slug}`` once, through the directory rule: invisible and missing are both 404."""

    def get_organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            try:
                self._organisation = selectors.organisation_for(self.request.user, self.kwargs["slug"])
            except Organisation.DoesNotExist as exc:
                raise Http404 from exc
        return self._organisation


class OrganisationListCreate(generics.ListCreateAPIView):
    """The organisation directory; signed-in people create organisations (they become owner).

    Verified organisations are listed to everyone; unverified ones only to their members and staff.
    """

    serializer_class = s.OrganisationSerializer
    filterset_class = OrganisationFilter
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.organisation_list(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = services.organisation_create(actor=self.request.user, **data)
        serializer.instance = selectors.organisation_for(self.request.user, org.slug)


class OrganisationDetail(OrganisationScoped, generics.RetrieveUpdateAPIView):
    """An organisation's profile; owners and admins edit it with PATCH (verification is staff-only)."""

    serializer_class = s.OrganisationSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.get_organisation()

    def perform_update(self, serializer):
        org = services.organisation_update(
            actor=self.request.user, organisation=serializer.instance, **serializer.validated_data
        )
        serializer.instance = selectors.organisation_for(self.request.user, org.slug)


class OrganisationVerify(OrganisationScoped, APIView):
    """Network staff mark the organisation verified (or not) and set its verified e-mail domains."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.OrganisationVerifySerializer, responses=s.OrganisationSerializer)
    def post(self, request: Request, slug: str) -> Response:
        if not request.user.is_staff:
            raise PermissionDenied(_("Only network staff verify organisations."))
        data = s.OrganisationVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organisation_verify(
            actor=request.user, organisation=self.get_organisation(), **data.validated_data
        )
        org = selectors.organisation_for(request.user, org.slug)
        return Response(s.OrganisationSerializer(org, context={"request": request}).data)


class MemberList(OrganisationScoped, generics.ListAPIView):
    """People in the organisation with their roles: for its members and staff only (else 403)."""

    serializer_class = s.MembershipSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        org = self.get_organisation()
        if not selectors.can_see_members(self.request.user, org):
            raise PermissionDenied(_("Only members of %(org)s see its member list.") % {"org": org.name})
        return selectors.member_list(org)


class MembershipDetail(OrganisationScoped, APIView):
    """Change a member's role (owners/admins) or remove a member (owners/admins, or oneself to leave).

    The last owner can neither be demoted nor removed (400, ``role`` field error).
    """

    permission_classes = [permissions.IsAuthenticated]

    def get_membership(self, pk: int) -> Membership:
        org = self.get_organisation()
        if not selectors.can_see_members(self.request.user, org):
            raise Http404
        try:
            return Membership.objects.select_related("person", "organisation").get(pk=pk, organisation=org)
        except Membership.DoesNotExist as exc:
            raise Http404 from exc

    @extend_schema(request=s.MembershipRoleSerializer, responses=s.MembershipSerializer)
    def patch(self, request: Request, slug: str, pk: int) -> Response:
        membership = self.get_membership(pk)
        data = s.MembershipRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_update_role(
            actor=request.user, membership=membership, role=data.validated_data["role"]
        )
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        services.membership_remove(actor=request.user, membership=self.get_membership(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListCreate(OrganisationScoped, generics.ListCreateAPIView):
    """Invitations of the organisation: owners and admins list them and invite (others get 403)."""

    serializer_class = s.InvitationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def check_manager(self) -> Organisation:
        org = self.get_organisation()
        if not visibility.can_manage(self.request.user, org):
            raise PermissionDenied(
                _("Only owners and admins of %(org)s manage invitations.") % {"org": org.name}
            )
        return org

    def get_queryset(self):
        return selectors.invitation_list(self.check_manager())

    @extend_schema(request=s.InvitationCreateSerializer, responses={201: s.InvitationSerializer})
    def post(self, request: Request, slug: str) -> Response:
        org = self.check_manager()
        data = s.InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=request.user, organisation=org, **data.validated_data)
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevoke(OrganisationScoped, APIView):
    """Owners and admins revoke a pending invitation (repeating is harmless)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.InvitationSerializer)
    def post(self, request: Request, slug: str, pk: int) -> Response:
        org = self.get_organisation()
        if not visibility.can_manage(request.user, org):
            raise PermissionDenied(
                _("Only owners and admins of %(org)s manage invitations.") % {"org": org.name}
            )
        try:
            invitation = Invitation.objects.select_related("organisation").get(pk=pk, organisation=org)
        except Invitation.DoesNotExist as exc:
            raise Http404 from exc
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(s.InvitationSerializer(invitation).data)


class InvitationAccept(APIView):
    """Accept with the key from the e-mail, signed in with the invited (verified) address.

    Unknown key: 404. Sent to another address: 403. Expired, revoked or used: 400. Repeating an
    acceptance answers the same membership again.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=s.MyMembershipSerializer)
    def post(self, request: Request, key: str) -> Response:
        try:
            membership = services.invitation_accept(actor=request.user, key=key)
        except Invitation.DoesNotExist as exc:
            raise Http404 from exc
        return Response(s.MyMembershipSerializer(membership).data)


class WorkingGroupListCreate(generics.ListCreateAPIView):
    """Working groups visible to the caller; managers of a verified organisation start one."""

    serializer_class = s.WorkingGroupSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.working_groups_for(self.request.user)

    @extend_schema(request=s.WorkingGroupCreateSerializer, responses={201: s.WorkingGroupSerializer})
    def post(self, request: Request) -> Response:
        data = s.WorkingGroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        convener = _managed_org(request.user, values.pop("convener"), field="convener")
        group = services.working_group_create(
            actor=request.user, convener=convener, visibility_level=values.pop("visibility"), **values
        )
        group = selectors.working_group_for(request.user, group.slug)
        return Response(s.WorkingGroupSerializer(group).data, status=status.HTTP_201_CREATED)


def _managed_org(person: Any, slug: str, *, field: str) -> Organisation:
    from rest_framework.exceptions import ValidationError

    org = selectors.managed_organisations(person).filter(slug=slug).first()
    if org is None:
        raise ValidationError(
            {field: [_("You are not an owner or admin of an organisation “%(s)s”.") % {"s": slug}]}
        )
    return org


class WorkingGroupScoped:
    def get_group(self) -> WorkingGroup:
        try:
            return selectors.working_group_for(self.request.user, self.kwargs["slug"])
        except WorkingGroup.DoesNotExist as exc:
            raise Http404 from exc


class WorkingGroupDetail(WorkingGroupScoped, generics.RetrieveAPIView):
    """A working group with its conveners and approved member organisations."""

    serializer_class = s.WorkingGroupSerializer

    def get_object(self):
        return self.get_group()


class WorkingGroupJoin(WorkingGroupScoped, APIView):
    """A manager of a verified organisation asks for it to join; conveners decide."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.WorkingGroupJoinSerializer, responses={202: s.GroupRequestSerializer})
    def post(self, request: Request, slug: str) -> Response:
        group = self.get_group()
        data = s.WorkingGroupJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = _managed_org(request.user, data.validated_data["organisation"], field="organisation")
        gm = services.working_group_request_join(
            actor=request.user, group=group, organisation=org, note=data.validated_data["note"]
        )
        return Response(s.GroupRequestSerializer(gm).data, status=status.HTTP_202_ACCEPTED)


class WorkingGroupRequests(WorkingGroupScoped, generics.ListAPIView):
    """Pending join requests: for the conveners' owners and admins (others 403)."""

    serializer_class = s.GroupRequestSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        group = self.get_group()
        if not visibility.can_convene(self.request.user, group):
            raise PermissionDenied(_("Only the conveners see join requests."))
        return selectors.pending_requests(group)


class WorkingGroupDecide(WorkingGroupScoped, APIView):
    """A convener's owner or admin approves or declines an organisation's pending request."""

    permission_classes = [permissions.IsAuthenticated]
    approve = True

    @extend_schema(request=None, responses=s.GroupRequestSerializer)
    def post(self, request: Request, slug: str, organisation: str) -> Response:
        group = self.get_group()
        org = Organisation.objects.filter(slug=organisation, group_memberships__group=group).first()
        if org is None:
            raise Http404
        gm = services.working_group_decide(
            actor=request.user, group=group, organisation=org, approve=self.approve
        )
        return Response(s.GroupRequestSerializer(gm).data)


class Me(APIView):
    """The signed-in person, whether they have MFA, and their organisations with roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        person = request.user
        context = {
            "has_mfa": Authenticator.objects.filter(user=person)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists(),
            "memberships": selectors.memberships_of(person),
        }
        return Response(s.MeSerializer(person, context=context).data)

    @privacy_api.DELETE_ME_SCHEMA
    def delete(self, request: Request) -> Response:
        """Delete your account and personal data, after re-authenticating (organisation records stay,
        de-personalised; refused while you are an organisation's last owner)."""
        return privacy_api.delete_me(request)
