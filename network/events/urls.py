"""HTML pages for events, mounted at ``/events/``."""

from django.urls import path

from network.events import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("feed.atom", feeds.EventsFeed(), name="feed"),
    path("cohost-invitations/<int:pk>/", views.cohost_invitation, name="cohost_invitation"),
    path("confirm/<str:token>/", views.guest_confirm, name="guest_confirm"),
    path("guest-cancel/<str:token>/", views.guest_cancel, name="guest_cancel"),
    path("organisations/<slug:slug>.ics", views.feed_organisation, name="feed_organisation"),
    path("groups/<slug:slug>.ics", views.feed_working_group, name="feed_working_group"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>.ics", views.event_ics, name="ics"),
    path("<slug:slug>/edit/", views.event_edit, name="edit"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/guest/", views.guest_register, name="guest_register"),
    path("<slug:slug>/attendees/", views.attendees, name="attendees"),
    path("<slug:slug>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("<slug:slug>/attendees/<int:pk>/remove/", views.attendee_remove, name="attendee_remove"),
    path("<slug:slug>/outcomes/", views.outcome_add, name="outcome_add"),
    path("<slug:slug>/outcomes/<int:pk>/remove/", views.outcome_remove, name="outcome_remove"),
]
