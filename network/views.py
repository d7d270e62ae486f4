"""HTML views of the network fabric: home, notifications, unsubscribe, error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

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


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        notification_service.mark_read(request.user)
        messages.success(request, _("All notifications marked as read."))
        return HttpResponseRedirect(request.path)
    page = Paginator(Notification.objects.for_person(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "network/notifications.html", {"page": page})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Works without signing in: the signed token names the person."""
    person_id = notification_service.person_for_unsubscribe_token(token)
    if person_id is None:
        raise Http404
    Person = get_user_model()
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    done = False
    if request.method == "POST":
        person.email_notifications = Person.EmailPreference.NEVER
        person.save(update_fields=["email_notifications"])
        done = True
    return render(request, "network/unsubscribe.html", {"done": done, "email": person.email})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
