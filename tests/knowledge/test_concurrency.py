"""Version numbers stay unique and gap-free when several people publish at once (real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from knowledge import services
from knowledge.models import TemplateVersion, TenderTemplate
from members.models import Person
from tests import factories as f
from tests.knowledge import factories as kf


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_get_distinct_consecutive_numbers():
    org = f.organisation()
    author = kf.editor(org)
    template = kf.template(author, org)
    workers = 6 if connection.vendor == "postgresql" else 4
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            person = Person.objects.get(pk=author.pk)
            fresh = TenderTemplate.objects.get(pk=template.pk)
            barrier.wait(timeout=10)
            services.template_publish(person=person, template=fresh, change_note="race")
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if connection.vendor == "sqlite":
        # SQLite serialises writers; a writer that waited past the busy timeout reports "locked".
        errors = [e for e in errors if "locked" not in str(e)]
    assert not errors, errors
    numbers = sorted(TemplateVersion.objects.filter(template=template).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= (workers if connection.vendor == "postgresql" else 1)
    assert TenderTemplate.objects.get(pk=template.pk).version_count == len(numbers)
