"""Serializers: shape and types only; rules (uniqueness, roles, owners) live in members.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import GroupMembership, Invitation, Membership, Organisation, Person, Role, WorkingGroup
from network import visibility
from network.api.fields import CountField
from network.categories import MAX_UNITS_PER_YEAR, DeviceCategory

#: What the schema lists for a country: the ISO 3166-1 alpha-2 codes the field accepts.
COUNTRY_CODES = sorted(code for code, _name in countries)


@extend_schema_field({"type": "string", "enum": COUNTRY_CODES, "description": "ISO 3166-1 alpha-2 code."})
class CountryCodeField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code (``FI``, ``SE``…), case-insensitive on input."""

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip().upper()
        if code not in dict(countries):
            raise serializers.ValidationError(
                _("“%(code)s” is not an ISO 3166-1 alpha-2 country code (e.g. FI, SE, NL).") % {"code": data}
            )
        return code

    def to_representation(self, value):
        return str(getattr(value, "code", value) or "")


@extend_schema_field(
    {
        "type": "object",
        "description": "Units bought a year per device category.",
        "properties": {
            # the model's validator's bound (network.categories.validate_volumes), not the column's
            category: {"type": "integer", "minimum": 0, "maximum": MAX_UNITS_PER_YEAR}
            for category in DeviceCategory.values
        },
        "additionalProperties": False,
    }
)
class VolumesField(serializers.DictField):
    """Units bought a year per device category."""

    child = CountField()

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        unknown = sorted(set(value) - set(DeviceCategory.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown category “%(c)s”; use one of %(all)s.")
                % {"c": unknown[0], "all": ", ".join(DeviceCategory.values)}
            )
        return value


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation's public profile. ``my_role`` is the caller's role in it (or null)."""

    country = CountryCodeField(max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. FI."))
    annual_volumes = VolumesField(required=False, help_text=_("Units a year per category."))
    cpv_interests = serializers.ListField(child=serializers.CharField(max_length=12), required=False)
    member_count = serializers.IntegerField(read_only=True)
    my_role = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "country",
            "kind",
            "website",
            "description",
            "verified",
            "verified_at",
            "verified_domains",
            "people_served",
            "annual_volumes",
            "cpv_interests",
            "member_count",
            "my_role",
            "url",
            "created_at",
        ]
        read_only_fields = ["verified", "verified_at", "verified_domains", "created_at"]
        extra_kwargs = {
            # Uniqueness (case-insensitive) is checked by the service with clear field messages.
            "name": {"validators": []},
            "slug": {"validators": [], "required": False},
        }

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_my_role(self, obj: Organisation) -> str | None:
        request = self.context.get("request")
        return visibility.viewer_for(request.user if request else None).role_in(obj.pk)

    def get_url(self, obj: Organisation) -> str:
        return obj.get_absolute_url()


class OrganisationVerifySerializer(serializers.Serializer):
    verified = serializers.BooleanField(default=True)
    verified_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, help_text=_('e.g. ["hel.fi"]')
    )


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "email", "title"]


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "created_at"]
        read_only_fields = ["id", "person", "created_at"]


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    invited_by = serializers.CharField(source="invited_by.display_name", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class OrganisationBriefSerializer(serializers.ModelSerializer):
    country = CountryCodeField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "country", "kind", "verified"]


class MyMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person; ``has_mfa`` and ``memberships`` come from the view's context."""

    memberships = serializers.SerializerMethodField()
    has_mfa = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "email", "name", "title", "email_notifications", "is_staff", "has_mfa", "memberships"]

    def get_has_mfa(self, obj: Person) -> bool:
        return bool(self.context.get("has_mfa"))

    @extend_schema_field(MyMembershipSerializer(many=True))
    def get_memberships(self, obj: Person) -> list[dict]:
        return MyMembershipSerializer(self.context.get("memberships", []), many=True).data


class GroupRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["organisation", "status", "note", "created_at", "decided_at"]


class WorkingGroupSerializer(serializers.ModelSerializer):
    conveners = OrganisationBriefSerializer(many=True, read_only=True)
    members = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = ["slug", "name", "description", "visibility", "conveners", "members", "url", "created_at"]

    @extend_schema_field(OrganisationBriefSerializer(many=True))
    def get_members(self, obj: WorkingGroup) -> list[dict]:
        orgs = [gm.organisation for gm in getattr(obj, "approved_memberships", [])]
        return OrganisationBriefSerializer(orgs, many=True).data

    def get_url(self, obj: WorkingGroup) -> str:
        return obj.get_absolute_url()


class WorkingGroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=WorkingGroup.Visibility.choices, default="network")
    convener = serializers.SlugField(help_text=_("Slug of the convening organisation (you must manage it)."))


class WorkingGroupJoinSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        help_text=_("Slug of the organisation asking to join (you must manage it).")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
