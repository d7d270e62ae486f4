"""``/dashboard/``: the signed-in member's overview (thin: the selector does the work)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from network.dashboard import selectors

DAY_CHOICES = (7, 14, 30, 90)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", selectors.DEFAULT_DAYS))
    except ValueError:
        days = selectors.DEFAULT_DAYS
    board = selectors.dashboard_for(request.user, days=days)
    return render(request, "dashboard/index.html", {"board": board, "day_choices": DAY_CHOICES})
