"""The member dashboard: live (a new signature or mention shows on the next request), scoped to
what the viewer may read, and a bounded number of queries."""

from __future__ import annotations

import pytest

from forums import services as forum_services
from knowledge import services as knowledge_services
from members.models import Role
from network import ratelimit
from network.notifications import notify
from tests import factories
from tests.events.factories import event
from tests.forums.factories import world
from tests.knowledge import factories as kf
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def page(client, person, **params) -> str:
    client.force_login(person)
    response = client.get("/dashboard/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_needs_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_new_signature_on_our_statement_shows_on_the_next_request(client):
    helsinki = factories.organisation("City of Helsinki")
    statement = sf.open_statement(helsinki, title="Fair smartphones")
    me = factories.member(helsinki)
    assert "Oslo" not in page(client, me)
    sf.sign(statement, factories.organisation("City of Oslo"))
    body = page(client, me)
    assert "City of Oslo signed “Fair smartphones”" in body


def test_signatures_on_statements_we_did_not_issue_are_not_ours(client):
    helsinki = factories.organisation("City of Helsinki")
    theirs = sf.open_statement(factories.organisation("City of Malmö"), title="Their statement")
    sf.sign(theirs, factories.organisation("City of Oslo"))
    assert "Their statement" not in page(client, factories.member(helsinki))


def test_mention_shows_on_the_next_request_and_threads_stay_inside_the_group():
    from django.test import Client

    w = world()
    bob_client, mallory_client = Client(), Client()
    assert "Alice Andersson mentioned you" not in page(bob_client, w.bob)
    forum_services.post_create(person=w.alice, thread=w.thread, body="@Bob Berg what do you think?")
    bob_page = page(bob_client, w.bob)
    assert "Alice Andersson mentioned you in “Fair smartphones”" in bob_page
    assert "Fair smartphones" in bob_page  # new thread in bob's working group
    mallory_page = page(mallory_client, w.mallory)
    assert "Fair smartphones" not in mallory_page


def test_template_versions_forks_and_drafts(client):
    helsinki = factories.organisation("City of Helsinki")
    oslo = factories.organisation("City of Oslo")
    editor = factories.member(helsinki, Role.EDITOR)
    ours = kf.template(editor, helsinki, visibility="network", title="Fair laptops")
    version = knowledge_services.template_publish(person=editor, template=ours, change_note="First edition")
    kf.template(editor, helsinki, title="Half-written phones template")  # a draft
    oslo_editor = factories.member(oslo, Role.EDITOR)
    fork = knowledge_services.template_fork(
        person=oslo_editor, version=version, organisation=oslo, title="Oslo laptops"
    )
    assert "Oslo laptops" not in page(client, editor)  # a fork starts as Oslo's private draft
    knowledge_services.template_update(
        person=oslo_editor,
        template=fork,
        data=knowledge_services.TemplateData.of(fork).with_changes({"visibility": "network"}),
    )
    body = page(client, editor)
    assert "Fair laptops, version 1" in body
    assert "Oslo laptops" in body and "Forked from “Fair laptops”" in body
    assert "Half-written phones template" in body  # shortcut to the draft


def test_dashboard_never_shows_private_content_from_other_organisation(client):
    helsinki = factories.organisation("City of Helsinki", cpv_interests=["302"])
    oslo = factories.organisation("City of Oslo")
    group = factories.working_group(members=[helsinki, oslo])
    oslo_editor = factories.member(oslo, Role.EDITOR)
    private = kf.template(oslo_editor, oslo, visibility="private", title="Oslo secret template")
    knowledge_services.template_publish(person=oslo_editor, template=private)
    kf.tender(
        oslo_editor, oslo, visibility="private", title="Oslo secret tender", joint_procurement_open=True
    )
    event(oslo, visibility="private", title="Oslo secret event", working_group=group)
    me = factories.member(helsinki)
    sf.sign(sf.open_statement(oslo, title="Oslo statement"), factories.organisation("City of Turku"))
    notify([oslo_editor], kind="x", title="Oslo private notification")
    body = page(client, me)
    for secret in (
        "Oslo secret template",
        "Oslo secret tender",
        "Oslo secret event",
        "Oslo statement",
        "Oslo private notification",
    ):
        assert secret not in body, secret


def test_joint_tenders_match_our_cpv_interests(client):
    helsinki = factories.organisation("City of Helsinki", cpv_interests=["3021"])
    oslo = factories.organisation("City of Oslo")
    oslo_editor = factories.member(oslo, Role.EDITOR)
    kf.tender(oslo_editor, oslo, visibility="network", title="Joint laptops", joint_procurement_open=True)
    kf.tender(oslo_editor, oslo, visibility="network", title="Solo laptops", joint_procurement_open=False)
    kf.tender(
        oslo_editor,
        oslo,
        visibility="network",
        title="Joint phones",
        joint_procurement_open=True,
        cpv_codes=["32250000-0"],
    )
    body = page(client, factories.member(helsinki))
    assert "Joint laptops" in body
    assert "Solo laptops" not in body and "Joint phones" not in body


def test_upcoming_events_and_unread_counts(client):
    helsinki = factories.organisation("City of Helsinki")
    event(helsinki, title="Helsinki market dialogue")
    me = factories.member(helsinki)
    notify([me], kind="x", title="Something happened")
    notify([me], kind="x", title="Something else")
    body = page(client, me)
    assert "Helsinki market dialogue" in body
    assert '<p class="stat">2</p>' in body


def test_dashboard_query_count_does_not_grow_with_items(client, django_assert_max_num_queries):
    helsinki = factories.organisation("City of Helsinki", cpv_interests=["302"])
    oslo = factories.organisation("City of Oslo")
    w = world()
    editor = factories.member(helsinki, Role.EDITOR)
    from members.models import Membership

    Membership.objects.create(person=editor, organisation=w.member_org, role=Role.MEMBER)
    statement = sf.open_statement(helsinki)
    oslo_editor = factories.member(oslo, Role.EDITOR)

    def add_items(n: int) -> None:
        for i in range(n):
            sf.sign(statement, factories.organisation())
            t = kf.template(editor, helsinki, visibility="network", title=f"T{i}")
            v = knowledge_services.template_publish(person=editor, template=t)
            fork = knowledge_services.template_fork(person=oslo_editor, version=v, organisation=oslo)
            knowledge_services.template_update(
                person=oslo_editor,
                template=fork,
                data=knowledge_services.TemplateData.of(fork).with_changes({"visibility": "network"}),
            )
            kf.template(editor, helsinki, title=f"Draft {i}")
            kf.tender(
                oslo_editor, oslo, visibility="network", joint_procurement_open=True, title=f"Tender {i}"
            )
            event(helsinki, co_hosts=[oslo], title=f"Event {i}")
            with ratelimit.exempt():  # test data in bulk, not a person posting
                forum_services.post_create(person=w.alice, thread=w.thread, body=f"@{editor.name} see {i}")
                forum_services.thread_create(person=w.alice, forum=w.forum, title=f"Thread {i}", body="Hi")
            notify([editor], kind="x", title=f"N{i}")

    add_items(1)
    client.force_login(editor)
    with django_assert_max_num_queries(40) as few:
        client.get("/dashboard/")
    add_items(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/dashboard/").content.decode()
    assert "Tender 5" in body and "Event 0" in body and "Draft 5" in body
