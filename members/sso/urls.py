"""allauth's ``openid_connect`` URLs, served by the hardened adapter (same paths and names)."""

from allauth.socialaccount import app_settings
from django.urls import include, path, re_path

from members.sso import views

urlpatterns = [
    re_path(
        r"^(?P<provider_id>[^/]+)/",
        include(
            [
                path("login/", views.oidc_login, name="openid_connect_login"),
                path("login/callback/", views.oidc_callback, name="openid_connect_callback"),
            ]
        ),
    )
]

if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
