"""API views of the network fabric: the person's notifications."""

from __future__ import annotations

import functools
from typing import Any

from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network import notifications
from network.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read"]

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's notifications, newest first; ``?unread=1`` for unread only."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        qs = Notification.objects.for_person(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.unread()
        return qs

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        return Response(self.get_serializer(note).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications.mark_read(request.user)})


@functools.cache
def _preferences_schema() -> serializers.Serializer:
    """One component for GET and PATCH: built once, because two inline serializers with one name are
    two different components to drf-spectacular."""
    from network.notification_kinds import Channel, categories

    return inline_serializer(
        "NotificationPreferences",
        {c.key: serializers.ChoiceField(choices=Channel.values, required=False) for c in categories()},
    )


@functools.cache
def _preferences_change() -> dict[str, Any]:
    """PATCH's body as the view reads it: some categories, each with a channel, and nothing else (an
    unknown category is refused, so the schema says ``additionalProperties: false``)."""
    from network.notification_kinds import Channel, categories

    return {
        "type": "object",
        "properties": {c.key: {"type": "string", "enum": list(Channel.values)} for c in categories()},
        "additionalProperties": False,
    }


class NotificationPreferencesView(APIView):
    """The signed-in person's channel per notification category (``in_app``, ``immediate``, ``digest``,
    ``off``). PATCH sets the categories sent (none: nothing changes); unknown categories or channels
    change nothing (400)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=_preferences_schema())
    def get(self, request: Request) -> Response:
        return Response(notifications.preferences(request.user))

    @extend_schema(request={"application/json": _preferences_change()}, responses=_preferences_schema())
    def patch(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send an object of category → channel.")]}
            )
        if not data:  # a partial change of nothing
            return Response(notifications.preferences(request.user))
        if not all(isinstance(v, str) for v in data.values()):
            raise serializers.ValidationError(
                {k: [_("Choose a channel by name.")] for k, v in data.items() if not isinstance(v, str)}
            )
        try:
            return Response(notifications.set_preferences(request.user, dict(data)))
        except notifications.PreferenceError as exc:
            raise serializers.ValidationError({k: [v] for k, v in exc.errors.items()}) from exc


class ApiRootView(APIView):
    """Every resource of ``/api/v1/`` with its address, found from the URL configuration itself so a
    new endpoint is listed as soon as it is routed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot", {"resources": serializers.DictField(child=serializers.URLField())}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"resources": _resources(request)})


def _resources(request: Request) -> dict[str, str]:
    """Every route under ``/api/v1/`` that needs no path parameter, keyed by its path."""
    from network.api import urls as api_urls

    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            route = prefix + str(pattern.pattern)
            if not isinstance(pattern, URLPattern) or not route or "<" in route or "(?P" in route:
                continue
            path = route.lstrip("^").rstrip("$").replace("\\", "")
            if path and pattern.name != "api-root":
                found[path.strip("/")] = request.build_absolute_uri(f"/api/v1/{path}")

    walk(api_urls.urlpatterns, "")
    return dict(sorted(found.items()))
