"""HTML forms. They collect input; the services decide (errors are put back on the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from members.models import Organisation, Person, Role, WorkingGroup
from network.categories import DeviceCategory


class OrganisationForm(forms.Form):
    """Profile fields of an organisation, with one number field per device category."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=80,
        required=False,
        help_text=_("Letters, numbers and hyphens, used in links. Leave empty to derive it from the name."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries])
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Organisation.Kind.choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    people_served = forms.IntegerField(
        label=_("People served"),
        min_value=0,
        required=False,
        help_text=_("For example the number of employees."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in DeviceCategory.choices:
            self.fields[f"volume_{value}"] = forms.IntegerField(
                label=_("%(category)s a year") % {"category": label},
                min_value=0,
                max_value=10_000_000,
                required=False,
            )

    @classmethod
    def initial_for(cls, org: Organisation) -> dict:
        initial = {
            f: getattr(org, f) for f in ("name", "slug", "kind", "website", "description", "people_served")
        }
        initial["country"] = org.country.code
        for category, units in (org.annual_volumes or {}).items():
            initial[f"volume_{category}"] = units
        return initial

    def volume_fields(self):
        return [self[f"volume_{v}"] for v in DeviceCategory.values]

    def profile_fields(self):
        return [
            self[f] for f in ("name", "slug", "country", "kind", "website", "description", "people_served")
        ]

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("volume_")}
        data["annual_volumes"] = {
            v: self.cleaned_data[f"volume_{v}"]
            for v in DeviceCategory.values
            if self.cleaned_data.get(f"volume_{v}") is not None
        }
        for key in ("website", "description"):
            data[key] = data.get(key) or ""
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "title", "email_notifications"]
        widgets = {"email_notifications": forms.RadioSelect}
        help_texts = {
            "email_notifications": _("How you hear about replies, invitations and join requests by e-mail."),
        }


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    visibility = forms.ChoiceField(
        label=_("Who can see the group"),
        choices=WorkingGroup.Visibility.choices,
        help_text=_("Network: members of verified organisations. Public: anyone."),
    )
    convener = forms.ModelChoiceField(label=_("Convening organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class JoinRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation asking to join"), queryset=Organisation.objects.none()
    )
    note = forms.CharField(
        label=_("Note to the conveners"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name contains"), required=False)
    country = forms.ChoiceField(
        label=_("Country"), choices=[("", _("All countries")), *countries], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Organisation.Kind.choices], required=False
    )


class VerificationForm(forms.Form):
    """Staff verify (or withdraw verification of) an organisation, with the reason kept on record."""

    verified = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Verify")), ("0", _("Withdraw verification"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    verified_domains = forms.CharField(
        label=_("Verified e-mail domains"),
        required=False,
        help_text=_(
            "Comma-separated, e.g. hel.fi, edu.hel.fi. People with a verified address there join as members."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the organisation's history and sent to its owners and admins."),
    )

    def clean_verified_domains(self) -> list[str]:
        raw = self.cleaned_data.get("verified_domains", "")
        return [d.strip() for d in raw.replace(";", ",").split(",") if d.strip()]
