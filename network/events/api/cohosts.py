"""``/api/v1/events/cohost-invitations/``: invitations to co-host, answered by the invitee's admins.

Members of the invited organisation list and read them; its owners and admins accept or decline
(403 for other members, 404 for anyone outside it). Answering an answered invitation is a 409.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network.events import cohosts
from network.events.models import CoHostInvitation


class CoHostInvitationSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)
    event_starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)
    lead_host = serializers.CharField(source="event.organisation.name", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CoHostInvitation
        fields = [
            "id",
            "event",
            "event_title",
            "event_starts_at",
            "lead_host",
            "organisation",
            "status",
            "invited_at",
            "answered_at",
        ]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


@extend_schema(summary="Pending invitations to co-host, for your organisations", tags=["events"])
class CoHostInvitationListView(generics.ListAPIView):
    serializer_class = CoHostInvitationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CoHostInvitation.objects.none()
        return cohosts.invitations_for(self.request.user)


class _Answer(APIView):
    permission_classes = [permissions.IsAuthenticated]
    service: Any = None

    @extend_schema(
        request=None,
        responses={
            200: CoHostInvitationSerializer,
            403: OpenApiResponse(ErrorSerializer, description="Not an owner or admin of the invitee."),
            404: OpenApiResponse(ErrorSerializer, description="Not an invitation to your organisations."),
            409: OpenApiResponse(ErrorSerializer, description="Already answered or withdrawn."),
        },
        tags=["events"],
    )
    def post(self, request: Request, pk: int) -> Response:
        invitation = cohosts.invitation_for(request.user, pk)
        try:
            invitation = type(self).service(person=request.user, invitation=invitation)
        except cohosts.InvitationConflict as exc:
            return Response({"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
        return Response(CoHostInvitationSerializer(invitation).data)


class CoHostInvitationAcceptView(_Answer):
    """Accept: the organisation becomes a host of the event (shown everywhere, editors may edit)."""

    service = staticmethod(cohosts.cohost_invitation_accept)


class CoHostInvitationDeclineView(_Answer):
    """Decline: the organisation stays off the event."""

    service = staticmethod(cohosts.cohost_invitation_decline)
