"""The resource centre's own pages: add, edit and delete without the API, and resources in the
library's filter. Each goes through the same service as the API; isolation holds on every page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from knowledge.models import Label
from knowledge.resources import Resource, ResourceData, resource_create
from members.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", slug="helsinki")


@pytest.fixture
def editor(helsinki):
    return factories.member(helsinki, Role.EDITOR)


def make(org, *, visibility="private", title="Procura+ Manual") -> Resource:
    data = ResourceData(title=title, url="https://procuraplus.org/manual/", visibility=visibility)
    return resource_create(person=factories.member(org, Role.EDITOR), organisation=org, data=data)


def test_an_editor_adds_a_resource_on_the_page(client, editor, helsinki):
    Label.objects.get_or_create(slug="circular", defaults={"name": "Circular economy"})
    client.force_login(editor)
    form = client.get("/resources/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'enctype="multipart/form-data"' in html and '<label for="id_title"' in html
    assert "Add a resource" in client.get("/resources/").content.decode()
    response = client.post(
        "/resources/new/",
        {
            "organisation": "helsinki",
            "title": "Repairability criteria",
            "kind": "model_clause",
            "summary": "Clauses to copy.",
            "url": "https://example.org/repair",
            "language": "en",
            "visibility": "network",
            "cpv_codes": "30213100-6",
            "labels": ["circular"],
        },
    )
    resource = Resource.objects.get(title="Repairability criteria")
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.organisation == helsinki and resource.created_by == editor
    assert [c.full_code for c in resource.cpv_codes.all()] == ["30213100-6"]
    assert [lb.slug for lb in resource.labels.all()] == ["circular"]


def test_the_models_rule_comes_back_on_the_form_and_nothing_is_stored(client, editor):
    client.force_login(editor)
    response = client.post(
        "/resources/new/",
        {
            "organisation": "helsinki",
            "title": "Keep my title",
            "kind": "guide",
            "language": "en",
            "visibility": "private",
            "cpv_codes": "99999999-9",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a link or attach a file." in html and 'value="Keep my title"' in html
    assert "errorlist" in html
    assert not Resource.objects.exists()


@override_settings(MEDIA_ROOT="/tmp/bn-test-media-i18")
def test_a_file_can_be_attached_instead_of_a_link(client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 a guide", content_type="application/pdf")
    response = client.post(
        "/resources/new/",
        {
            "organisation": "helsinki",
            "title": "A guide",
            "kind": "guide",
            "language": "fi",
            "visibility": "private",
            "attachment": upload,
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title="A guide")
    assert resource.attachment and resource.language == "fi"
    assert client.get(f"/resources/{resource.pk}/download/").status_code == 200


def test_an_editor_edits_and_deletes_on_the_page(client, editor, helsinki):
    resource = make(helsinki, visibility="network")
    client.force_login(editor)
    detail = client.get(resource.get_absolute_url()).content.decode()
    assert f"/resources/{resource.pk}/edit/" in detail and f"/resources/{resource.pk}/delete/" in detail
    form = client.get(f"/resources/{resource.pk}/edit/").content.decode()
    assert 'value="Procura+ Manual"' in form and 'name="organisation"' not in form
    saved = client.post(
        f"/resources/{resource.pk}/edit/",
        {
            "title": "Procura+ Manual, 2026 edition",
            "kind": "guide",
            "url": resource.url,
            "language": "en",
            "visibility": "public",
        },
    )
    assert saved.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Procura+ Manual, 2026 edition" and resource.visibility == "public"
    assert client.post(f"/resources/{resource.pk}/delete/").status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()


def test_edit_and_delete_pages_from_other_organisation(client, helsinki):
    private = make(helsinki)
    shared = make(helsinki, visibility="network", title="Shared guide")
    outsider = factories.member(factories.organisation("City of Elsewhere"), Role.EDITOR)
    client.force_login(outsider)
    assert client.get(f"/resources/{private.pk}/edit/").status_code == 404  # missing and forbidden alike
    assert client.post(f"/resources/{private.pk}/delete/").status_code == 404
    assert client.get(f"/resources/{shared.pk}/edit/").status_code == 403  # readable, not theirs
    assert client.post(f"/resources/{shared.pk}/delete/").status_code == 403
    plain = factories.member(helsinki, Role.MEMBER)
    client.force_login(plain)
    assert client.get("/resources/new/").status_code == 403
    assert "Add a resource" not in client.get("/resources/").content.decode()
    assert Resource.objects.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in(client, helsinki):
    response = client.get("/resources/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_library_filters_resources_and_hides_another_organisations_private_ones(client, helsinki):
    make(helsinki, visibility="public", title="Public guide")
    make(helsinki, title="Helsinki's private guide")
    outsider = factories.member(factories.organisation("City of Elsewhere"))
    client.force_login(outsider)
    page = client.get("/library/?kind=resource")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Public guide" in html and "private guide" not in html
    assert '<option value="resource" selected>' in html
    assert "Public guide" not in client.get("/library/?kind=resource&stage=award").content.decode()
    assert "Public guide" in client.get("/library/").content.decode(), "the overview lists resources too"
