"""How a LiveView's template becomes HTML on mount and an update after each event.

The live-rendering engine (``djust.LiveTemplate``, issue 5) turns an update into
slot patches. Until it is part of this build, the view root is re-rendered with
the project's Django template engine and sent whole when it changed: correct,
but not O(changed). This module is the single seam between the runtime and the
renderer.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from django.template import engines, loader


def fingerprint(html: str) -> str:
    """A short digest of rendered HTML, compared at join to skip resending an unchanged page."""
    return hashlib.sha256(html.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _inline(source: str) -> Any:
    # One compiled template per source, shared by every connection's view:
    # compiling per instance would cost each connection a template's memory.
    return engines.all()[0].from_string(source)


class ViewRenderer:
    """Renders one LiveView instance's template and remembers the last output."""

    def __init__(self, template_name: str | None, template_source: str | None) -> None:
        if template_source is not None:
            self._template = _inline(template_source)
        elif template_name:
            self._template = loader.get_template(template_name)
        else:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("a LiveView needs template_name or template")
        self._last: str | None = None

    def mount(self, context: dict[str, Any], request: Any = None) -> str:
        """First render: the view root's inner HTML."""
        self._last = self._template.render(context, request)
        return self._last

    def update(self, context: dict[str, Any], changed: set[str], request: Any = None) -> dict[str, Any] | None:
        """The reply fields that bring the client up to date, or None when nothing changed."""
        html = self._template.render(context, request)
        if html == self._last:
            return None
        self._last = html
        return {"html": html}
