"""One ASGI entry point: websockets to Channels, HTTP to the WSGI app in a thread pool.

Django's own ASGI handler runs sync views on one thread (measured 2.5–4× slower here), so HTTP
goes through a2wsgi's thread pool instead. Production may run the WSGI app on its own server and
this module for /ws/ only; both work behind one reverse proxy.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renrakucho.settings")

import django  # noqa: E402

django.setup()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from renrakucho.routing import websocket_urlpatterns  # noqa: E402
from renrakucho.wsgi import application as wsgi_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(wsgi_application, workers=int(os.environ.get("WSGI_THREADS", "8"))),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
