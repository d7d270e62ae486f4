"""HTML forms for the library. They collect input; :mod:`knowledge.services` decides what is valid,
and :func:`apply_errors` puts the service's messages next to the fields (keeping what was typed)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from knowledge.models import Label
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
from knowledge.models.templates import TenderTemplate
from knowledge.services.lessons import LessonData
from knowledge.services.templates import TemplateData
from knowledge.services.tenders import TenderData
from network import content, sharing
from network.validation import NumberField, OpenChoiceField, OpenMultipleChoiceField, add_to_form
from network.visibility import Visibility

BLANK = [("", _("Any"))]


def split_codes(value: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", value or "") if c]


def org_choices(orgs) -> list[tuple[str, str]]:
    return [(o.slug, o.name) for o in orgs]


def country_choices() -> list[Any]:
    """Countries with a verified member organisation first (what a filter can find), then the
    rest of ISO 3166, each group sorted by its name in the viewer's language."""
    from members.models import Organisation

    present = set(Organisation.objects.filter(verified=True).values_list("country", flat=True).distinct())
    ours = [(code, name) for code, name in countries if code in present]
    others = [(code, name) for code, name in countries if code not in present]
    return [(_("Countries in the network"), ours), (_("Other countries"), others)]


class LibraryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Show"), required=False)
    cpv = forms.CharField(
        label=_("CPV code or prefix"), required=False, max_length=12, help_text=_("e.g. 30213100-6 or 302")
    )
    label = forms.ChoiceField(label=_("Label"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=BLANK + list(LessonStage.choices), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=BLANK + LANGUAGES, required=False)
    organisation = forms.CharField(label=_("Organisation (slug)"), required=False, max_length=80)
    procedure = forms.ChoiceField(
        label=_("Procedure"), choices=BLANK + list(Procedure.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        help_text=_("Templates: draft or published; planned tenders: their stage."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [
            (ct.kind, ct.label) for ct in content.library_types()
        ]
        self.fields["label"].choices = BLANK + [(lb.slug, lb.name) for lb in Label.objects.all()]
        self.fields["country"].choices = BLANK + country_choices()
        statuses = dict(TenderTemplate.Status.choices)
        for value, name in TenderStatus.choices:
            statuses.setdefault(value, name)
        self.fields["status"].choices = BLANK + list(statuses.items())

    def params(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v and k != "kind"}


class TemplateForm(forms.Form):
    """A template's page form: it carries input into :class:`TemplateData`; the model's rules,
    run once by the service, decide (see :func:`apply_errors`)."""

    organisation = forms.ChoiceField(label=_("Organisation"))
    title = forms.CharField(label=_("Title"), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    cpv_codes = forms.CharField(
        label=_("CPV codes"),
        required=False,
        help_text=_("Codes with check digit, separated by spaces or commas, e.g. 30213100-6 30213200-7"),
    )
    procedure = OpenChoiceField(label=_("Procedure (Directive 2014/24/EU)"), choices=Procedure.choices)
    language = OpenChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    licence = OpenChoiceField(label=_("Licence"), choices=Licence.choices)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    visibility = OpenChoiceField(label=_("Who can read it"), choices=Visibility.choices)
    shared_groups = sharing.SharedGroupsField()

    def __init__(self, *args, organisations=(), editing: bool = False, owners=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = org_choices(organisations)
        sharing.offer(self, owners or [o.pk for o in organisations])

    def service_data(self, criteria: list[dict[str, Any]]) -> TemplateData:
        d = self.cleaned_data
        return TemplateData(
            **{
                k: d[k]
                for k in ("title", "summary", "procedure", "language", "licence", "tags", "visibility")
            },
            cpv_codes=split_codes(d["cpv_codes"]),
            criteria=criteria,
            shared_groups=sharing.named(self),
        )


class CriterionForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    stage = OpenChoiceField(label=_("Stage"), choices=[("", "—"), *Stage.choices], required=False)
    title = forms.CharField(label=_("Criterion title"), required=False)
    text = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    ambition = OpenChoiceField(
        label=_("Ambition level"), choices=Ambition.choices, initial=Ambition.CORE, required=False
    )
    means_of_proof = OpenMultipleChoiceField(
        label=_("Means of proof"),
        choices=MeansOfProof.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    labels = OpenMultipleChoiceField(label=_("Labels"), widget=forms.CheckboxSelectMultiple, required=False)
    verification_text = forms.CharField(
        label=_("Verification"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    weight = NumberField(_("Weight (award criteria, %)"))

    def __init__(self, *args, label_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["labels"].choices = label_choices

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not (d.get("title") or d.get("text") or d.get("stage"))


def criteria_sections(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The criterion forms grouped by procurement stage, for the editor's stage-by-stage sections
    and its summary; forms without a stage yet (the empty ones) come last as "New criteria".

    Grouping only changes where a form is shown: each keeps its prefix, so the order saved is
    still the formset's order.
    """
    groups: dict[str, list[Any]] = {value: [] for value, _label in Stage.choices}
    new: list[Any] = []
    for sub in formset:
        stage = sub["stage"].value() or ""
        groups.get(stage, new).append(sub)
    sections = []
    for value, label in [*Stage.choices, ("new", _("New criteria"))]:
        subs = new if value == "new" else groups[value]
        if not subs:
            continue
        weights = [_as_int(sub["weight"].value()) for sub in subs]
        sections.append(
            {
                "key": value,
                "title": label,
                "forms": subs,
                "count": sum(1 for sub in subs if sub["title"].value() or sub["text"].value()),
                "weight_total": sum(w for w in weights if w is not None) if value == Stage.AWARD else None,
                "has_errors": any(sub.errors for sub in subs),
            }
        )
    return sections


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class BaseCriterionFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs) -> None:
        self.label_choices = [(lb.slug, lb.name) for lb in Label.objects.all()]
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"label_choices": self.label_choices}

    def criteria(self) -> list[dict[str, Any]]:
        """The non-empty, non-deleted criteria in submitted order, as service input."""
        items = []
        self.item_forms = []
        for form in self.forms:
            if not form.is_valid() or (self.can_delete and self._should_delete_form(form)) or form.is_blank():
                continue
            d = form.cleaned_data
            items.append({**d, "key": d.get("key"), "ambition": d.get("ambition") or Ambition.CORE})
            self.item_forms.append(form)
        return items


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


def apply_errors(exc: ValidationError, form: forms.Form, formset: BaseCriterionFormSet | None = None) -> None:
    """Put a service's ``ValidationError`` on the form (and each criterion's on its formset form)."""
    item_errors = getattr(exc, "item_errors", None)
    if item_errors is not None and formset is not None:
        for sub, errs in zip(formset.item_forms, item_errors, strict=False):
            for field, messages in errs.items():
                for message in messages:
                    sub.add_error(field if field in sub.fields else None, message)
        form.add_error(None, _("Some criteria need attention; see the messages next to them."))
        others = {k: v for k, v in exc.message_dict.items() if k != "criteria"}
        if others:
            add_to_form(ValidationError(others), form)
        return
    add_to_form(exc, form)


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ForkForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Fork into"))
    version = forms.IntegerField(label=_("Version"), min_value=1)

    def __init__(self, *args, organisations=(), versions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = org_choices(organisations)
        self.fields["version"].widget = forms.Select(choices=[(n, f"v{n}") for n in versions])


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF, DOCX, ODT, XLSX, ODS)"))


class _OwnedContentForm(forms.Form):
    """A lesson's or planned tender's page form: it only carries input into the type's dataclass;
    the service validates with the model's rules and :func:`apply_errors` shows its messages."""

    organisation = forms.ChoiceField(label=_("Organisation"))
    data_class: Any

    def __init__(self, *args, organisations=(), editing: bool = False, owners=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = org_choices(organisations)
        sharing.offer(self, owners or [o.pk for o in organisations])

    def service_data(self) -> Any:
        values = {k: v for k, v in self.cleaned_data.items() if k not in ("organisation", sharing.FIELD)}
        return self.data_class.from_mapping({**self.adapt(values), "shared_groups": sharing.named(self)})

    def adapt(self, values: dict[str, Any]) -> dict[str, Any]:
        return values


class LessonForm(_OwnedContentForm):
    data_class = LessonData
    title = forms.CharField(label=_("Title"), required=False)
    visibility = OpenChoiceField(label=_("Who can read it"), choices=Visibility.choices)
    shared_groups = sharing.SharedGroupsField()
    language = OpenChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    stages = OpenMultipleChoiceField(
        label=_("Procurement stages"),
        choices=LessonStage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    context = forms.CharField(label=_("Context"), widget=forms.Textarea, required=False)
    approach = forms.CharField(label=_("Approach"), widget=forms.Textarea, required=False)
    market_dialogue = forms.CharField(label=_("Market dialogue"), widget=forms.Textarea, required=False)
    challenges = forms.CharField(label=_("Challenges"), widget=forms.Textarea, required=False)
    recommendations = forms.CharField(
        label=_("Recommendations"), widget=forms.Textarea, required=False, help_text=_("One per line")
    )
    next_action = forms.CharField(
        label=_("Next action"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))


class TenderForm(_OwnedContentForm):
    data_class = TenderData
    title = forms.CharField(label=_("Title"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    cpv_codes = forms.CharField(label=_("CPV codes"), required=False, help_text=_("e.g. 30213100-6"))
    estimated_quantity = NumberField(_("Estimated quantity"))
    estimated_value_eur = NumberField(_("Estimated value (EUR)"), decimal=True)
    planned_year = NumberField(_("Planned publication: year"))
    planned_quarter = OpenChoiceField(
        label=_("Planned publication: quarter"), choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )
    procedure = OpenChoiceField(label=_("Procedure"), choices=Procedure.choices)
    status = OpenChoiceField(label=_("Status"), choices=TenderStatus.choices)
    joint_procurement_open = forms.BooleanField(label=_("Open to joint procurement"), required=False)
    strategic_goals = OpenMultipleChoiceField(
        label=_("Strategic goals (eForms)"),
        choices=StrategicGoal.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    visibility = OpenChoiceField(label=_("Who can read it"), choices=Visibility.choices)
    shared_groups = sharing.SharedGroupsField()

    def adapt(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "cpv_codes": split_codes(values.get("cpv_codes", ""))}


class InterestForm(forms.Form):
    organisation = forms.ChoiceField(label=_("On behalf of"))
    note = forms.CharField(
        label=_("Note for the buyer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = org_choices(organisations)
