"""Live templates: render once, then send only what changed.

``LiveTemplate`` compiles a template into static HTML and dynamic slots that
know which context names they read. ``mount(context)`` returns the page's
HTML (byte for byte what a plain render gives); ``update(context, changed)``
re-evaluates only the slots reading a changed name and returns the patch
message for the browser (``docs/protocol.md``, "Patches"), or ``None`` when
nothing visible changed::

    lt = LiveTemplate.from_string("<h1>{{ title }}</h1>")
    html = lt.mount({"title": "Hello"})
    patch = lt.update({"title": "Bye"}, changed=["title"])

Templates are loaded through the project's ``DjustTemplates`` backend when
one is configured (same loaders, libraries and options), else through a
Django engine built from the ``DjangoTemplates`` settings (or Django's
defaults when none is configured).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from djust import _native

__all__ = ["LiveTemplate"]

_engine_lock = threading.Lock()
_engine = None


def _djust_engine():
    """The project's DjustEngine: the DjustTemplates backend's, or one over Django's default engine."""
    global _engine
    from django.template import engines

    from djust.template.backends import DjustTemplates

    for backend in engines.all():
        if isinstance(backend, DjustTemplates):
            return backend.djust
    with _engine_lock:
        if _engine is None:
            from django.core.exceptions import ImproperlyConfigured
            from django.template.engine import Engine

            from djust.template.engine import DjustEngine

            try:
                base = Engine.get_default()
            except ImproperlyConfigured:  # no TEMPLATES: Django's defaults
                base = Engine()
            _engine = DjustEngine(base)
        return _engine


def _native_template(template: Any, what: str) -> Any:
    native = getattr(template, "native", None)
    if native is None:
        raise _native.TemplateUnsupported(
            f"{what} uses a tag the Rust engine cannot run, so it cannot be rendered live"
        )
    return native


class LiveTemplate:
    """A template plus one view's rendered state; see the module docstring."""

    def __init__(self, name: str) -> None:
        engine = _djust_engine()
        self._live = _native.LiveTemplate(_native_template(engine.get_template(name), name))
        self.name: str | None = name

    @classmethod
    def from_string(cls, source: str) -> LiveTemplate:
        """Compile template source text."""
        self = cls.__new__(cls)
        engine = _djust_engine()
        self._live = _native.LiveTemplate(_native_template(engine.from_string(source), "the template string"))
        self.name = None
        return self

    def mount(self, context: Mapping[str, Any], request: Any = None) -> str:
        """Render the whole page, retain its slot values, return the HTML."""
        return self._live.mount(_as_dict(context), request)

    def update(
        self,
        context: Mapping[str, Any],
        changed: Iterable[str] | None = None,
        request: Any = None,
    ) -> bytes | None:
        """The patch message for the new ``context``, or ``None`` if nothing visible changed.

        ``changed`` names the context keys known to have changed; ``None``
        re-evaluates every slot and compares (so in-place mutation of a list
        or dict is noticed). A render error raises ``TemplateSyntaxError``
        naming the template line and keeps the previous state.
        """
        if isinstance(changed, str):
            changed = [changed]
        return self._live.update(_as_dict(context), changed, request)

    def join_payload(self) -> str:
        """The JSON the client needs once (slot tables and values) to apply patches."""
        return self._live.join_payload()

    def html(self) -> str | None:
        """The HTML of the retained state."""
        return self._live.html()

    def stats(self) -> dict[str, int]:
        """Retained bytes of this view, static bytes of the template, slot and fragment counts."""
        return self._live.stats()


def _as_dict(context: Mapping[str, Any]) -> dict[str, Any]:
    return context if isinstance(context, dict) else dict(context)
