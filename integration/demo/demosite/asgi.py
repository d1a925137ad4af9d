"""ASGI entry point: HTTP through Django, WebSocket through Channels (djust's live views).

Served by uvicorn (`make demo`). Static files are served by Django's
staticfiles handler, as `runserver` would in development.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demosite.settings")

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

# Django is set up before the live routing imports views and auth.
django_asgi = get_asgi_application()

from djust.routing import live_application  # noqa: E402

application = live_application(http_app=ASGIStaticFilesHandler(django_asgi))
