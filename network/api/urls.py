"""``/api/v1/``: the network's own endpoints plus each app's ``<app>/api/urls.py``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from network.api import views
from network.apps_urls import optional_includes

router = DefaultRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("", include(router.urls)),
    *optional_includes(
        ("members.api.urls", ""),
        ("knowledge.api.urls", ""),
        ("knowledge.statements.api.urls", ""),
        ("forums.api.urls", ""),
        ("network.search.api.urls", ""),
        ("network.events.api.urls", ""),
        ("network.dashboard.api.urls", ""),
    ),
]
