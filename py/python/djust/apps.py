from django.apps import AppConfig


class DjustConfig(AppConfig):
    """Registers djust with Django: static files (djust.js), templates, commands."""

    name = "djust"
    verbose_name = "djust"
