"""ASGI entry point: HTTP through Django, WebSocket through Channels.

Served by uvicorn (`make demo`). Static files are served by Django's
staticfiles handler, as `runserver` would in development.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demosite.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi),
        # Live views register their WebSocket routes here (LiveView runtime issue).
        "websocket": URLRouter([]),
    }
)
