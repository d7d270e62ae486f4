"""The accessibility statement page and its feedback form."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from network.accessibility import services
from network.accessibility.forms import FeedbackForm

# The dates the statement states (Implementing Decision 2018/1523, "Preparation of this statement").
PREPARED_ON = datetime.date(2026, 12, 2)
REVIEWED_ON = datetime.date(2026, 12, 2)


@require_http_methods(["GET", "POST"])
def statement(request):
    """The statement (model of Implementing Decision 2018/1523) with the feedback form. A POST
    stores the report, e-mails staff and comes back to the page with a confirmation."""
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            services.feedback_submit(
                data=form.cleaned_data, person=request.user, language=get_language() or ""
            )
            messages.success(
                request, _("Thank you. Your feedback reached the network staff; we answer within 14 days.")
            )
            return HttpResponseRedirect(reverse("network:accessibility") + "#feedback")
    else:
        page = request.GET.get("page") or request.headers.get("Referer", "")
        form = FeedbackForm(initial={"page_url": page[:500]})
    context = {"form": form, "prepared_on": PREPARED_ON, "reviewed_on": REVIEWED_ON}
    return render(request, "accessibility/statement.html", context)
