"""HTML pages of the network fabric; each app's own pages are mounted in :mod:`network.urls`."""

from django.urls import path

from network import health, views
from network.accessibility import views as accessibility

app_name = "network"

urlpatterns = [
    path("", views.home, name="home"),
    path("status/", health.status_page, name="status"),
    path("accessibility/", accessibility.statement, name="accessibility"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
