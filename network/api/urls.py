"""``/api/v1/``: the network's own endpoints plus each app's ``<app>/api/urls.py``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from network import content
from network.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
content.register_api_routes(router)  # API of content types that declare it (network.content)

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path(
        "me/notification-preferences/",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("", include(router.urls)),
    path("", include("members.api.urls")),
    path("", include("knowledge.api.urls")),
    path("", include("knowledge.statements.api.urls")),
    path("", include("forums.api.urls")),
    path("", include("network.search.api.urls")),
    path("", include("network.events.api.urls")),
]
