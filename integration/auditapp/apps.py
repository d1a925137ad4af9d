from django.apps import AppConfig


class AuditAppConfig(AppConfig):
    """Pages with and without N+1 queries, for the djust_queries integration tests."""

    name = "auditapp"
    default_auto_field = "django.db.models.BigAutoField"
