"""HTML forms for statements: drafting (with a demands formset), signing and withdrawing.

Forms only parse and show input; the rules live in :mod:`knowledge.statements.services`, whose
``ValidationError`` messages are added back to the form so what was typed is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, WorkingGroup
from network import sharing
from network.categories import MAX_UNITS_PER_YEAR, DeviceCategory
from network.validation import OpenChoiceField
from network.visibility import Visibility, editor_organisation_ids, viewer_for, working_groups_visible_q


class StatementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Lead issuing organisation"),
        help_text=_("Its editors draft and open the statement."),
    )
    issuers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(verified=True),
        required=False,
        label=_("Co-issuing organisations"),
        help_text=_("Organisations you edit for, or members of the working group chosen below."),
    )
    working_group = forms.ModelChoiceField(
        queryset=WorkingGroup.objects.none(), required=False, label=_("Working group")
    )
    title = forms.CharField(required=False, label=_("Title"))
    summary = forms.CharField(required=False, label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        required=False,
        strip=False,
        label=_("Text"),
        help_text=_("Markdown: **bold**, lists, links."),
        widget=forms.Textarea,
    )
    contact = forms.CharField(required=False, label=_("Contact"))
    opens_on = forms.DateField(
        required=False, label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        required=False, label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    visibility = OpenChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        label=_("Who can read the draft"),
        help_text=_("Once opened for signature a statement is public."),
    )
    shared_groups = sharing.SharedGroupsField(
        help_text=_("With “Working groups”: the member organisations of these groups may read the draft.")
    )
    change_note = forms.CharField(
        required=False,
        label=_("What changed"),
        help_text=_("Needed when you change the text of a published statement: it becomes a new version."),
    )

    def __init__(
        self, *args: Any, person: Any, editing: bool = False, owners: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        viewer = viewer_for(person)
        editable = editor_organisation_ids(person)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=editable)
        sharing.offer(self, owners or editable)
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(working_groups_visible_q(viewer))
        if editing:
            for name in ("organisation", "issuers", "working_group"):
                del self.fields[name]
        else:
            del self.fields["change_note"]


class DemandForm(forms.Form):
    """One demand as typed; the ``Demand`` model's rules (run by the service) decide."""

    text = forms.CharField(required=False, label=_("Demand"), widget=forms.Textarea(attrs={"rows": 2}))
    category = OpenChoiceField(
        choices=[("", _("— any —")), *DeviceCategory.choices], required=False, label=_("Device category")
    )
    cpv_code = forms.CharField(required=False, label=_("CPV code"), help_text=_("e.g. 32250000-0"))


DemandFormSet = forms.formset_factory(DemandForm, extra=2, can_delete=True, max_num=30, validate_max=True)


def demands_from_formset(formset: Any) -> list[dict[str, Any]]:
    return [
        {k: f.cleaned_data.get(k, "") for k in ("text", "category", "cpv_code")}
        for f in formset.forms
        if f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and any(f.cleaned_data.get(k) for k in ("text", "category", "cpv_code"))
    ]


class SignForm(forms.Form):
    """What a signatory declares; the confirmation step shows it back before anything is stored."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Sign on behalf of"), empty_label=None
    )
    volumes_public = forms.BooleanField(
        required=False,
        label=_("Publish these volumes"),
        help_text=_(
            "Public volumes are shown on the statement and added to the totals. Otherwise only your "
            "organisation and the issuers see them."
        ),
    )
    comment = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Public comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        for value, label in DeviceCategory.choices:
            self.fields[f"volume_{value}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=MAX_UNITS_PER_YEAR,
                label=_("%(category)s bought a year") % {"category": label},
            )

    def volume_fields(self) -> list[forms.BoundField]:
        return [self[f"volume_{v}"] for v in DeviceCategory.values]

    def declared_volumes(self) -> dict[str, int]:
        """The figures typed in the form (what the person declares, not what anyone may read)."""
        return {
            v: self.cleaned_data[f"volume_{v}"]
            for v in DeviceCategory.values
            if self.cleaned_data.get(f"volume_{v}") is not None
        }


class WithdrawForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Withdraw the signature of"), empty_label=None
    )
    reason = forms.CharField(
        max_length=1000,
        label=_("Why"),
        help_text=_("The issuers see the reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )


class AmendForm(SignForm):
    """New figures for an organisation that has signed: the same fields as signing."""

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, organisations=organisations, **kwargs)
        self.fields["organisation"].label = _("Amend the signature of")
        self.fields["volumes_public"].label = _("Publish these volumes")
