"""HTML views for events: thin — they parse input, call services/selectors and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from network.events import cohosts, exports, ical, selectors, services
from network.events.forms import EventForm, GuestRegistrationForm, OutcomeForm
from network.events.models import Audience, Event, EventOutcome, Registration
from network.ratelimit import RateLimited
from network.validation import add_to_form, save_from_form


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def event_list(request: HttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    events = selectors.events_for(request.user)
    events = events.past() if when == "past" else events.upcoming()
    audience = request.GET.get("audience", "")
    if audience in Audience.values:
        events = events.for_audience(audience)
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    can_create = (
        selectors.hostable_organisations(request.user).exists() if request.user.is_authenticated else False
    )
    return render(
        request,
        "events/list.html",
        {
            "page": page,
            "when": when,
            "audience": audience,
            "audiences": Audience.choices,
            "can_create": can_create,
        },
    )


def _detail_context(request: HttpRequest, event: Event, **extra) -> dict:
    registration = selectors.registration_of(request.user, event)
    caps = selectors.event_capabilities(request.user, event, registration=registration)
    return {
        "event": event,
        "caps": caps,
        "registration": registration,
        "waiting_position": selectors.waiting_position(registration) if registration else None,
        "pending_cohosts": cohosts.pending_for_event(event) if caps.can_edit else [],
        "outcomes": selectors.outcomes_for(request.user, event),
        "guest_form": extra.pop("guest_form", None) or GuestRegistrationForm(),
        "takes_registrations": event.registration_open and not event.is_past and not event.is_cancelled,
        **extra,
    }


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, slug)
    return render(request, "events/detail.html", _detail_context(request, event))


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if not selectors.hostable_organisations(request.user).exists():
        raise PermissionDenied
    form = EventForm(request.POST or None, person=request.user)
    event = save_from_form(
        request,
        form,
        lambda: services.event_create(
            person=request.user, organisation=form.cleaned_data["organisation"], data=form.event_data()
        ),
        success=_("Event created."),
    )
    if event is not None:
        _tell_invited(request, event)
        return redirect(event)
    return render(request, "events/form.html", {"form": form, "event": None})


def _hosted_event(request: HttpRequest, slug: str) -> Event:
    """The event if readable (else 404) and hosted by the person (else 403)."""
    event = selectors.event_for(request.user, slug)
    if not selectors.is_host(request.user, event):
        raise PermissionDenied
    return event


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _hosted_event(request, slug)
    form = EventForm(request.POST or None, person=request.user, event=event)
    saved = save_from_form(
        request,
        form,
        lambda: services.event_update(person=request.user, event=event, data=form.event_data()),
        success=_("Event saved."),
    )
    if saved is not None:
        _tell_invited(request, saved)
        return redirect(saved)
    return render(request, "events/form.html", {"form": form, "event": event})


def _tell_invited(request: HttpRequest, event: Event) -> None:
    pending = cohosts.pending_for_event(event)
    if pending:
        messages.info(
            request,
            _("Invited to co-host: %(names)s. They appear as hosts once one of their admins accepts.")
            % {"names": ", ".join(i.organisation.name for i in pending)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def cohost_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited organisation's members see the invitation; its owners and admins answer it."""
    invitation = cohosts.invitation_for(request.user, pk)
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        service = {
            "accept": cohosts.cohost_invitation_accept,
            "decline": cohosts.cohost_invitation_decline,
        }.get(answer)
        if service is None:
            messages.error(request, _("Choose to accept or decline."))
            status = 400
        else:
            try:
                invitation = service(person=request.user, invitation=invitation)
            except cohosts.InvitationConflict as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                if answer == "accept":
                    messages.success(
                        request, _("%(org)s now co-hosts this event.") % {"org": invitation.organisation.name}
                    )
                    return redirect(invitation.event)
                messages.success(request, _("You declined the invitation."))
                return redirect("events:cohost_invitation", pk=invitation.pk)
    from network import visibility

    return render(
        request,
        "events/cohost_invitation.html",
        {
            "invitation": invitation,
            "can_answer": visibility.can_manage(request.user, invitation.organisation_id),
        },
        status=status,
    )


@login_required
@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, slug)
    try:
        reg = services.registration_register(person=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if reg.status == Registration.Status.CONFIRMED:
            messages.success(request, _("You are registered."))
        else:
            messages.info(request, _("The event is full: you are on the waiting list."))
    return redirect(event)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, slug)
    if services.registration_cancel_for(person=request.user, event=event):
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


@require_POST
def guest_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, slug)
    form = GuestRegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.guest_registration_start(
                event=event, client=request.META.get("REMOTE_ADDR", ""), **form.cleaned_data
            )
        except ValidationError as exc:
            add_to_form(exc, form)
        except RateLimited as exc:
            form.add_error(None, str(exc))
            return render(
                request, "events/detail.html", _detail_context(request, event, guest_form=form), status=429
            )
        else:
            messages.success(
                request,
                _("Thank you. We sent a confirmation link to %(email)s: your place is held once you open it.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect(event)
    return render(request, "events/detail.html", _detail_context(request, event, guest_form=form), status=400)


@require_http_methods(["GET", "POST"])
def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners prefetch links); POST uses the single-use token."""
    pending = services.guest_registration_for_token(token)
    if request.method == "GET":
        if pending is None:
            return render(request, "events/guest_link_used.html", status=404)
        return render(request, "events/guest_confirm.html", {"registration": pending, "event": pending.event})
    try:
        reg = services.guest_registration_confirm(token=token)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(pending.event if pending else "events:list")
    if reg is None:
        return render(request, "events/guest_link_used.html", status=404)
    return render(
        request, "events/guest_confirm.html", {"registration": reg, "event": reg.event, "done": True}
    )


@require_http_methods(["GET", "POST"])
def guest_cancel(request: HttpRequest, token: str) -> HttpResponse:
    reg = services.registration_for_guest_cancel_token(token)
    if reg is None:
        raise Http404
    done = reg.status == Registration.Status.CANCELLED
    if request.method == "POST" and not done:
        reg = services.registration_cancel(registration=reg)
        done = True
    return render(
        request, "events/guest_cancel.html", {"registration": reg, "event": reg.event, "done": done}
    )


def _calendar_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_for(request.user, slug)
    return _calendar_response(
        ical.calendar([event], person=request.user, name=event.title, time_zone=event.time_zone),
        f"{slug}.ics",
    )


FEED_LIMIT = 500


def feed_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """Calendar clients fetch without a session, so they get the organisation's public events."""
    organisation, events = selectors.feed_organisation(request.user, slug)
    events = events.order_by("-starts_at")[:FEED_LIMIT]
    name = _("Events: %(name)s") % {"name": organisation.name}
    return _calendar_response(ical.calendar(events, person=request.user, name=name), f"{slug}-events.ics")


def feed_working_group(request: HttpRequest, slug: str) -> HttpResponse:
    group, events = selectors.feed_working_group(request.user, slug)
    events = events.order_by("-starts_at")[:FEED_LIMIT]
    name = _("Events: %(name)s") % {"name": group.name}
    return _calendar_response(ical.calendar(events, person=request.user, name=name), f"{slug}-events.ics")


@login_required
def attendees(request: HttpRequest, slug: str) -> HttpResponse:
    event = _hosted_event(request, slug)
    registrations = list(selectors.attendees(event))
    counts = dict.fromkeys(Registration.Status.values, 0)
    for reg in registrations:
        counts[reg.status] += 1
    return render(
        request,
        "events/attendees.html",
        {
            "event": event,
            "registrations": registrations,
            "counts": counts,
            "outcomes": selectors.outcomes_for(request.user, event),
            "outcome_form": OutcomeForm(),
        },
    )


@login_required
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = _hosted_event(request, slug)
    response = HttpResponse(
        exports.attendees_csv(selectors.attendees(event)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}-attendees.csv"'
    return response


@login_required
@require_POST
def attendee_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _hosted_event(request, slug)
    reg = get_object_or_404(Registration, pk=pk, event=event)
    services.registration_remove(person=request.user, registration=reg)
    messages.success(request, _("%(name)s is off the list.") % {"name": reg.display_name})
    return redirect("events:attendees", slug=slug)


@login_required
@require_POST
def outcome_add(request: HttpRequest, slug: str) -> HttpResponse:
    event = _hosted_event(request, slug)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_add(person=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Outcome linked."))
    else:
        messages.error(request, _("Choose a kind and give the item's slug or id."))
    return redirect("events:attendees", slug=slug)


@login_required
@require_POST
def outcome_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _hosted_event(request, slug)
    outcome = get_object_or_404(EventOutcome, pk=pk, event=event)
    services.outcome_remove(person=request.user, outcome=outcome)
    messages.success(request, _("Outcome removed."))
    return redirect("events:attendees", slug=slug)
