"""HTML pages of the network fabric plus each app's ``urls.py`` (each declares its ``app_name``)."""

from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
