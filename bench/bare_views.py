"""Bare Django views for the API baseline (filled in as the endpoints land)."""

urlpatterns: list = []
