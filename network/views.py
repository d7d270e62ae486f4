"""HTML views of the network fabric: home, notifications, unsubscribe, error pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from network import notification_kinds
from network import notifications as notification_service
from network.models import Notification


def home(request):
    from members.models import Organisation, WorkingGroup

    context = {
        "organisation_count": Organisation.objects.filter(verified=True).count(),
        "country_count": Organisation.objects.filter(verified=True).values("country").distinct().count(),
        "group_count": WorkingGroup.objects.count(),
    }
    return render(request, "network/home.html", context)


NOTIFICATIONS_PER_PAGE = 30


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The person's notifications, newest first; ``?unread=1`` filters; POST marks all read."""
    if request.method == "POST":
        notification_service.mark_read(request.user)
        messages.success(request, _("All notifications marked as read."))
        return HttpResponseRedirect(request.get_full_path())
    unread_only = request.GET.get("unread") in ("1", "true")
    qs = Notification.objects.for_person(request.user).select_related("actor")
    if unread_only:
        qs = qs.unread()
    page = Paginator(qs, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "network/notifications.html", {"page": page, "unread_only": unread_only})


def _own_notification(request, pk: int) -> Notification:
    try:
        return notification_service.mark_one_read(request.user, pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc  # another person's notification looks like a missing one


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and go back to the list (keeping the filter and page)."""
    _own_notification(request, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = reverse("network:notifications")
    return HttpResponseRedirect(back)


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark read and follow the notification's link (local links only)."""
    note = _own_notification(request, pk)
    target = note.url if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}) else ""
    return HttpResponseRedirect(target or reverse("network:notifications"))


class NotificationSettingsForm(forms.Form):
    """The overall e-mail setting plus one channel per notification category."""

    email_notifications = forms.ChoiceField(
        label=gettext_lazy("E-mail me about notifications"),
        widget=forms.RadioSelect,
        choices=[],
        help_text=gettext_lazy("The default for every kind below you have not set one by one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        Person = get_user_model()
        self.fields["email_notifications"].choices = Person.EmailPreference.choices
        for category in notification_kinds.categories():
            self.fields[f"channel_{category.key}"] = forms.ChoiceField(
                label=category.label,
                help_text=category.help_text,
                widget=forms.RadioSelect,
                choices=notification_kinds.Channel.choices,
                required=False,  # left out: unchanged
            )

    def channel_fields(self):
        return [self[f"channel_{c.key}"] for c in notification_kinds.categories()]


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    person = request.user
    initial = {"email_notifications": person.email_notifications}
    initial.update({f"channel_{k}": v for k, v in notification_service.preferences(person).items()})
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        overall = form.cleaned_data["email_notifications"]
        changes = {
            c.key: form.cleaned_data[f"channel_{c.key}"]
            for c in notification_kinds.categories()
            if form.cleaned_data[f"channel_{c.key}"]
            and form.cleaned_data[f"channel_{c.key}"] != initial[f"channel_{c.key}"]
        }
        if overall != person.email_notifications:
            notification_service.set_email_preference(person, overall)
        notification_service.set_preferences(person, changes)
        messages.success(request, _("Notification settings saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "network/notification_settings.html", {"form": form})


@csrf_exempt  # the signed token is the credential; mail clients POST one-click (RFC 8058) without CSRF
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Works without signing in: the signed token names the person. GET asks, POST unsubscribes."""
    person_id = notification_service.person_for_unsubscribe_token(token)
    if person_id is None:
        raise Http404
    Person = get_user_model()
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    done = False
    if request.method == "POST":
        notification_service.set_email_preference(person, Person.EmailPreference.NEVER)
        done = True
    return render(request, "network/unsubscribe.html", {"done": done, "email": person.email})


def favicon(request):
    """Pages without an icon link of their own (the admin, the API docs) make browsers ask for
    /favicon.ico; send them to the site icon (resolved per request: the static manifest exists only
    after collectstatic)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("network/favicon.svg"))
