"""Mounted under /api/v1/ (see network/api/urls.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from network.events.api import cohosts, views

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="event")

urlpatterns = [
    path("events/cohost-invitations/", cohosts.CoHostInvitationListView.as_view(), name="cohost-invitations"),
    path(
        "events/cohost-invitations/<int:pk>/accept/",
        cohosts.CoHostInvitationAcceptView.as_view(),
        name="cohost-invitation-accept",
    ),
    path(
        "events/cohost-invitations/<int:pk>/decline/",
        cohosts.CoHostInvitationDeclineView.as_view(),
        name="cohost-invitation-decline",
    ),
    path(
        "events/feeds/organisations/<slug:slug>.ics",
        views.OrganisationFeed.as_view(),
        name="event-feed-organisation",
    ),
    path("events/feeds/groups/<slug:slug>.ics", views.WorkingGroupFeed.as_view(), name="event-feed-group"),
    path("", include(router.urls)),
]
