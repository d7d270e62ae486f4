"""HTML forms for events. They only parse input; rules live in services."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from network import sharing
from network.events import selectors
from network.events.models import Audience, Event, EventOutcome
from network.events.services import EventData
from network.validation import OpenChoiceField, OpenMultipleChoiceField
from network.visibility import Visibility, viewer_for

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [(z, z.replace("_", " ")) for z in ["UTC", *names]]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=_LOCAL_FORMAT, **kwargs)


class EventForm(forms.Form):
    """Create or edit an event; start and end are read as wall-clock times in the event's zone."""

    organisation = forms.ModelChoiceField(
        label=_("Lead host"), queryset=Organisation.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Markdown: programme, who should come."),
    )
    time_zone = OpenChoiceField(label=_("Time zone"), initial="Europe/Helsinki")
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=LocalDateTimeInput(), input_formats=[_LOCAL_FORMAT]
    )
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput(), input_formats=[_LOCAL_FORMAT])
    place = forms.CharField(label=_("Place"), required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    audience = OpenMultipleChoiceField(
        label=_("Audience"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, help_text=_("Leave empty for unlimited places.")
    )
    registration_open = forms.BooleanField(label=_("Registration open"), required=False, initial=True)
    visibility = OpenChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.NETWORK
    )
    shared_groups = sharing.SharedGroupsField(
        help_text=_("With “Working groups”: the member organisations of these groups may see it.")
    )
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=Organisation.objects.none(), required=False
    )
    co_hosts = forms.ModelMultipleChoiceField(
        label=_("Co-hosts"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Other organisations hosting with you; their editors can manage the event too."),
    )
    cpv_codes = forms.CharField(
        label=_("CPV codes"),
        required=False,
        help_text=_("What the event is about, e.g. 30213100-6; suppliers filter the events feed by them."),
    )
    status = OpenChoiceField(label=_("Status"), choices=Event.Status.choices, initial=Event.Status.SCHEDULED)

    def __init__(self, *args: Any, person: Any, event: Event | None = None, **kwargs: Any) -> None:
        self.event = event
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(event)
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()
        viewer = viewer_for(person)
        self.fields["working_group"].queryset = selectors.visible_working_groups(person).filter(
            pk__in=viewer.group_ids
        )
        self.fields["co_hosts"].queryset = Organisation.objects.filter(verified=True).order_by("name")
        if event is None:
            self.fields["organisation"].queryset = selectors.hostable_organisations(person)
            sharing.offer(self, [o.pk for o in self.fields["organisation"].queryset])
            del self.fields["status"]
        else:
            sharing.offer(self, [event.organisation_id])
            del self.fields["organisation"]
            self.fields["co_hosts"].queryset = self.fields["co_hosts"].queryset.exclude(
                pk=event.organisation_id
            )

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        zone = event.zone
        return {
            "title": event.title,
            "description": event.description,
            "time_zone": event.time_zone,
            "starts_at": timezone.localtime(event.starts_at, zone).replace(tzinfo=None),
            "ends_at": timezone.localtime(event.ends_at, zone).replace(tzinfo=None),
            "place": event.place,
            "online_url": event.online_url,
            "audience": event.audience_list,
            "capacity": event.capacity,
            "registration_open": event.registration_open,
            "visibility": event.visibility,
            "working_group": event.working_group_id,
            "shared_groups": sharing.initial(event),
            # Accepted co-hosts and those still invited: saving the form keeps both as they are.
            "co_hosts": [o.pk for o in event.hosts.all() if o.pk != event.organisation_id]
            + [i.organisation_id for i in event.cohost_invitations.filter(status="pending")],
            "status": event.status,
            "cpv_codes": " ".join(c.full_code for c in event.cpv_codes.all()),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name:
            zone = ZoneInfo(zone_name)
            for key in ("starts_at", "ends_at"):
                value: datetime | None = data.get(key)
                if value is not None:
                    data[key] = timezone.make_naive(value).replace(tzinfo=zone)
        return data  # the times' and the place's rules are the model's (Event.clean)

    def event_data(self) -> EventData:
        """The typed input of the service; an edit keeps what this form does not carry."""
        data = dict(self.cleaned_data)
        data["co_hosts"] = list(data.get("co_hosts") or [])
        data["cpv_codes"] = [c for c in re.split(r"[\s,;]+", data.get("cpv_codes") or "") if c]
        data["shared_groups"] = sharing.named(self)
        data.pop("organisation", None)
        base = EventData() if self.event is None else EventData.of(self.event)
        return base.with_changes(data)


class GuestRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"))
    organisation_name = forms.CharField(label=_("Your organisation"), max_length=200, required=False)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventOutcome.Kind.choices)
    object_ref = forms.CharField(
        label=_("Slug or id"), max_length=200, help_text=_("The last part of the item's address.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
