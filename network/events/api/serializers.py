"""Serializers for the events API: output shapes and input parsing only (rules live in services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import Organisation, WorkingGroup
from members.selectors import organisations_nameable, working_groups_for
from network.api.fields import (
    CpvCodesInput,
    ModelChoiceInput,
    ModelIntegerInput,
    ModelTextInput,
    Rfc3339DateTimeField,
    ScopedSlugRelatedField,
    SharedGroupsInput,
    SharedGroupsOutput,
)
from network.capabilities import EventCapabilities
from network.events import selectors
from network.events.models import Audience, Event, Registration, time_zone_names
from network.visibility import Visibility


class EventListSerializer(serializers.ListSerializer):
    """Resolves the viewer's capabilities for a whole page in one query before rendering it."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if hasattr(data, "all") else data)
        person = getattr(self.context.get("request"), "user", None)
        self.context.setdefault("_event_caps", {}).update(selectors.event_capabilities_many(person, items))
        return super().to_representation(items)


class EventSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Lead host")
    hosts = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Lead host and co-hosts that accepted."
    )
    cpv_codes = serializers.SlugRelatedField(slug_field="full_code", many=True, read_only=True)
    working_group = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=Audience.choices), source="audience_list"
    )
    confirmed_count = serializers.IntegerField(read_only=True)
    starts_at = Rfc3339DateTimeField(read_only=True)
    ends_at = Rfc3339DateTimeField(read_only=True)
    online_url = serializers.SerializerMethodField(
        help_text="The meeting link (a URL), shown to registered participants and hosts only: an empty "
        "string when hidden from you or when the event has none."
    )
    url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()
    shared_groups = SharedGroupsOutput()

    class Meta:
        model = Event
        list_serializer_class = EventListSerializer
        fields = [
            "slug",
            "title",
            "description",
            "description_html",
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "online_url",
            "audience",
            "capacity",
            "confirmed_count",
            "registration_open",
            "status",
            "visibility",
            "shared_groups",
            "organisation",
            "hosts",
            "cpv_codes",
            "working_group",
            "url",
            "ics_url",
        ]
        read_only_fields = fields

    def _caps(self, obj: Event) -> EventCapabilities:
        """The policy's answer for this viewer and event (computed once per object)."""
        cache = self.context.setdefault("_event_caps", {})
        if obj.pk not in cache:
            request = self.context.get("request")
            kwargs = {"registration": self.context["registration"]} if "registration" in self.context else {}
            cache[obj.pk] = selectors.event_capabilities(getattr(request, "user", None), obj, **kwargs)
        return cache[obj.pk]

    @extend_schema_field(OpenApiTypes.STR)  # "" is not a URI: the schema says string, not format uri
    def get_online_url(self, obj: Event) -> str:
        return obj.online_url if self._caps(obj).sees_online_url else ""

    def get_url(self, obj: Event) -> str:
        return settings.SITE_URL + obj.get_absolute_url()

    def get_ics_url(self, obj: Event) -> str:
        return settings.SITE_URL + reverse("event-ics", kwargs={"slug": obj.slug})


class MyRegistrationSerializer(serializers.ModelSerializer):
    waiting_position = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "status", "waiting_position", "created_at"]
        read_only_fields = fields

    def get_waiting_position(self, obj: Registration) -> int | None:
        return selectors.waiting_position(obj)


class EventDetailSerializer(EventSerializer):
    my_registration = serializers.SerializerMethodField()
    is_host = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "my_registration", "is_host", "outcomes"]
        read_only_fields = fields

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, obj: Event) -> dict[str, Any] | None:
        reg = self.context.get("registration")
        return MyRegistrationSerializer(reg).data if reg else None

    def get_is_host(self, obj: Event) -> bool:
        return self._caps(obj).is_host

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_null=True)))
    )
    def get_outcomes(self, obj: Event) -> list[dict[str, Any]]:
        return [
            {"kind": r.outcome.kind, "title": r.title, "url": r.url, "note": r.outcome.note}
            for r in selectors.outcomes_for(self.context["request"].user, obj)
        ]


@extend_schema_field({"type": "string", "enum": list(time_zone_names())})
class TimeZoneInput(ModelChoiceInput):
    """An IANA time zone name this server can load: the list is the schema's ``enum`` (without
    one description line per zone); the model's validator is the check."""


class EventWriteSerializer(serializers.Serializer):
    """Input for create (all required fields) and update (partial)."""

    #: the model's rules across fields, stated in the schema (network.api.schema)
    field_rules = Event.FIELD_RULES

    organisation = ScopedSlugRelatedField(
        slug_field="slug",
        model=Organisation,
        scope=organisations_nameable,
        help_text="Lead host (create only)",
    )
    title = ModelTextInput(Event, "title")
    description = ModelTextInput(Event, "description")
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with offset")
    ends_at = serializers.DateTimeField(help_text="ISO 8601 with offset")
    time_zone = TimeZoneInput(
        choices=[(name, name) for name in time_zone_names()],
        required=False,
        help_text="IANA name, e.g. Europe/Helsinki",
    )
    place = ModelTextInput(Event, "place")
    online_url = serializers.URLField(required=False, allow_blank=True)
    audience = serializers.ListField(child=ModelChoiceInput(choices=Audience.choices), required=False)
    capacity = ModelIntegerInput(Event, "capacity")
    registration_open = serializers.BooleanField(required=False)
    visibility = ModelChoiceInput(choices=Visibility.choices, required=False)
    shared_groups = SharedGroupsInput()
    working_group = ScopedSlugRelatedField(
        slug_field="slug", model=WorkingGroup, scope=working_groups_for, required=False, allow_null=True
    )
    co_hosts = ScopedSlugRelatedField(
        slug_field="slug",
        model=Organisation,
        scope=lambda person: organisations_nameable(person).filter(verified=True),
        many=True,
        required=False,
        help_text="Organisations invited to co-host; each appears in `hosts` once one of its admins accepts.",
    )
    cpv_codes = CpvCodesInput()
    status = ModelChoiceInput(choices=Event.Status.choices, required=False, help_text="Update only")


class RegisterSerializer(serializers.Serializer):
    """Empty for signed-in members; external guests give name and e-mail (public events only)."""

    name = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RegistrationSerializer(serializers.ModelSerializer):
    waiting_position = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "status", "waiting_position", "created_at"]
        read_only_fields = fields

    def get_waiting_position(self, obj: Registration) -> int | None:
        return selectors.waiting_position(obj)


class AttendeeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()
    organisation = serializers.CharField(source="organisation_name")
    guest = serializers.BooleanField(source="is_guest")

    class Meta:
        model = Registration
        fields = ["id", "name", "email", "organisation", "guest", "status", "position", "created_at"]
        read_only_fields = fields


class GuestAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()
