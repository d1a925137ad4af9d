from django.apps import AppConfig


class OrmAutoprefetchConfig(AppConfig):
    """Benchmark-only: the library schema on django-auto-prefetch."""

    name = "orm_autoprefetch"
    default_auto_field = "django.db.models.BigAutoField"
