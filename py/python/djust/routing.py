"""WebSocket URL patterns and an ASGI application for Channels.

In ``asgi.py``::

    from djust.routing import live_application
    application = live_application()

or, to compose with your own routes, add ``djust.routing.websocket_urlpatterns``
to your ``URLRouter`` under ``AuthMiddlewareStack``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path

from djust.consumer import LiveViewConsumer
from djust.liveview import ws_path

websocket_urlpatterns = [path(ws_path().lstrip("/"), LiveViewConsumer.as_asgi())]


def live_application(http_app: Any = None, extra_websocket_urlpatterns: list[Any] | None = None) -> Any:
    """A ``ProtocolTypeRouter``: Django for HTTP, djust (with sessions and auth) for WebSockets."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.core.asgi import get_asgi_application

    return ProtocolTypeRouter(
        {
            "http": http_app if http_app is not None else get_asgi_application(),
            "websocket": AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *(extra_websocket_urlpatterns or [])])),
        }
    )
