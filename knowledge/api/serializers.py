"""Serializers for the knowledge API: shapes only. Business rules live in :mod:`knowledge.services`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from knowledge.models import (
    Attachment,
    Criterion,
    Label,
    Lesson,
    PlannedTender,
    TemplateVersion,
    TenderInterest,
    TenderInterestChange,
    TenderTemplate,
)
from knowledge.models.choices import (
    LANGUAGES,
    Ambition,
    LessonStage,
    Licence,
    MeansOfProof,
    Procedure,
    Stage,
    StrategicGoal,
    TenderStatus,
)
from network import visibility
from network.api.fields import (
    CountField,
    CpvCodesInput,
    EurosInput,
    IdField,
    ModelChoiceInput,
    ModelIntegerInput,
    ModelTextInput,
    SharedGroupsInput,
    SharedGroupsOutput,
    TagInput,
)
from network.visibility import Visibility


class OrganisationRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(source="country.code")


class CpvSerializer(serializers.Serializer):
    code = serializers.CharField(source="full_code")
    label = serializers.CharField(source="label_en")


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["slug", "name", "issuer", "website", "covers", "kind", "description"]


class CriterionSerializer(serializers.ModelSerializer):
    labels = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = [
            "key",
            "position",
            "stage",
            "title",
            "text",
            "text_html",
            "ambition",
            "means_of_proof",
            "labels",
            "verification_text",
            "weight",
        ]


class ForkedFromField(serializers.Field):
    """Where a template came from, only when the viewer may read the origin (else ``hidden``)."""

    def to_representation(self, version: TemplateVersion) -> dict[str, Any]:
        person = self.context["request"].user
        if visibility.can_read(person, version.template):
            return {"template": version.template_id, "version": version.number, "hidden": False}
        return {"template": None, "version": None, "hidden": True}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "template": {"type": "integer", "nullable": True},
            "version": {"type": "integer", "nullable": True},
            "hidden": {"type": "boolean"},
        },
    }
)
class ForkedFrom(ForkedFromField):
    pass


class TemplateSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    shared_groups = SharedGroupsOutput()
    cpv_codes = CpvSerializer(many=True, read_only=True)
    forked_from = ForkedFrom(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = TenderTemplate
        fields = [
            "id",
            "url",
            "title",
            "slug",
            "summary",
            "organisation",
            "visibility",
            "shared_groups",
            "status",
            "procedure",
            "language",
            "licence",
            "tags",
            "cpv_codes",
            "forked_from",
            "version_count",
            "updated_at",
        ]

    def get_url(self, obj: TenderTemplate) -> str:
        return obj.get_absolute_url()


class TemplateDetailSerializer(TemplateSerializer):
    criteria = CriterionSerializer(many=True, read_only=True, source="criteria_list")

    class Meta(TemplateSerializer.Meta):
        fields = [*TemplateSerializer.Meta.fields, "criteria"]


class CriterionWriteSerializer(serializers.Serializer):
    """One criterion as given; the ``Criterion`` model's rules (run by the service) decide."""

    key = serializers.UUIDField(
        required=False, allow_null=True, help_text="Keep to edit an existing criterion."
    )
    field_rules = Criterion.FIELD_RULES

    stage = ModelChoiceInput(choices=Stage.choices)
    title = ModelTextInput(Criterion, "title")
    text = ModelTextInput(Criterion, "text", help_text="Markdown")
    ambition = ModelChoiceInput(choices=Ambition.choices, default=Ambition.CORE)
    means_of_proof = serializers.ListField(child=ModelChoiceInput(choices=MeansOfProof.choices), default=list)
    labels = serializers.ListField(child=serializers.SlugField(), default=list, help_text="Label slugs")
    verification_text = serializers.CharField(required=False, allow_blank=True, default="")
    weight = ModelIntegerInput(
        Criterion,
        "weight",
        required=False,
        allow_null=True,
        help_text="Award criteria only; their weights add up to 100.",
    )


class TemplateWriteSerializer(serializers.Serializer):
    """Parses the body into :class:`~knowledge.services.TemplateData`; the service validates once."""

    organisation = serializers.SlugField(required=False, help_text="Owner organisation (on create).")
    title = ModelTextInput(TenderTemplate, "title")
    summary = serializers.CharField(required=False, allow_blank=True)
    procedure = ModelChoiceInput(choices=Procedure.choices, required=False)
    language = ModelChoiceInput(choices=LANGUAGES, required=False)
    licence = ModelChoiceInput(choices=Licence.choices, required=False)
    tags = serializers.ListField(child=TagInput(), required=False)
    visibility = ModelChoiceInput(choices=Visibility.choices, required=False)
    shared_groups = SharedGroupsInput()
    cpv_codes = CpvCodesInput()
    criteria = CriterionWriteSerializer(
        many=True,
        required=False,
        help_text="When award criteria carry weights, every award criterion carries one and they add up "
        "to 100.",
    )


class VersionSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.display_name", default=None, read_only=True)

    class Meta:
        model = TemplateVersion
        fields = ["number", "change_note", "published_by", "published_at"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "snapshot"]


class PublishSerializer(serializers.Serializer):
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ForkSerializer(serializers.Serializer):
    organisation = serializers.SlugField(help_text="The organisation to fork into (you must be an editor).")
    version = CountField(min_value=1, required=False, help_text="Version number; default the latest.")
    title = serializers.CharField(required=False, max_length=200)


class WordSegment(serializers.ListField):
    child = serializers.CharField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    words = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    display = serializers.CharField(required=False, help_text='Numbers only: "60 → 50".')


class CriterionRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    stage = serializers.CharField()
    text = serializers.CharField()


class CriterionChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    stage = serializers.CharField()
    moved = serializers.BooleanField()
    changes = FieldChangeSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    # "from" is a keyword: declared in __init__.
    to = serializers.IntegerField()
    unchanged = serializers.BooleanField()
    template = FieldChangeSerializer(many=True)
    added = CriterionRefSerializer(many=True)
    removed = CriterionRefSerializer(many=True)
    changed = CriterionChangeSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField()
        return fields


class OriginRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()


class OriginDiffSerializer(serializers.Serializer):
    origin = OriginRefSerializer()
    unchanged = serializers.BooleanField()
    template = FieldChangeSerializer(many=True)
    added = CriterionRefSerializer(many=True)
    removed = CriterionRefSerializer(many=True)
    changed = CriterionChangeSerializer(many=True)


class LineageTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = OrganisationRefSerializer()
    forked_from_version = serializers.IntegerField(source="forked_from.number", default=None, allow_null=True)


class AncestorSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="version_number")
    hidden = serializers.SerializerMethodField()
    template = LineageTemplateSerializer(allow_null=True)

    def get_hidden(self, obj) -> bool:
        return obj.template is None


class LineageSerializer(serializers.Serializer):
    ancestors = AncestorSerializer(many=True)
    forks = LineageTemplateSerializer(many=True)
    fork_count = serializers.IntegerField(help_text="All forks, including those you cannot see.")
    hidden_fork_count = serializers.IntegerField()


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, obj: Attachment) -> str:
        return f"/api/v1/templates/{obj.template_id}/attachments/{obj.pk}/"


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class LessonSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    shared_groups = SharedGroupsOutput()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "url",
            "title",
            "organisation",
            "visibility",
            "shared_groups",
            "stages",
            "context",
            "approach",
            "market_dialogue",
            "challenges",
            "recommendations",
            "next_action",
            "language",
            "tags",
            "updated_at",
        ]

    def get_url(self, obj: Lesson) -> str:
        return obj.get_absolute_url()


class LessonWriteSerializer(serializers.Serializer):
    """Parses the body into :class:`~knowledge.services.LessonData`; the model's rules, run by the
    service, decide what is valid (so the page's form and the API report the same messages)."""

    organisation = serializers.SlugField(required=False)
    title = ModelTextInput(Lesson, "title")
    visibility = ModelChoiceInput(choices=Visibility.choices, required=False)
    stages = serializers.ListField(child=ModelChoiceInput(choices=LessonStage.choices), required=False)
    context = serializers.CharField(required=False, allow_blank=True)
    approach = serializers.CharField(required=False, allow_blank=True)
    market_dialogue = serializers.CharField(required=False, allow_blank=True)
    challenges = serializers.CharField(required=False, allow_blank=True)
    recommendations = serializers.ListField(child=serializers.CharField(), required=False)
    next_action = serializers.CharField(required=False, allow_blank=True)
    language = ModelChoiceInput(choices=LANGUAGES, required=False)
    tags = serializers.ListField(child=TagInput(), required=False)
    related_templates = serializers.ListField(child=IdField(), required=False)
    related_tenders = serializers.ListField(child=IdField(), required=False)
    related_statements = serializers.ListField(child=IdField(), required=False)
    shared_groups = SharedGroupsInput()


class TenderSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    shared_groups = SharedGroupsOutput()
    cpv_codes = CpvSerializer(many=True, read_only=True)
    planned_publication = serializers.CharField(read_only=True)
    interest_count = serializers.IntegerField(read_only=True, default=0)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PlannedTender
        fields = [
            "id",
            "url",
            "title",
            "description",
            "organisation",
            "visibility",
            "shared_groups",
            "cpv_codes",
            "estimated_quantity",
            "estimated_value_eur",
            "planned_year",
            "planned_quarter",
            "planned_publication",
            "procedure",
            "status",
            "joint_procurement_open",
            "strategic_goals",
            "interest_count",
            "updated_at",
        ]

    def get_url(self, obj: PlannedTender) -> str:
        return obj.get_absolute_url()


class TenderWriteSerializer(serializers.Serializer):
    """Parses the body into :class:`~knowledge.services.TenderData`; the bounds (year, quarter,
    amounts) are the model's, run once by the service, with the page form's messages."""

    organisation = serializers.SlugField(required=False)
    title = ModelTextInput(PlannedTender, "title")
    description = ModelTextInput(PlannedTender, "description")
    visibility = ModelChoiceInput(choices=Visibility.choices, required=False)
    cpv_codes = CpvCodesInput()
    estimated_quantity = ModelIntegerInput(PlannedTender, "estimated_quantity")
    estimated_value_eur = EurosInput()
    planned_year = ModelIntegerInput(PlannedTender, "planned_year")
    planned_quarter = ModelIntegerInput(PlannedTender, "planned_quarter")
    procedure = ModelChoiceInput(choices=Procedure.choices, required=False)
    status = ModelChoiceInput(choices=TenderStatus.choices, required=False)
    joint_procurement_open = serializers.BooleanField(required=False)
    strategic_goals = serializers.ListField(
        child=ModelChoiceInput(choices=StrategicGoal.choices), required=False
    )
    templates = serializers.ListField(child=IdField(), required=False)
    shared_groups = SharedGroupsInput()


class InterestSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    person = serializers.CharField(
        source="person.display_name", default=None, read_only=True, help_text="Who last changed it."
    )

    class Meta:
        model = TenderInterest
        fields = ["organisation", "person", "note", "created_at", "updated_at"]


class InterestChangeSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    person = serializers.CharField(source="person.display_name", default=None, read_only=True)

    class Meta:
        model = TenderInterestChange
        fields = ["organisation", "person", "action", "note", "at"]


class InterestWriteSerializer(serializers.Serializer):
    organisation = serializers.SlugField(required=False, help_text="Default: your only organisation.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_field(OpenApiTypes.OBJECT)
class OcdsPackage(serializers.JSONField):
    pass
