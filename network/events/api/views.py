"""Events API: thin views over :mod:`network.events.services` and :mod:`network.events.selectors`.

Readable means :meth:`Event.objects.visible_to` (plus co-hosting); another tenant's private event
answers 404. Host-only actions on a readable event answer 403 to non-hosts.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from members.selectors import organisations_nameable
from network.events import ical, selectors, services
from network.events.api import serializers as s
from network.events.models import Audience, Event


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return str(data.get("detail", "")).encode("utf-8") if isinstance(data, dict) else b""


class EventFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "upcoming"), ("past", "past")],
        method="filter_when",
        help_text="upcoming or past",
    )
    organisation = django_filters.CharFilter(method="filter_organisation", help_text="Host organisation slug")
    working_group = django_filters.CharFilter(
        field_name="working_group__slug", help_text="Working group slug"
    )
    audience = django_filters.ChoiceFilter(choices=Audience.choices, method="filter_audience")

    class Meta:
        model = Event
        fields = ["when", "organisation", "working_group", "audience"]

    def filter_when(self, queryset, name, value):
        return queryset.past() if value == "past" else queryset.upcoming()

    def filter_organisation(self, queryset, name, value):
        organisation = organisations_nameable(self.request.user).filter(slug=value).only("pk").first()
        return queryset.filter(selectors.hosted_by(organisation)) if organisation else queryset.none()

    def filter_audience(self, queryset, name, value):
        return queryset.for_audience(value)


class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Events the caller may read; editors of a host organisation create and change them."""

    lookup_field = "slug"
    filterset_class = EventFilter
    permission_classes = [permissions.IsAuthenticated]
    # A change is a PATCH (what is not sent stays), as on every other type: a PUT answered like a
    # PATCH accepted bodies its schema (a whole event) called incomplete.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        """Reads and (guest) registration are open, other writes need a signed-in person.

        Stated as DRF's own classes (``AllowAny`` / ``IsAuthenticated``) so the schema says which
        operations take anonymous callers; an action's own ``permission_classes`` still win."""
        if self.permission_classes is not EventViewSet.permission_classes:
            return super().get_permissions()
        if self.request.method in permissions.SAFE_METHODS or self.action == "register":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return (
            selectors.events_for(self.request.user)
            .prefetch_related("shared_groups")
            .order_by("starts_at", "pk")
        )

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.EventWriteSerializer
        if self.action == "retrieve":
            return s.EventDetailSerializer
        return s.EventSerializer

    def _detail(self, event: Event, code: int = status.HTTP_200_OK) -> Response:
        event = selectors.event_for(self.request.user, event.slug)
        reg = selectors.registration_of(self.request.user, event)
        data = s.EventDetailSerializer(event, context={"request": self.request, "registration": reg}).data
        return Response(data, status=code)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=s.EventWriteSerializer, responses={201: s.EventDetailSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        ser = s.EventWriteSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("status", None)
        organisation = data.pop("organisation")
        if "co_hosts" in data:
            data["co_hosts"] = list(data["co_hosts"])
        event_data = services.EventData.from_mapping(data)
        event = services.event_create(person=request.user, organisation=organisation, data=event_data)
        return self._detail(event, status.HTTP_201_CREATED)

    @extend_schema(request=s.EventWriteSerializer, responses={200: s.EventDetailSerializer})
    def update(self, request: Request, *args, **kwargs) -> Response:
        event = self.get_object()
        ser = s.EventWriteSerializer(data=request.data, partial=True, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("organisation", None)
        if "co_hosts" in data:
            data["co_hosts"] = list(data["co_hosts"])
        changed = services.EventData.of(event).with_changes(data)  # PATCH: what is not sent stays
        event = services.event_update(person=request.user, event=event, data=changed)
        return self._detail(event)

    @extend_schema(
        request=s.RegisterSerializer,
        responses={
            200: s.RegistrationSerializer,
            201: s.RegistrationSerializer,
            202: OpenApiResponse(s.GuestAcceptedSerializer, description="Guest: confirmation e-mail sent"),
        },
        description="Members register themselves (a second call returns the same registration); "
        "anonymous callers register as guests of public events and confirm by the e-mailed link.",
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, slug: str | None = None) -> Response:
        event = self.get_object()
        if request.user.is_authenticated:
            existing = selectors.registration_of(request.user, event)
            reg = services.registration_register(person=request.user, event=event)
            code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
            return Response(s.RegistrationSerializer(reg).data, status=code)
        ser = s.RegisterSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.guest_registration_start(
            event=event,
            name=ser.validated_data.get("name", ""),
            email=ser.validated_data.get("email", ""),
            organisation_name=ser.validated_data.get("organisation_name", ""),
            client=request.META.get("REMOTE_ADDR", ""),
        )
        return Response(
            {"detail": _("We sent a confirmation link to the e-mail address given.")},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        request=None,
        responses={200: s.RegistrationSerializer, 404: OpenApiResponse(description="Not registered")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, slug: str | None = None) -> Response:
        event = self.get_object()
        reg = services.registration_cancel_for(person=request.user, event=event)
        if reg is None:
            return Response({"detail": _("You are not registered."), "code": "not_found"}, status=404)
        return Response(s.RegistrationSerializer(reg).data)

    @extend_schema(responses={200: s.AttendeeSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def attendees(self, request: Request, slug: str | None = None) -> Response:
        event = self.get_object()
        if not selectors.is_host(request.user, event):
            raise PermissionDenied(_("Only the hosts see the attendee list."))
        return Response(s.AttendeeSerializer(selectors.attendees(event), many=True).data)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], renderer_classes=[ICalendarRenderer], filterset_class=None)
    def ics(self, request: Request, slug: str | None = None) -> Response:
        event = self.get_object()
        text = ical.calendar([event], person=request.user, name=event.title, time_zone=event.time_zone)
        return Response(text, headers={"Content-Disposition": f'inline; filename="{event.slug}.ics"'})


class _Feed(APIView):
    renderer_classes = [ICalendarRenderer]
    permission_classes = [permissions.AllowAny]
    limit = 500

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    def get(self, request: Request, slug: str) -> Response:
        owner, events = self.resolve(request.user, slug)
        text = ical.calendar(
            events.order_by("-starts_at")[: self.limit], person=request.user, name=owner.name
        )
        return Response(text, headers={"Content-Disposition": f'inline; filename="{slug}-events.ics"'})


class OrganisationFeed(_Feed):
    """iCalendar feed of an organisation's events that the caller may read (public only when anonymous)."""

    def resolve(self, person, slug):
        return selectors.feed_organisation(person, slug)


class WorkingGroupFeed(_Feed):
    """iCalendar feed of a working group's events that the caller may read."""

    def resolve(self, person, slug):
        return selectors.feed_working_group(person, slug)
