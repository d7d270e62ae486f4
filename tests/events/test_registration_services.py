"""Registration rules: capacity, waiting list, promotion, idempotency, guests confirming once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import Role
from network.events import services
from network.events.models import Event, Registration
from network.models import Notification
from tests import factories
from tests.events.factories import event, past_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return factories.organisation("City of Helsinki", slug="helsinki")


def test_members_beyond_capacity_go_on_the_waiting_list_in_order(org):
    ev = event(org, capacity=2)
    people = [factories.member(org) for _ in range(4)]
    regs = [services.registration_register(person=p, event=ev) for p in people]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.position for r in regs] == [None, None, 1, 2]


def test_registering_twice_returns_the_same_registration(org):
    ev = event(org, capacity=5)
    person = factories.member(org)
    first = services.registration_register(person=person, event=ev)
    second = services.registration_register(person=person, event=ev)
    assert first.pk == second.pk
    assert Registration.objects.filter(event=ev).count() == 1


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list_and_tells_them(
    org, django_capture_on_commit_callbacks
):
    ev = event(org, capacity=1)
    alice, bob, carol = (factories.member(org) for _ in range(3))
    a = services.registration_register(person=alice, event=ev)
    services.registration_register(person=bob, event=ev)
    services.registration_register(person=carol, event=ev)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=a, by=alice)
    statuses = dict(Registration.objects.filter(event=ev).values_list("person_id", "status"))
    assert statuses == {alice.pk: "cancelled", bob.pk: "confirmed", carol.pk: "waitlisted"}
    note = Notification.objects.get(recipient=bob, kind="event.promoted")
    assert ev.title in note.title
    assert not Notification.objects.filter(recipient=carol, kind="event.promoted").exists()
    assert any(bob.email in m.to for m in mail.outbox)


def test_cancelling_a_waitlisted_place_promotes_nobody(org):
    ev = event(org, capacity=1)
    a, b, c = (factories.member(org) for _ in range(3))
    services.registration_register(person=a, event=ev)
    rb = services.registration_register(person=b, event=ev)
    services.registration_register(person=c, event=ev)
    services.registration_cancel(registration=rb)
    assert Registration.objects.confirmed().filter(event=ev).count() == 1
    assert Registration.objects.get(event=ev, person=c).status == "waitlisted"


def test_cancelling_twice_changes_nothing(org):
    ev = event(org, capacity=1)
    a, b, c = (factories.member(org) for _ in range(3))
    ra = services.registration_register(person=a, event=ev)
    services.registration_register(person=b, event=ev)
    services.registration_register(person=c, event=ev)
    services.registration_cancel(registration=ra)
    services.registration_cancel(registration=ra)
    assert Registration.objects.get(event=ev, person=b).status == "confirmed"
    assert Registration.objects.get(event=ev, person=c).status == "waitlisted"


def test_a_cancelled_member_can_register_again_at_the_end_of_the_queue(org):
    ev = event(org, capacity=1)
    a, b = factories.member(org), factories.member(org)
    ra = services.registration_register(person=a, event=ev)
    services.registration_register(person=b, event=ev)
    services.registration_cancel(registration=ra)
    again = services.registration_register(person=a, event=ev)
    assert again.pk != ra.pk
    assert again.status == "waitlisted"


def test_more_places_promote_waiting_people(org):
    ev = event(org, capacity=1)
    people = [factories.member(org) for _ in range(3)]
    for p in people:
        services.registration_register(person=p, event=ev)
    services.event_update(
        person=factories.member(org, Role.EDITOR),
        event=ev,
        data=services.EventData.of(ev).with_changes({"capacity": 3}),
    )
    assert Registration.objects.confirmed().filter(event=ev).count() == 3


def test_unlimited_capacity_confirms_everyone(org):
    ev = event(org)
    regs = [services.registration_register(person=factories.member(org), event=ev) for _ in range(5)]
    assert {r.status for r in regs} == {"confirmed"}


@pytest.mark.parametrize("state", ["closed", "past", "cancelled"])
def test_closed_past_or_cancelled_events_refuse_registration(org, state):
    ev = past_event(org) if state == "past" else event(org)
    if state == "closed":
        Event.objects.filter(pk=ev.pk).update(registration_open=False)
    if state == "cancelled":
        Event.objects.filter(pk=ev.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        services.registration_register(person=factories.member(org), event=ev)
    assert not Registration.objects.filter(event=ev).exists()


def test_member_of_other_organisation_cannot_register_for_a_private_event(org):
    ev = event(org, visibility="private")
    outsider = factories.member(factories.organisation())
    with pytest.raises(PermissionDenied):
        services.registration_register(person=outsider, event=ev)


def test_co_host_members_read_and_editors_host_a_private_event(org):
    other = factories.organisation("City of Oslo")
    ev = event(org, visibility="private", co_hosts=[other])
    oslo_editor = factories.member(other, Role.EDITOR)
    oslo_member = factories.member(other)
    assert Event.objects.visible_to(oslo_member).filter(pk=ev.pk).exists()
    services.event_update(
        person=oslo_editor, event=ev, data=services.EventData.of(ev).with_changes({"place": "Oslo City Hall"})
    )
    with pytest.raises(PermissionDenied):
        services.event_update(
            person=oslo_member, event=ev, data=services.EventData.of(ev).with_changes({"place": "Nowhere"})
        )


def test_event_needs_a_place_or_link_and_a_real_time_zone(org):
    with pytest.raises(ValidationError) as err:
        event(org, place="", time_zone="Mars/Olympus")
    assert "place" in err.value.message_dict or "time_zone" in err.value.message_dict
    assert not Event.objects.exists()


# --- guests -------------------------------------------------------------------------------


def _confirm_link_token(message) -> str:
    line = next(line for line in message.body.splitlines() if "/events/confirm/" in line)
    return line.rstrip("/").rsplit("/", 1)[-1]


def test_guest_confirmation_link_works_once(org, django_capture_on_commit_callbacks):
    ev = event(org, visibility="public", capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        reg, token = services.guest_registration_start(
            event=ev, name="Ana Supplier", email="Ana@Reseller.example"
        )
    assert reg.status == "pending_confirmation"
    assert reg.guest_email == "ana@reseller.example"
    assert reg.token_hash and token not in reg.token_hash  # only the hash is stored
    assert _confirm_link_token(mail.outbox[-1]) == token
    confirmed = services.guest_registration_confirm(token=token)
    assert confirmed.status == "confirmed"
    assert services.guest_registration_confirm(token=token) is None
    assert Registration.objects.get(pk=reg.pk).status == "confirmed"


def test_pending_guests_hold_no_place_until_they_confirm(org):
    ev = event(org, visibility="public", capacity=1)
    _reg, token = services.guest_registration_start(event=ev, name="Guest", email="g@example.com")
    member = services.registration_register(person=factories.member(org), event=ev)
    assert member.status == "confirmed"
    late = services.guest_registration_confirm(token=token)
    assert late.status == "waitlisted"
    assert late.position == 1


def test_guest_registering_again_before_confirming_gets_a_new_link_and_the_old_one_dies(org):
    from django.core.cache import cache

    ev = event(org, visibility="public")
    _r1, old = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    _r2, again = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    assert again is None  # one pending confirmation per address and event: no second e-mail yet
    cache.clear()  # the resend window (GUEST_RESEND_SECONDS) has passed
    _r3, new = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    assert Registration.objects.filter(event=ev).count() == 1
    assert services.guest_registration_confirm(token=old) is None
    assert services.guest_registration_confirm(token=new).status == "confirmed"


def test_guests_cannot_register_for_non_public_events(org):
    ev = event(org, visibility="network")
    with pytest.raises(PermissionDenied):
        services.guest_registration_start(event=ev, name="G", email="g@example.com")
    assert not Registration.objects.exists()


def test_guest_registration_needs_name_and_valid_email(org):
    ev = event(org, visibility="public")
    with pytest.raises(ValidationError) as err:
        services.guest_registration_start(event=ev, name="", email="not-an-email")
    assert set(err.value.message_dict) == {"name", "email"}
    assert not Registration.objects.exists()


def test_promoted_guest_is_emailed(org, django_capture_on_commit_callbacks):
    ev = event(org, visibility="public", capacity=1)
    member = factories.member(org)
    reg = services.registration_register(person=member, event=ev)
    _g, token = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    services.guest_registration_confirm(token=token)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=reg)
    assert Registration.objects.get(event=ev, guest_email="g@example.com").status == "confirmed"
    assert [m.to for m in mail.outbox] == [["g@example.com"]]
    assert "/events/guest-cancel/" in mail.outbox[0].body
