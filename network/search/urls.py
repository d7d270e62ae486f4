"""Mounted at /search/ (see network/urls.py)."""

from django.urls import path

from network.search import views

app_name = "search"

urlpatterns = [path("", views.search_page, name="search")]
