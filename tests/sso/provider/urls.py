from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.sso.provider import app

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", auth_views.LoginView.as_view(template_name="idp_login.html"), name="login"),
    path("_control/mode", app.control_mode),
    path("_control/client", app.control_client),
    path("_control/user", app.control_user),
    path("_control/expire-codes", app.control_expire_codes),
    path("health", app.health),
]
