"""ASGI application of the browser-test site (served by uvicorn in the tests)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "browser.settings")

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

# Django is set up first: the routing imports views and auth.
django_asgi = get_asgi_application()

from djust.routing import live_application  # noqa: E402

application = live_application(http_app=ASGIStaticFilesHandler(django_asgi))
