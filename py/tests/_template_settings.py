"""Django settings shared by djust's template tests (configured once per process)."""

import django
from django.conf import settings

TEST_SETTINGS = {
    "DEBUG": False,
    "USE_TZ": True,
    "TIME_ZONE": "UTC",
    "USE_I18N": True,
    "LANGUAGE_CODE": "en-us",
    "SECRET_KEY": "djust-template-tests",
    "MIDDLEWARE": [],
    "INSTALLED_APPS": [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "djust",
        "template_app",
    ],
    "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    "ROOT_URLCONF": __name__,
    "STATIC_URL": "/static/",
    "TEMPLATES": [],
}

urlpatterns: list = []


def configure() -> None:
    """Configure Django once; later calls are no-ops."""
    if not settings.configured:
        settings.configure(**TEST_SETTINGS)
        django.setup()
