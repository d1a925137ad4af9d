from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The ORM planner's integration schema (authors, books, tags, reviews...)."""

    name = "library"
    default_auto_field = "django.db.models.BigAutoField"
