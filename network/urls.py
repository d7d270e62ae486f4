"""Root URL configuration: HTML pages, the API under /api/v1/, allauth, health probes."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from members.sso import views as sso_views
from network import api_docs, content, errors, health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # pages without their own icon link (the admin, the API docs) make browsers ask for /favicon.ico
    path("favicon.ico", views.favicon),
    path("readyz", health.readyz, name="readyz"),
    path("", include("network.web_urls")),
    path("", include("members.urls")),
    path("library/", include("knowledge.urls")),
    path("statements/", include("knowledge.statements.urls")),
    path("demand/", include("knowledge.statements.demand_urls")),
    path("forums/", include("forums.urls")),
    path("search/", include("network.search.urls")),
    path("events/", include("network.events.urls")),
    path("dashboard/", include("network.dashboard.urls")),
    *content.url_patterns(),  # pages of content types that declare them (network.content)
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/sso/", sso_views.sso_start, name="sso_start"),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("network.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Redoc starts from a static file (network/api_docs.py): no inline script under the CSP.
    path("api/redoc/", api_docs.RedocView.as_view(url_name="schema"), name="api-redoc"),
]
# Media (attachments) is never served directly, not even in DEBUG: downloads go through views that
# ask the visibility policy.

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
