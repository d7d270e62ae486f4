"""The feedback form of the accessibility statement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.accessibility.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["kind", "message", "page_url", "name", "email"]
        labels = {
            "kind": _("What is it about?"),
            "message": _("Your feedback"),
            "page_url": _("Page or document concerned (optional)"),
            "name": _("Your name (optional)"),
            "email": _("Your e-mail address (optional, needed for an answer)"),
        }
        help_texts = {
            "message": _(
                "Tell us what you tried to do, what happened and which assistive technology you use, if any."
            ),
            "email": _("We answer within 14 days."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
            "page_url": forms.TextInput(attrs={"autocomplete": "url"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(
                _("Please describe the problem in a few words (at least 10 characters).")
            )
        return message
