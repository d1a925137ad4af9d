"""djust's Rust template engine for Django.

Use it as a ``TEMPLATES`` backend::

    TEMPLATES = [{"BACKEND": "djust.template.backends.DjustTemplates", "APP_DIRS": True, "OPTIONS": {...}}]

:class:`~djust.template.engine.DjustEngine` is the engine behind the backend,
built over a private ``django.template.Engine`` (loaders, libraries, options).
"""

from djust.template.engine import DjustEngine

__all__ = ["DjustEngine"]
