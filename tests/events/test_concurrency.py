"""Concurrent registrations and cancellations never over-book (real threads, real connections).

Each thread has its own database connection. On PostgreSQL the event row lock
(``select_for_update``) queues them; on SQLite ``BEGIN IMMEDIATE`` serialises writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from network.events import services
from network.events.models import Registration
from tests import factories
from tests.events.factories import event

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(functions: list[Callable[[], object]]) -> list[object]:
    """Start all functions at once (barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def worker(i: int, fn: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_registrations_never_overbook():
    org = factories.organisation()
    ev = event(org, capacity=3)
    people = [factories.member(org) for _ in range(10)]
    results = run_together([lambda p=p: services.registration_register(person=p, event=ev) for p in people])
    assert not [r for r in results if isinstance(r, Exception)], results
    regs = Registration.objects.filter(event=ev)
    assert regs.filter(status="confirmed").count() == 3
    waiting = list(regs.filter(status="waitlisted").values_list("position", flat=True))
    assert sorted(waiting) == list(range(1, 8))


def test_double_submit_by_one_member_makes_one_registration():
    org = factories.organisation()
    ev = event(org, capacity=3)
    person = factories.member(org)
    results = run_together([lambda: services.registration_register(person=person, event=ev)] * 5)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Registration.objects.filter(event=ev, person=person).count() == 1


def test_concurrent_cancellations_promote_exactly_as_many_as_places_freed():
    org = factories.organisation()
    ev = event(org, capacity=3)
    people = [factories.member(org) for _ in range(8)]
    regs = [services.registration_register(person=p, event=ev) for p in people]
    confirmed = [r for r in regs if r.status == "confirmed"]
    newcomers = [factories.member(org) for _ in range(3)]
    results = run_together(
        [lambda r=r: services.registration_cancel(registration=r) for r in confirmed]
        + [lambda p=p: services.registration_register(person=p, event=ev) for p in newcomers]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    qs = Registration.objects.filter(event=ev)
    assert qs.filter(status="confirmed").count() == 3
    # the first three of the original waiting list got the places, in order
    promoted = set(qs.filter(status="confirmed").values_list("person_id", flat=True))
    assert promoted == {p.pk for p in people[3:6]}
    assert qs.filter(status="waitlisted").count() == 5


def test_concurrent_guest_confirmations_with_one_token_confirm_once():
    org = factories.organisation()
    ev = event(org, visibility="public", capacity=1)
    _reg, token = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    results = run_together([lambda: services.guest_registration_confirm(token=token)] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len([r for r in results if r is not None]) == 1
    assert Registration.objects.filter(event=ev, status="confirmed").count() == 1
