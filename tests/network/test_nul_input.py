"""Input with NUL characters gets a clear 400 everywhere, never a 500 from the database."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Organisation
from tests import factories


@pytest.mark.django_db
def test_nul_in_api_query_string_is_a_clear_400(client):
    response = client.get("/api/v1/organisations/?country=F%00I")
    assert response.status_code == 400
    assert response.json()["detail"] == "Input must not contain NUL (0x00) characters."


@pytest.mark.django_db
def test_nul_in_json_body_is_refused_and_nothing_is_stored(client):
    client.force_login(factories.person())
    before = Organisation.objects.count()
    response = client.post(
        "/api/v1/organisations/",
        data='{"name": "Evil\\u0000 City", "country": "FI", "kind": "municipality"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_nul_in_an_html_form_post_is_a_400(client):
    response = client.post(
        "/accounts/login/", data="login=a%00b&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_files_may_contain_nul_bytes(client):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\x00\x00binary", content_type="application/pdf")
    response = client.post("/api/v1/no-such-endpoint/", {"file": upload, "note": "fine"})
    assert response.status_code == 404  # passed the NUL check, then simply not found


@pytest.mark.django_db
def test_nul_in_a_multipart_form_field_is_refused(client):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post("/api/v1/no-such-endpoint/", {"file": upload, "note": "bad\x00"})
    assert response.status_code == 400
