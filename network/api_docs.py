"""``/api/redoc/`` under the site's Content Security Policy (``/api/docs/`` is drf-spectacular's
Swagger split view, see ``templates/drf_spectacular/swagger_ui.html``).

drf-spectacular's stock Redoc page starts Redoc with an inline script, which ``script-src 'self'``
blocks (the page stayed blank); here Redoc starts from a static file. Redoc styles itself with
injected ``<style>`` elements (styled-components) and runs its search in a ``blob:`` worker, so its
page alone allows inline styles and blob workers; scripts stay ``'self'`` everywhere.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView


@method_decorator(
    csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}), name="dispatch"
)
class RedocView(SpectacularRedocView):
    """Redoc, started by ``network/redoc-init.js``."""
