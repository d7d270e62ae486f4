"""Mounted at ``/dashboard/``."""

from django.urls import path

from network.dashboard import views

app_name = "dashboard"

urlpatterns = [path("", views.dashboard, name="index")]
