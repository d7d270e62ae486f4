"""Mounted under /api/v1/ (see network/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from network.events.api import views

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="event")

urlpatterns = [
    path(
        "events/feeds/organisations/<slug:slug>.ics",
        views.OrganisationFeed.as_view(),
        name="event-feed-organisation",
    ),
    path("events/feeds/groups/<slug:slug>.ics", views.WorkingGroupFeed.as_view(), name="event-feed-group"),
    path("", include(router.urls)),
]
