"""Serializers for the statements API: input shapes and output shapes, no business rules."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from knowledge.statements.models import (
    AuditEntry,
    Demand,
    Signature,
    Statement,
    StatementVersion,
)
from members.models import Organisation, WorkingGroup
from members.selectors import organisations_nameable, working_groups_for
from network import capabilities
from network.api.fields import (
    ModelChoiceInput,
    ModelTextInput,
    OptionalCpvCodeInput,
    ScopedSlugRelatedField,
    SharedGroupsInput,
    SharedGroupsOutput,
)
from network.categories import DeviceCategory
from network.visibility import Visibility


class StatementOrganisationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "country"]


class StatementDemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Demand
        fields = ["position", "text", "category", "cpv_code"]
        read_only_fields = ["position"]


class StatementDemandInputSerializer(serializers.Serializer):
    """One demand as given; the ``Demand`` model's rules (run by the service) decide."""

    text = ModelTextInput(Demand, "text")
    category = ModelChoiceInput(choices=DeviceCategory.choices, required=False, allow_blank=True)
    cpv_code = OptionalCpvCodeInput()


class StatementListSerializer(serializers.ModelSerializer):
    organisation = StatementOrganisationSerializer(read_only=True)
    issuers = StatementOrganisationSerializer(many=True, read_only=True)
    signature_count = serializers.SerializerMethodField(help_text="Active (not withdrawn) signatures.")
    current_version = serializers.IntegerField(
        source="current_version.number", read_only=True, allow_null=True
    )
    shared_groups = SharedGroupsOutput()

    class Meta:
        model = Statement
        fields = [
            "slug",
            "title",
            "summary",
            "status",
            "visibility",
            "shared_groups",
            "organisation",
            "issuers",
            "opens_on",
            "closes_on",
            "current_version",
            "signature_count",
        ]

    def get_signature_count(self, obj: Statement) -> int:
        """The list's annotation when there is one; counted for a statement fresh from a write."""
        count = getattr(obj, "signature_count", None)
        if count is None:
            count = obj.signatures.filter(withdrawn_at__isnull=True).count()
        return count


class StatementDetailSerializer(StatementListSerializer):
    demands = StatementDemandSerializer(many=True, read_only=True)
    working_group = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta(StatementListSerializer.Meta):
        fields = [
            *StatementListSerializer.Meta.fields,
            "body",
            "body_html",
            "contact",
            "working_group",
            "demands",
            "created_at",
            "opened_at",
            "closed_at",
        ]


class StatementCreateSerializer(serializers.Serializer):
    #: the model's rules across fields, stated in the schema (network.api.schema)
    field_rules = Statement.FIELD_RULES
    organisation = ScopedSlugRelatedField(slug_field="slug", model=Organisation, scope=organisations_nameable)
    issuers = ScopedSlugRelatedField(
        slug_field="slug", model=Organisation, scope=organisations_nameable, many=True, required=False
    )
    working_group = ScopedSlugRelatedField(
        slug_field="slug", model=WorkingGroup, scope=working_groups_for, required=False, allow_null=True
    )
    title = ModelTextInput(Statement, "title")
    summary = ModelTextInput(Statement, "summary", default="")
    body = ModelTextInput(Statement, "body")
    contact = ModelTextInput(Statement, "contact", default="")
    opens_on = serializers.DateField(required=False, allow_null=True)
    closes_on = serializers.DateField(required=False, allow_null=True)
    visibility = ModelChoiceInput(choices=Visibility.choices, default=Visibility.PRIVATE)
    shared_groups = SharedGroupsInput()
    demands = StatementDemandInputSerializer(many=True, required=False)


class StatementUpdateSerializer(serializers.Serializer):
    """Parses a PATCH; the service validates with the models' rules (the page form's messages)."""

    field_rules = Statement.FIELD_RULES

    title = ModelTextInput(Statement, "title", required=False)
    summary = ModelTextInput(Statement, "summary")
    body = ModelTextInput(Statement, "body", required=False)
    contact = ModelTextInput(Statement, "contact")
    opens_on = serializers.DateField(required=False, allow_null=True)
    closes_on = serializers.DateField(required=False, allow_null=True)
    visibility = ModelChoiceInput(choices=Visibility.choices, required=False)
    shared_groups = SharedGroupsInput()
    demands = StatementDemandInputSerializer(many=True, required=False)
    change_note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Required when the text of a published statement changes (a new version).",
    )


class StatementVersionSerializer(serializers.ModelSerializer):
    signatories = serializers.SerializerMethodField()

    class Meta:
        model = StatementVersion
        fields = ["number", "title", "summary", "body", "demands", "change_note", "created_at", "signatories"]

    def get_signatories(self, obj: StatementVersion) -> list[str]:
        return [s.organisation.name for s in getattr(obj, "active_signatures", [])]


class SignatureSerializer(serializers.ModelSerializer):
    """A signature; ``volumes`` is null when the reader may not see undisclosed figures."""

    organisation = StatementOrganisationSerializer(read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    volumes = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Signature
        fields = ["organisation", "version", "signed_at", "volumes", "volumes_public", "comment", "active"]

    def get_volumes(self, obj: Signature) -> dict[str, int] | None:
        """The policy decides: ``context["caps"]`` is the reader's :class:`StatementCapabilities`."""
        caps = self.context.get("caps") or capabilities.PUBLIC_READER
        return obj.volumes if caps.sees_volumes(obj) else None


class WithdrawnSignatureSerializer(SignatureSerializer):
    class Meta(SignatureSerializer.Meta):
        fields = [*SignatureSerializer.Meta.fields, "withdrawn_at", "withdrawal_reason"]


class SignRequestSerializer(serializers.Serializer):
    organisation = ScopedSlugRelatedField(
        slug_field="slug",
        model=Organisation,
        scope=organisations_nameable,
        help_text="Slug of the organisation you sign for (you need the signatory role there).",
    )
    volumes = serializers.JSONField(
        required=False,
        help_text='Units bought a year per category, e.g. {"phones": 6500}. Categories: '
        + ", ".join(DeviceCategory.values),
    )
    volumes_public = serializers.BooleanField(
        required=False, default=False, help_text="Publish the volumes and count them in the totals."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    def validate_volumes(self, value: Any) -> Any:
        return {} if value is None else value


class AmendRequestSerializer(serializers.Serializer):
    volumes = serializers.JSONField(
        required=True,
        help_text='The new units bought a year per category, e.g. {"phones": 7000} (replaces the old ones).',
    )
    volumes_public = serializers.BooleanField(
        required=True, help_text="Publish the volumes and count them in the totals."
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Omit to keep the current comment."
    )

    def validate_volumes(self, value: Any) -> Any:
        return {} if value is None else value


class AmendedSignatureSerializer(SignatureSerializer):
    class Meta(SignatureSerializer.Meta):
        fields = [*SignatureSerializer.Meta.fields, "revision"]


class WithdrawRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the organisation withdraws; issuers see it."
    )


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "organisation", "at", "details"]

    def get_actor(self, obj: AuditEntry) -> str | None:
        return obj.actor.display_name if obj.actor else None


class DemandCountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    signatories = serializers.IntegerField()


class DemandCategoryTotalSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    units = serializers.IntegerField(help_text="Sum of the public yearly volumes.")
    organisations = serializers.IntegerField()


class DemandTimelinePointSerializer(serializers.Serializer):
    date = serializers.DateField()
    signatories = serializers.IntegerField()


class DemandSummarySerializer(serializers.Serializer):
    signatory_count = serializers.IntegerField()
    countries = DemandCountrySerializer(many=True)
    totals = DemandCategoryTotalSerializer(many=True)
    public_volume_signatories = serializers.IntegerField()
    timeline = DemandTimelinePointSerializer(many=True)


class StatementErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class StatementConflictSerializer(StatementErrorSerializer):
    signature = SignatureSerializer(required=False, help_text="The existing active signature.")
