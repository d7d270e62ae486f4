"""HTML forms of the forums: they only carry input; the services hold the rules."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from forums.models import PostReport, Reaction
from forums.services import ForumData
from network import sharing
from network.validation import OpenChoiceField
from network.visibility import Visibility


def _client_id() -> str:
    return uuid.uuid4().hex


class PostForm(forms.Form):
    """A reply. The hidden ``client_id`` is fresh per rendered form, so a double submit (or a
    browser resend) stores one post."""

    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Markdown works: **bold**, _italic_, [links](https://…), lists. Mention people with @Name."
        ),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_id = forms.CharField(required=False, widget=forms.HiddenInput, initial=_client_id)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False)
    body = forms.CharField(
        label=_("First post"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown works. Mention people with @Name."),
    )
    client_id = forms.CharField(required=False, widget=forms.HiddenInput, initial=_client_id)


class EditForm(forms.Form):
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 8}))


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the forum's moderators see your report."),
    )


#: Names of the reactions for screen readers and tooltips (the emoji alone say little aloud).
REACTION_NAMES = {
    Reaction.Code.THUMBS_UP: _("Thumbs up"),
    Reaction.Code.HEART: _("Heart"),
    Reaction.Code.TADA: _("Celebrate"),
    Reaction.Code.EYES: _("Looking into it"),
    Reaction.Code.CHECK: _("Done"),
}
REACTIONS = [(code, label) for code, label in Reaction.Code.choices]


class ForumForm(forms.Form):
    """An organisation's own forum: who owns it, its name, and who may read it."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"), empty_label=None)
    name = forms.CharField(label=_("Name"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = OpenChoiceField(
        label=_("Who can read it"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        help_text=_("Private by default: only your organisation's members."),
    )
    shared_groups = sharing.SharedGroupsField(
        help_text=_("With “Working groups”: the member organisations of these groups may read and post."),
    )

    def __init__(self, *args, organisations=None, owners=(), fixed_organisation=False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        sharing.offer(self, owners or [o.pk for o in organisations])
        if fixed_organisation:
            del self.fields["organisation"]

    def forum_data(self) -> ForumData:
        d = self.cleaned_data
        return ForumData(
            name=d["name"],
            description=d["description"],
            visibility=d["visibility"],
            shared_groups=sharing.named(self),
        )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=PostReport.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (the reporter is told)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
