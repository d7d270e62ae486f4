"""ASGI entry point: HTTP through Django, WebSockets through Channels.

WebSockets pass through the site-origin check (scheme, host and port, :mod:`network.ws_origin`) and session authentication (or an allauth
session token, see :mod:`network.ws_auth`) before any consumer sees them.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from network.body_limit import BodyLimitMiddleware  # noqa: E402
from network.realtime import ServerSendMiddleware  # noqa: E402
from network.routing import websocket_urlpatterns  # noqa: E402
from network.search.analysis import warm_up_in_background  # noqa: E402
from network.startup import freeze_start_up_heap, warm_url_resolvers  # noqa: E402
from network.ws_auth import SessionOrTokenAuthMiddlewareStack  # noqa: E402
from network.ws_origin import SiteOriginValidator  # noqa: E402

# Load the search analysers (Voikko, simplemma's dictionaries, Hunspell word lists, lingua) while
# the server starts, so the first search does not wait ~8 s for them (SEARCH_WARM_UP).
if settings.SEARCH_WARM_UP:
    warm_up_in_background()

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        # ServerSendMiddleware first: thread sockets write their data frames through the server's
        # own send, below the session and outage wrappers (network.realtime).
        "websocket": ServerSendMiddleware(
            SiteOriginValidator(SessionOrTokenAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Fill the URL resolvers' tables now (the first request of each language paid ~150 ms for them),
# then keep everything start-up created out of later full garbage collections (network.startup).
warm_url_resolvers()
freeze_start_up_heap()
