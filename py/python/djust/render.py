"""How a LiveView's template becomes HTML on mount and a patch after each event.

The live engine (``djust.LiveTemplate``) compiles the template into statics and
slots: the join reply carries its tables and values, and each update is a slot
patch (docs/protocol.md, "Patches"). A template the Rust engine cannot run
(a tag it does not support) falls back to Django's engine: the root is
re-rendered and sent whole when it changed, and the client morphs it in.
This module is the single seam between the runtime and the renderer.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template import engines, loader

logger = logging.getLogger("djust.live")


def fingerprint(html: str) -> str:
    """A short digest of rendered HTML, compared at join to skip resending an unchanged page."""
    return hashlib.sha256(html.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _inline(source: str) -> Any:
    # One compiled template per source, shared by every connection's view:
    # compiling per instance would cost each connection a template's memory.
    return engines.all()[0].from_string(source)


def _live_template(template_name: str | None, template_source: str | None) -> Any:
    """A LiveTemplate for this view, or None when live rendering is off or unsupported."""
    if not getattr(settings, "DJUST_LIVE_RENDERING", True):
        return None
    from djust import _native
    from djust.live import LiveTemplate

    try:
        if template_source is not None:
            return LiveTemplate.from_string(template_source)
        return LiveTemplate(template_name)
    except _native.TemplateUnsupported as exc:
        logger.info("djust: %s renders whole on each update: %s", template_name or "inline template", exc)
        return None


class ViewRenderer:
    """Renders one LiveView instance's template and keeps what the client has."""

    def __init__(self, template_name: str | None, template_source: str | None) -> None:
        if template_source is None and not template_name:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("a LiveView needs template_name or template")
        self._name, self._source = template_name, template_source
        self._live = _live_template(template_name, template_source)
        self._template: Any = None
        self._last: str | None = None

    @property
    def is_live(self) -> bool:
        """Whether updates are slot patches (True) or whole renders (False)."""
        return self._live is not None

    def _django(self) -> Any:
        if self._template is None:
            self._template = _inline(self._source) if self._source is not None else loader.get_template(self._name)
        return self._template

    def _planned(self, context: dict[str, Any]) -> dict[str, Any]:
        """Plan each ``djust.optimize(qs)``-marked queryset against this view's template."""
        if self._name is None:
            return context
        from djust.optimize import is_marked, plan_context

        if not any(is_marked(value) for value in context.values()):
            return context
        return plan_context(context, self._name)

    def mount(self, context: dict[str, Any], request: Any = None) -> str:
        """First render: the view root's inner HTML."""
        context = self._planned(context)
        if self._live is not None:
            from djust.audit.renders import note_live_render  # imported on first mount, not with the runtime

            note_live_render(self._name, self._source, context, request)  # kept only while an audit records
            return self._live.mount(context, request)
        self._last = self._django().render(context, request)
        return self._last

    def join_payload(self) -> str | None:
        """The live engine's join payload (JSON text), or None for the fallback renderer."""
        return self._live.join_payload() if self._live is not None else None

    def update(self, context: dict[str, Any], changed: set[str] | None, request: Any = None) -> dict[str, Any] | None:
        """Reply fields bringing the client up to date (``patch`` raw JSON or ``html``), or None."""
        context = self._planned(context)
        if self._live is not None:
            patch = self._live.update(context, sorted(changed) if changed is not None else None, request)
            return None if patch is None else {"patch": RawJSON(patch)}
        html = self._django().render(context, request)
        if html == self._last:
            return None
        self._last = html
        return {"html": html}


class RawJSON:
    """JSON text produced elsewhere (the Rust engine), spliced into a frame without re-parsing."""

    __slots__ = ("text",)

    def __init__(self, text: str | bytes) -> None:
        self.text = text.decode() if isinstance(text, bytes) else text
