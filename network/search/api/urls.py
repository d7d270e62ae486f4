"""Mounted under /api/v1/ (see network/api/urls.py)."""

from django.urls import path

from network.search.api import views

urlpatterns = [path("search/", views.SearchView.as_view(), name="search")]
