"""Bench-only URLconf: the project's URLs unchanged, plus ``/bench/bare/…`` baseline views."""

from bench import bare_views
from network.urls import handler404, handler500  # noqa: F401
from network.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *bare_views.urlpatterns,
    *project_urlpatterns,
]
