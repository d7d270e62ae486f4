"""A small, realistic network for the browser tests, built through the apps' services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from members.models import Role
from tests import factories


@dataclass
class World:
    city: Any
    peer: Any
    editor: Any
    signatory: Any
    member: Any
    template: Any
    statement: Any
    forum: Any
    thread: Any
    event: Any
    group: Any


def build_world() -> World:
    from forums import services as forum_services
    from tests.events.factories import event
    from tests.knowledge import factories as knowledge
    from tests.statements import factories as statements

    statements.ensure_cpv()  # transactional tests flush the CPV rows the data migration loaded
    city = factories.organisation(
        "City of Helsinki", slug="helsinki", verified=True, verified_domains=["hel.example"]
    )
    peer = factories.organisation("Malmö stad", slug="malmo", country="SE", verified=True)
    editor = factories.member(city, Role.EDITOR, email="editor@hel.example", name="Eeva Editor")
    signatory = factories.member(city, Role.SIGNATORY, email="signatory@hel.example", name="Sakari Signatory")
    member = factories.member(peer, Role.SIGNATORY, email="member@malmo.example", name="Maja Member")
    group = factories.working_group("Ethical ICT", conveners=[city], members=[peer])
    template = knowledge.template(editor, city, visibility="public", title="Fair laptops framework")
    from knowledge.services import templates as template_services

    template_services.template_publish(person=editor, template=template, change_note="First version")
    statement = statements.open_statement(city, editor=editor, title="Fair and circular smartphones")
    forum = forum_services.group_forum_ensure(group=group)
    thread = forum_services.thread_create(
        person=editor, forum=forum, title="Market dialogue on phones", body="Who joins the dialogue?"
    )
    ev = event(city, person=editor, visibility="public", title="Nordic market dialogue")
    return World(city, peer, editor, signatory, member, template, statement, forum, thread, ev, group)
