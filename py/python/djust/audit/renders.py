"""The template renders a page made, kept so the audit can replay them with a
plan (``djust.audit.fixes``).

Django's engine and djust's ``DjustTemplates`` backend announce each render
with Django's ``template_rendered`` signal (sent in the test environment the
audit sets up). A LiveView renders its template with the live engine, which
sends no signal: its renderer calls :func:`note_live_render`, which keeps the
render only while :func:`capturing` is active (a context variable read: free
outside an audit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.template import Context
from django.template.base import Origin
from django.template.base import Template as DjangoTemplate


@dataclass
class Render:
    """A template render seen during a page, kept to replay it with a plan."""

    template: Any  # django.template.base.Template, a backend template or a LiveRender
    context: dict[str, Any]
    request: Any = None

    @property
    def name(self) -> str | None:
        origin = getattr(self.template, "origin", None)
        return getattr(origin, "template_name", None) if origin is not None else None

    def render(self, context: dict[str, Any]) -> str:
        """Render again with ``context`` (a modified copy of :attr:`context`)."""
        if isinstance(self.template, DjangoTemplate):
            return self.template.render(Context(context, autoescape=self.template.engine.autoescape))
        return self.template.render(context, self.request)


class LiveRender:
    """A LiveView's template, replayed as the view renders it: a fresh live mount."""

    def __init__(self, name: str | None, source: str | None) -> None:
        self.name = name
        self.source = source

    @property
    def origin(self) -> Origin:
        return Origin(name=self.name or "<unknown source>", template_name=self.name)

    def render(self, context: dict[str, Any], request: Any = None) -> str:
        from djust.live import LiveTemplate

        live = LiveTemplate.from_string(self.source) if self.source is not None else LiveTemplate(self.name)
        return live.mount(context, request)


_sink: ContextVar[list[Render] | None] = ContextVar("djust_audit_renders", default=None)


@contextmanager
def capturing(renders: list[Render]) -> Iterator[list[Render]]:
    """Append the LiveView renders made inside to ``renders``."""
    token = _sink.set(renders)
    try:
        yield renders
    finally:
        _sink.reset(token)


def note_live_render(name: str | None, source: str | None, context: dict[str, Any], request: Any) -> None:
    """A LiveView is mounting template ``name`` (or ``source``) with ``context``."""
    sink = _sink.get()
    if sink is not None:
        sink.append(Render(LiveRender(name, source), dict(context), request))
