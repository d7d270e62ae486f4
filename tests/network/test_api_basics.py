"""The API answers in JSON everywhere under /api/, and publishes its OpenAPI schema and docs."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "Not found."


@pytest.mark.django_db
def test_api_authentication_error_is_json(client):
    response = client.get("/api/v1/notifications/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


@pytest.mark.django_db
def test_unhandled_error_under_api_is_a_json_500(client, monkeypatch):
    from network.api import views

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(views.NotificationViewSet, "list", boom)
    client.raise_request_exception = False
    from tests.factories import person

    client.force_login(person())
    response = client.get("/api/v1/notifications/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "code": "server_error"}
    assert "kaboom" not in response.content.decode()


@pytest.mark.django_db
def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/notifications/" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_are_served_from_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.django_db
def test_home_page_explains_the_network_to_a_visitor(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buyers Network" in html
    assert 'href="/library/"' in html and 'action="/search/"' in html
    assert 'name="language"' in html  # language switcher


@pytest.mark.django_db
def test_language_switcher_serves_finnish(client):
    response = client.post("/i18n/setlang/", {"language": "fi", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").content.decode().count('lang="fi"') >= 1
