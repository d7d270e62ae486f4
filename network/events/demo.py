"""Demo events: the Nordic Forum for Market Dialogue (25 Nov 2020) and an upcoming webinar.

Idempotent: events are found by slug, registrations by person or guest e-mail, outcomes by their
natural key, so a second ``loaddemo`` changes nothing. Organisations, people and the statement come
from the other demo modules; anything missing is skipped rather than invented.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members.models import Organisation, Person, WorkingGroup
from network.events import services
from network.events.models import Event, EventOutcome, Registration

NORDIC_FORUM = "nordic-forum-market-dialogue-fair-circular-smartphones-2020"
WEBINAR = "webinar-electronics-watch-affiliation-ict-contracts"
SMARTPHONE_STATEMENT = "circular-fair-smartphones"
HELSINKI_LESSON = "Ethical procurement of ICT: City of Helsinki"
logger = logging.getLogger(__name__)

NORDIC_DESCRIPTION = """\
A market dialogue between Nordic public buyers and the market on **fair, circular smartphones**,
opened by the Mayor of Malmö. Suppliers, resellers and third-party organisations (labels and
independent monitors) discussed the draft *Joint Statement of Demand for Circular, Fair
Smartphones* that the cities of Malmö, Oslo, Copenhagen and Helsinki developed under Make ICT Fair.

Themes:

- harmonised criteria and contract clauses from raw materials to end of life;
- working with resellers on supply-chain and end-of-life transparency;
- certification and worker-driven monitoring;
- longer lifespans: warranties, batteries, repair, second-life devices.
"""

WEBINAR_DESCRIPTION = """\
How do contracting authorities use **Electronics Watch affiliation** and its contract conditions in
ICT tenders? Peers who have done it walk through the clauses, the monitoring reports and what
changed in contract management. Resellers and civil society are welcome.

An online session of the International Working Group on Ethical Procurement of ICT. Places are
limited so that everyone can speak; a waiting list opens when the session is full.
"""


def _person(email: str) -> Person | None:
    return Person.objects.filter(email=email).first()


def _nordic_forum(orgs: dict[str, Organisation]) -> Event | None:
    event = Event.objects.filter(slug=NORDIC_FORUM).first()
    if event is not None:
        return event
    host = _person("owner@malmo.se")
    if host is None or not all(s in orgs for s in ("malmo", "oslo", "copenhagen", "helsinki")):
        return None
    zone = ZoneInfo("Europe/Stockholm")
    return _with_consent(
        services.event_create(
            person=host,
            organisation=orgs["malmo"],
            data=services.EventData(
                slug=NORDIC_FORUM,
                title="Nordic Forum for Market Dialogue on Fair, Circular Smartphones",
                description=NORDIC_DESCRIPTION,
                starts_at=datetime(2020, 11, 25, 9, 0, tzinfo=zone),
                ends_at=datetime(2020, 11, 25, 15, 30, tzinfo=zone),
                time_zone="Europe/Stockholm",
                place="Malmö, Sweden (and online)",
                audience=["buyers", "suppliers", "resellers", "civil_society"],
                registration_open=False,
                visibility="public",
                co_hosts=[orgs["oslo"], orgs["copenhagen"], orgs["helsinki"]],
            ),
        )
    )


def _webinar(orgs: dict[str, Organisation]) -> Event | None:
    event = Event.objects.filter(slug=WEBINAR).first()
    if event is not None:
        return event
    host = _person("editor@hel.fi")
    if host is None or "helsinki" not in orgs:
        return None
    zone = ZoneInfo("Europe/Helsinki")
    day = (timezone.now() + timedelta(days=30)).astimezone(zone).date()
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=zone)
    group = WorkingGroup.objects.filter(slug="ethical-ict").first()
    if (
        group is not None
        and not group.memberships.filter(organisation=orgs["helsinki"], status="approved").exists()
    ):
        group = None
    return _with_consent(
        services.event_create(
            person=host,
            organisation=orgs["helsinki"],
            data=services.EventData(
                slug=WEBINAR,
                title="Webinar: Electronics Watch affiliation in ICT contracts",
                description=WEBINAR_DESCRIPTION,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1, minutes=30),
                time_zone="Europe/Helsinki",
                online_url="https://meet.example.org/ethical-ict-webinar",
                audience=["buyers", "resellers", "civil_society"],
                capacity=5,
                visibility="public",
                working_group=group,
                co_hosts=[orgs["fisd"]] if "fisd" in orgs else [],
            ),
        )
    )


def _with_consent(event: Event) -> Event:
    """The demo's co-hosts agreed: an owner or admin of each accepts its invitation."""
    from members.models import MANAGER_ROLES, Membership
    from network.events import cohosts
    from network.events.models import CoHostInvitation

    for invitation in CoHostInvitation.objects.filter(event=event, status="pending"):
        manager = (
            Membership.objects.filter(organisation_id=invitation.organisation_id, role__in=MANAGER_ROLES)
            .select_related("person")
            .first()
        )
        if manager is not None:
            cohosts.cohost_invitation_accept(person=manager.person, invitation=invitation)
        else:  # no account of that organisation in the demo: its consent was given off the platform
            CoHostInvitation.objects.filter(pk=invitation.pk).update(
                status="accepted", answered_at=timezone.now()
            )
            event.hosts.add(invitation.organisation_id)
    return event


def _outcomes(event: Event) -> None:
    Statement = _model("statements.Statement")
    if Statement.objects.filter(slug=SMARTPHONE_STATEMENT).exists():
        EventOutcome.objects.get_or_create(
            event=event,
            kind=EventOutcome.Kind.STATEMENT,
            object_ref=SMARTPHONE_STATEMENT,
            defaults={"note": "Discussed in draft at the forum; published on 29 January 2021."},
        )
    Lesson = _model("knowledge.Lesson")
    lesson = Lesson.objects.filter(title=HELSINKI_LESSON).first()
    if lesson is not None:
        EventOutcome.objects.get_or_create(
            event=event,
            kind=EventOutcome.Kind.LESSON,
            object_ref=str(lesson.pk),
            defaults={"note": "Helsinki recommends hosting joint market dialogue events like this one."},
        )


def _model(label: str):
    return apps.get_model(label, require_ready=True)


def _historic_attendance(event: Event) -> None:
    """Who came to the 2020 forum (recorded after the fact, so written directly)."""
    for email in ["signatory@malmo.se", "signatory@oslo.kommune.no", "signatory@kk.dk", "signatory@hel.fi"]:
        person = _person(email)
        if person is None or event.registrations.filter(person=person).exists():
            continue
        Registration.objects.create(
            event=event,
            person=person,
            organisation=person.memberships.first().organisation if person.memberships.exists() else None,
            status=Registration.Status.CONFIRMED,
            confirmed_at=event.starts_at - timedelta(days=7),
        )
    guests = [
        ("Reseller representative", "dialogue@reseller.example", "Nordic ICT Reseller AB"),
        ("Monitoring partner", "contact@monitor.example", "Independent monitoring organisation"),
    ]
    for name, email, org in guests:
        if event.registrations.filter(guest_email=email).exists():
            continue
        Registration.objects.create(
            event=event,
            guest_name=name,
            guest_email=email,
            guest_organisation=org,
            status=Registration.Status.CONFIRMED,
            confirmed_at=event.starts_at - timedelta(days=7),
        )


def _webinar_registrations(event: Event) -> None:
    """Six members for five places, so the demo shows a waiting list."""
    for email in [
        "member@hel.fi",
        "signatory@malmo.se",
        "signatory@oslo.kommune.no",
        "signatory@kk.dk",
        "owner@fido.fgov.be",
        "owner@haarlem.nl",
    ]:
        person = _person(email)
        if person is None:
            continue
        try:
            services.registration_register(person=person, event=event)
        except (PermissionDenied, ValidationError) as exc:  # e.g. a trimmed demo: skip, say why
            logger.info("demo registration of %s skipped: %s", email, exc)
    if not event.registrations.filter(guest_email="buyer.relations@reseller.example").exists():
        _reg, token = services.guest_registration_start(
            event=event,
            name="Reseller guest",
            email="buyer.relations@reseller.example",
            organisation_name="Nordic ICT Reseller AB",
        )
        if token:
            services.guest_registration_confirm(token=token)


def load(stdout) -> None:
    orgs = {
        o.slug: o
        for o in Organisation.objects.filter(slug__in=["malmo", "oslo", "copenhagen", "helsinki", "fisd"])
    }
    forum = _nordic_forum(orgs)
    if forum is not None:
        _historic_attendance(forum)
        _outcomes(forum)
    webinar = _webinar(orgs)
    if webinar is not None:
        _webinar_registrations(webinar)
    stdout.write(
        f"  events: {Event.objects.count()} events, {Registration.objects.count()} registrations, "
        f"{EventOutcome.objects.count()} outcomes"
    )
