"""The resource centre end to end: API writes, pages, download, search, dashboard, notifications,
demo data, and isolation on every read path (another tenant's private resource is a 404)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from knowledge.resources import Resource, ResourceData, resource_create
from members.models import Role
from network.models import Notification
from network.search import search
from network.search.params import query_from_params
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", slug="helsinki")


@pytest.fixture
def other():
    return factories.organisation("City of Elsewhere", slug="elsewhere")


def make(org, *, visibility="private", title="Procura+ Manual", **extra) -> Resource:
    editor = factories.member(org, Role.EDITOR)
    data = ResourceData(title=title, url="https://procuraplus.org/manual/", visibility=visibility, **extra)
    return resource_create(person=editor, organisation=org, data=data)


def test_an_editor_publishes_through_the_api_and_readers_see_it(api_client, client, helsinki):
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    created = api_client.post(
        "/api/v1/resources/",
        {
            "title": "Model clauses on conflict minerals",
            "kind": "model_clause",
            "url": "https://example.org/c",
            "visibility": "public",
            "summary": "Clauses to copy.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "model_clause" and body["organisation"] == "helsinki"
    page = client.get(f"/resources/{body['id']}/").content.decode()
    assert "Model clauses on conflict minerals" in page and "https://example.org/c" in page
    assert (
        "Model clauses on conflict minerals" in client.get("/resources/?kind=model_clause").content.decode()
    )
    assert "Model clauses on conflict minerals" not in client.get("/resources/?kind=report").content.decode()


def test_bad_input_is_a_clear_400_and_stores_nothing(api_client, helsinki):
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    response = api_client.post("/api/v1/resources/", {"title": "Nowhere", "kind": "guide"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["url"] == ["Give a link or attach a file."]
    bad_kind = api_client.post(
        "/api/v1/resources/", {"title": "X", "kind": "poster", "url": "https://example.org/g"}, format="json"
    )
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    assert not Resource.objects.exists()


def test_members_without_an_editor_role_cannot_write(api_client, helsinki):
    resource = make(helsinki)
    api_client.force_authenticate(factories.member(helsinki, Role.MEMBER))
    assert (
        api_client.post(
            "/api/v1/resources/", {"title": "X", "url": "https://example.org/g"}, format="json"
        ).status_code
        == 403
    )
    assert api_client.delete(f"/api/v1/resources/{resource.pk}/").status_code == 403
    assert Resource.objects.filter(pk=resource.pk).exists()


def test_update_and_delete_go_through_services(api_client, helsinki):
    resource = make(helsinki)
    editor = factories.member(helsinki, Role.EDITOR)
    api_client.force_authenticate(editor)
    changed = api_client.patch(f"/api/v1/resources/{resource.pk}/", {"title": "Renamed"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"
    assert api_client.delete(f"/api/v1/resources/{resource.pk}/").status_code == 204
    assert not Resource.objects.exists()


@override_settings(MEDIA_ROOT="var/test-media")
def test_attachment_is_served_only_through_the_policy(api_client, client, helsinki, other):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide", content_type="application/pdf")
    created = api_client.post(
        "/api/v1/resources/",
        {"title": "A file", "attachment": upload, "visibility": "private"},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client.force_login(factories.member(helsinki))
    download = client.get(f"/resources/{pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 guide"
    client.force_login(factories.member(other, Role.OWNER))
    assert client.get(f"/resources/{pk}/download/").status_code == 404
    Resource.objects.get(pk=pk).attachment.delete(save=False)
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = api_client.post("/api/v1/resources/", {"title": "Exe", "attachment": bad}, format="multipart")
    assert refused.status_code == 400 and "attachment" in refused.json()["errors"]


def test_private_resource_from_other_organisation_is_missing_everywhere(api_client, client, helsinki, other):
    private = make(helsinki, title="Internal buying guide")
    make(helsinki, visibility="network", title="Network guide")
    outsider = factories.member(other, Role.OWNER)
    api_client.force_authenticate(outsider)
    client.force_login(outsider)
    assert api_client.get(f"/api/v1/resources/{private.pk}/").status_code == 404
    assert client.get(f"/resources/{private.pk}/").status_code == 404
    assert client.get(f"/resources/{private.pk}/download/").status_code == 404
    assert (
        api_client.patch(f"/api/v1/resources/{private.pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert api_client.delete(f"/api/v1/resources/{private.pk}/").status_code == 404
    titles = [r["title"] for r in api_client.get("/api/v1/resources/").json()["results"]]
    assert titles == ["Network guide"]
    assert "Internal buying guide" not in client.get("/resources/").content.decode()


def test_search_finds_resources_the_viewer_may_read_only(helsinki, other, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make(helsinki, title="Quokkaguide circular laptops", visibility="public")
        make(helsinki, title="Quokkaguide secret", visibility="private")
    outsider = factories.member(other)
    results = search(outsider, query_from_params({"q": "Quokkaguide"}))
    assert [(h.type, h.title) for h in results.hits] == [("resource", "Quokkaguide circular laptops")]


def test_dashboard_and_group_notification(client, helsinki, other):
    group = factories.working_group(conveners=[helsinki], members=[other])
    colleague = factories.member(other)
    resource = make(helsinki, visibility="private", title="Not shared")
    assert not Notification.objects.filter(recipient=colleague).exists()
    editor = factories.member(helsinki, Role.EDITOR)
    data = ResourceData(
        title="Shared guide", url="https://example.org/g", visibility="group", shared_groups=[group.slug]
    )
    created = resource_create(person=editor, organisation=helsinki, data=data)  # tells the group
    note = Notification.objects.get(recipient=colleague)
    assert "Shared guide" in note.title and note.url == created.get_absolute_url()
    client.force_login(colleague)
    body = client.get("/dashboard/").content.decode()
    assert "New resources" in body and "Shared guide" in body and resource.title not in body


def test_demo_data_loads_once(helsinki):
    factories.organisation("City of Malmö", slug="malmo")
    out = io.StringIO()
    from knowledge.resources import load_demo

    load_demo(out)
    load_demo(out)
    assert Resource.objects.count() == 4
    assert Resource.objects.filter(title__startswith="TCO Certified", visibility="public").exists()
    call_command("check")


def test_a_resource_shared_with_a_working_group_from_other_organisation(
    api_client, client, helsinki, other, django_capture_on_commit_callbacks
):
    """Shared with a group: its member organisations read it on the page, in the API and in search;
    an organisation outside the group gets the 404 of a missing resource and no search hit."""
    group = factories.working_group(conveners=[helsinki], members=[other])
    outside = factories.organisation("City of Nowhere", slug="nowhere")
    editor = factories.member(helsinki, Role.EDITOR)
    api_client.force_authenticate(editor)
    with django_capture_on_commit_callbacks(execute=True):
        created = api_client.post(
            "/api/v1/resources/",
            {
                "title": "Quokkashared clause bank",
                "url": "https://example.org/clauses",
                "visibility": "group",
                "shared_groups": [group.slug],
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    assert created.json()["shared_groups"] == [group.slug]
    pk = created.json()["id"]

    member, stranger = factories.member(other), factories.member(outside, Role.OWNER)
    for person, readable in ((member, True), (stranger, False)):
        client.force_login(person)
        api_client.force_authenticate(person)
        assert client.get(f"/resources/{pk}/").status_code == (200 if readable else 404)
        assert api_client.get(f"/api/v1/resources/{pk}/").status_code == (200 if readable else 404)
        listed = [r["id"] for r in api_client.get("/api/v1/resources/").json()["results"]]
        assert (pk in listed) is readable
        hits = search(person, query_from_params({"q": "Quokkashared"})).hits
        assert [h.title for h in hits] == (["Quokkashared clause bank"] if readable else [])


def test_group_sharing_on_the_page_offers_only_the_owners_groups_and_needs_one(client, helsinki, other):
    mine = factories.working_group("Circular ICT", conveners=[helsinki])
    factories.working_group("Not ours", members=[other])
    client.force_login(factories.member(helsinki, Role.EDITOR))
    page = client.get("/resources/new/").content.decode()
    assert 'value="group"' in page and "Circular ICT" in page and "Not ours" not in page
    base = {"organisation": "helsinki", "title": "Group guide", "kind": "guide", "language": "en"}
    base["url"] = "https://example.org/g"
    missing = client.post("/resources/new/", {**base, "visibility": "group"})
    assert missing.status_code == 400
    assert missing.context["form"].errors["shared_groups"] == ["Name the working groups to share it with."]
    assert not Resource.objects.exists()
    saved = client.post("/resources/new/", {**base, "visibility": "group", "shared_groups": [mine.slug]})
    assert saved.status_code == 302
    resource = Resource.objects.get()
    assert resource.visibility == "group" and list(resource.shared_groups.all()) == [mine]


def test_a_group_the_owner_is_not_in_is_refused_in_the_api(api_client, helsinki, other):
    foreign = factories.working_group("Their group", members=[other])
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    body = {
        "title": "X",
        "url": "https://example.org/x",
        "visibility": "group",
        "shared_groups": [foreign.slug],
    }
    response = api_client.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 409
    assert response.json()["errors"]["shared_groups"] == [
        f"{helsinki.name} is not a member or convener of: {foreign.slug}."
    ]
    assert not Resource.objects.exists()
