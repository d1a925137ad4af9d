"""The browser-test site: the integration settings with its own URLs and templates."""

import os
from pathlib import Path

import dj_database_url

from testproject.settings import *  # noqa: F403

ROOT_URLCONF = "browser.urls"
ASGI_APPLICATION = "browser.asgi.application"
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TEMPLATES[0]["DIRS"] = [Path(__file__).resolve().parent / "templates"]  # noqa: F405
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
LOGGING = {"version": 1, "disable_existing_loggers": False}
