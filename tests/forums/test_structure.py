"""Forums follow the network's structure on any install, without the demo: the network forum from
the first migration, a forum for every working group (created with the group, visibility following
the group's), and organisations' own forums opened, renamed, shared and archived by their admins
through the API and the pages; isolation from other organisations for every new path."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from rest_framework.test import APIClient

from forums import services
from forums.models import Forum, ModerationAction, Post, Thread
from members import services as member_services
from members.models import Person, Role, WorkingGroup
from tests import factories

pytestmark = pytest.mark.django_db


def api(person) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


def browser(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


# --- the network forum ------------------------------------------------------------------------------


def test_the_migration_creates_the_network_forum_owned_by_the_platform():
    Forum.objects.filter(kind="network").delete()
    migration = importlib.import_module("forums.migrations.0003_network_and_group_forums")
    migration.create_forums(django_apps, None)
    forum = Forum.objects.get(kind="network")
    assert forum.organisation_id is None and forum.visibility == "network" and forum.slug == "network"
    migration.create_forums(django_apps, None)  # idempotent
    assert Forum.objects.filter(kind="network").count() == 1


def test_newly_verified_organisations_member_sees_and_posts_in_the_network_forum():
    staff = factories.person("staff@network.example", is_staff=True)
    owner = factories.person("owner@new.example")
    org = member_services.organisation_create(actor=owner, name="City of Newtown", country="FI")
    member = factories.member(org, email="member@new.example")
    network = Forum.objects.get(kind="network")
    assert not [f for f in api(member).get("/api/v1/forums/").json()["results"] if f["kind"] == "network"]
    member_services.organisation_verify(actor=staff, organisation=org)
    member = Person.objects.get(pk=member.pk)  # a new request: memberships resolved afresh
    listed = [f for f in api(member).get("/api/v1/forums/").json()["results"] if f["kind"] == "network"]
    assert listed and listed[0]["organisation"] is None
    thread = services.thread_create(person=member, forum=network, title="Hello", body="We joined")
    assert thread.posts.count() == 1


def test_network_forum_is_recreated_after_verification_when_missing():
    Forum.objects.filter(kind="network").delete()
    staff = factories.person(is_staff=True)
    org = factories.organisation(verified=False)
    member_services.organisation_verify(actor=staff, organisation=org)
    assert Forum.objects.filter(kind="network", organisation__isnull=True).count() == 1


# --- working-group forums ------------------------------------------------------------------------------


def _verified_org_with_admin(name: str):
    org = factories.organisation(name)
    return org, factories.member(org, Role.ADMIN)


def test_a_new_working_group_gets_a_forum_only_its_members_read_and_post_in():
    convener, admin = _verified_org_with_admin("Convening City")
    joiner, joiner_admin = _verified_org_with_admin("Joining City")
    _outsider, outsider_admin = _verified_org_with_admin("Outside City")
    group = member_services.working_group_create(actor=admin, convener=convener, name="Circular phones")
    forum = Forum.objects.get(working_group=group)
    assert (
        forum.kind == "group" and forum.visibility == "group" and list(forum.shared_groups.all()) == [group]
    )
    member_services.working_group_request_join(actor=joiner_admin, group=group, organisation=joiner)
    member_services.working_group_decide(actor=admin, group=group, organisation=joiner, approve=True)
    joiner_member = factories.member(joiner)
    response = api(joiner_member).post(
        "/api/v1/threads/", {"forum": forum.pk, "title": "Batteries", "body": "Who tried?"}, format="json"
    )
    assert response.status_code == 201, response.json()
    thread_id = response.json()["id"]
    # and no one else
    assert api(outsider_admin).get(f"/api/v1/forums/{forum.pk}/").status_code == 404
    assert api(outsider_admin).get(f"/api/v1/threads/{thread_id}/").status_code == 404
    assert browser(outsider_admin).get(f"/forums/{forum.slug}/").status_code == 404
    response = api(outsider_admin).post(
        "/api/v1/threads/", {"forum": forum.pk, "title": "Let me in", "body": "x"}, format="json"
    )
    assert response.status_code == 404


def test_group_forum_visibility_follows_the_group():
    convener, admin = _verified_org_with_admin("Convening Town")
    group = member_services.working_group_create(actor=admin, convener=convener, name="Open data group")
    forum = Forum.objects.get(working_group=group)
    assert forum.visibility == "group"
    group.visibility = WorkingGroup.Visibility.PUBLIC
    group.name = "Open data working group"
    group.save()
    forum.refresh_from_db()
    assert forum.visibility == "public" and forum.name == "Open data working group"
    assert api(None).get(f"/api/v1/forums/{forum.pk}/").status_code == 200
    group.visibility = WorkingGroup.Visibility.NETWORK
    group.save()
    forum.refresh_from_db()
    assert forum.visibility == "group"
    assert api(None).get(f"/api/v1/forums/{forum.pk}/").status_code == 404


def test_data_migration_gives_existing_groups_their_missing_forums():
    convener = factories.organisation("Old Convener")
    group = factories.working_group("Old group", conveners=[convener], visibility="public")
    Forum.objects.filter(working_group=group).delete()
    lonely = WorkingGroup.objects.create(name="No convener yet", slug="no-convener-yet")
    migration = importlib.import_module("forums.migrations.0003_network_and_group_forums")
    migration.create_forums(django_apps, None)
    forum = Forum.objects.get(working_group=group)
    assert forum.organisation_id == convener.pk and forum.visibility == "public"
    assert not Forum.objects.filter(working_group=lonely).exists()


# --- organisations' own forums --------------------------------------------------------------------------


def test_organisation_admin_creates_a_private_forum_through_the_api():
    org, admin = _verified_org_with_admin("City of Forumville")
    colleague = factories.member(org)
    _other_org, other_admin = _verified_org_with_admin("City of Elsewhere")
    response = api(admin).post(
        "/api/v1/forums/", {"organisation": org.slug, "name": "Procurement team"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["visibility"] == "private" and body["kind"] == "organisation" and body["archived"] is False
    forum = Forum.objects.get(pk=body["id"])
    assert api(colleague).get(f"/api/v1/forums/{forum.pk}/").status_code == 200
    assert services.thread_create(person=colleague, forum=forum, title="Hi", body="Hello")
    # isolation: another organisation neither sees nor changes it
    assert api(other_admin).get(f"/api/v1/forums/{forum.pk}/").status_code == 404
    assert (
        api(other_admin).patch(f"/api/v1/forums/{forum.pk}/", {"name": "Mine"}, format="json").status_code
        == 404
    )
    assert api(other_admin).post(f"/api/v1/forums/{forum.pk}/archive/").status_code == 404


def test_forum_in_someone_elses_organisation_is_refused_and_nothing_stored():
    org, admin = _verified_org_with_admin("City of Owners")
    other = factories.organisation("City of Others")
    editor = factories.member(org, Role.EDITOR)
    before = Forum.objects.count()
    response = api(admin).post(
        "/api/v1/forums/", {"organisation": other.slug, "name": "Sneaky"}, format="json"
    )
    assert response.status_code == 403 and "owners and admins" in response.json()["detail"]
    response = api(editor).post(
        "/api/v1/forums/", {"organisation": org.slug, "name": "Editors"}, format="json"
    )
    assert response.status_code == 403
    assert Forum.objects.count() == before


def test_taken_name_and_foreign_group_are_clear_errors_and_nothing_stored():
    org, admin = _verified_org_with_admin("City of Names")
    services.organisation_forum_create(actor=admin, organisation=org, data=services.ForumData(name="Laptops"))
    stranger_convener = factories.organisation("Stranger Convener")
    foreign_group = factories.working_group("Foreign group", conveners=[stranger_convener])
    before = Forum.objects.count()
    response = api(admin).post(
        "/api/v1/forums/", {"organisation": org.slug, "name": "laptops"}, format="json"
    )
    # a name another forum has: a conflict with the current state (409), same body shape as a 400
    assert response.status_code == 409 and "already has a forum" in response.json()["errors"]["name"][0]
    response = api(admin).post(
        "/api/v1/forums/",
        {
            "organisation": org.slug,
            "name": "Shared",
            "visibility": "group",
            "shared_groups": [foreign_group.slug],
        },
        format="json",
    )
    assert response.status_code == 409 and foreign_group.slug in response.json()["errors"]["shared_groups"][0]
    response = api(admin).post(
        "/api/v1/forums/", {"organisation": org.slug, "name": "Shared", "visibility": "group"}, format="json"
    )
    assert response.status_code == 400 and "shared_groups" in response.json()["errors"]
    assert Forum.objects.count() == before


def test_forum_shared_with_a_group_is_read_by_its_members_only():
    org, admin = _verified_org_with_admin("City of Sharing")
    partner = factories.organisation("Partner City")
    partner_member = factories.member(partner)
    outsider_member = factories.member(factories.organisation("Outsider City"))
    group = factories.working_group("Sharing group", conveners=[org], members=[partner])
    response = api(admin).post(
        "/api/v1/forums/",
        {
            "organisation": org.slug,
            "name": "Joint tender",
            "visibility": "group",
            "shared_groups": [group.slug],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    forum_id = response.json()["id"]
    assert response.json()["shared_groups"] == [group.slug]
    assert api(partner_member).get(f"/api/v1/forums/{forum_id}/").status_code == 200
    assert api(outsider_member).get(f"/api/v1/forums/{forum_id}/").status_code == 404


def test_rename_and_archive_through_the_api_archive_refuses_new_posts_keeps_threads_readable():
    org, admin = _verified_org_with_admin("City of Archives")
    member = factories.member(org)
    forum = services.organisation_forum_create(
        actor=admin, organisation=org, data=services.ForumData(name="Old projects")
    )
    thread = services.thread_create(person=member, forum=forum, title="2019 laptops", body="Done.")
    response = api(admin).patch(f"/api/v1/forums/{forum.pk}/", {"name": "Finished projects"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Finished projects"
    response = api(admin).post(f"/api/v1/forums/{forum.pk}/archive/", {"reason": "All done"}, format="json")
    assert response.status_code == 200 and response.json()["archived"] is True
    assert api(admin).post(f"/api/v1/forums/{forum.pk}/archive/").status_code == 200  # again: harmless
    assert ModerationAction.objects.filter(forum=forum, action="archive").count() == 1
    # readable
    assert api(member).get(f"/api/v1/threads/{thread.pk}/posts/").status_code == 200
    assert browser(member).get(f"/forums/t/{thread.pk}/").status_code == 200
    # refused, with a clear message, nothing stored
    response = api(member).post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "One more"}, format="json")
    assert response.status_code == 409 and "archived" in response.json()["detail"]
    response = api(member).post(
        "/api/v1/threads/", {"forum": forum.pk, "title": "New", "body": "x"}, format="json"
    )
    assert response.status_code == 409 and "archived" in response.json()["detail"]
    page = browser(member).post(f"/forums/t/{thread.pk}/reply/", {"body": "Via the page"})
    assert page.status_code == 409 and "archived" in page.content.decode()
    assert (
        Post.objects.filter(thread__forum=forum).count() == 1
        and Thread.objects.filter(forum=forum).count() == 1
    )
    # a member is not a manager
    assert api(member).delete(f"/api/v1/forums/{forum.pk}/archive/").status_code == 403
    assert api(admin).delete(f"/api/v1/forums/{forum.pk}/archive/").json()["archived"] is False


def test_group_and_network_forums_are_not_renamed_through_the_forum_api():
    convener, admin = _verified_org_with_admin("Convening Village")
    group = member_services.working_group_create(actor=admin, convener=convener, name="Village group")
    forum = Forum.objects.get(working_group=group)
    assert (
        api(admin).patch(f"/api/v1/forums/{forum.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    )


def test_organisation_admin_opens_and_archives_a_forum_through_the_pages():
    org, admin = _verified_org_with_admin("City of Pages")
    assert browser(admin).get("/forums/new/").status_code == 200
    response = browser(admin).post(
        "/forums/new/", {"organisation": org.pk, "name": "Team room", "visibility": "private"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    forum = Forum.objects.get(organisation=org, name="Team room")
    assert forum.visibility == "private" and forum.created_by == admin
    response = browser(admin).post(
        "/forums/new/", {"organisation": org.pk, "name": "team room", "visibility": "private"}
    )
    assert response.status_code == 400 and "already has a forum" in response.content.decode()
    manage = browser(admin).get(f"/forums/{forum.slug}/manage/")
    assert manage.status_code == 200
    response = browser(admin).post(f"/forums/{forum.slug}/manage/", {"archive": "1", "reason": "Moved"})
    assert response.status_code == 302
    forum.refresh_from_db()
    assert forum.is_archived
    assert "archived" in browser(admin).get(f"/forums/{forum.slug}/").content.decode()


def test_forum_pages_from_other_organisation():
    org, admin = _verified_org_with_admin("City of Secrets")
    _other_org, other_admin = _verified_org_with_admin("City of Snoops")
    forum = services.organisation_forum_create(
        actor=admin, organisation=org, data=services.ForumData(name="Secret room")
    )
    assert browser(other_admin).get(f"/forums/{forum.slug}/manage/").status_code == 404
    assert browser(other_admin).post(f"/forums/{forum.slug}/manage/", {"archive": "1"}).status_code == 404
    forum.refresh_from_db()
    assert not forum.is_archived
    response = browser(other_admin).post("/forums/new/", {"organisation": org.pk, "name": "Planted"})
    assert response.status_code == 400  # not among the organisations offered
    assert not Forum.objects.filter(name="Planted").exists()
    plain_member = factories.member(factories.organisation("No admin here"))
    assert browser(plain_member).get("/forums/new/").status_code == 403
