"""``LiveView``: a Django view whose page stays live over a WebSocket.

GET renders the page on the server with a signed join token; djust.js then
joins over the WebSocket (``djust.consumer``) and the same class handles
events there. One instance lives per connection; its public attributes are
the state.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views import View

from djust import tokens
from djust.render import ViewRenderer, fingerprint

DEFAULT_WS_PATH = "/djust/ws/"

_DEFAULT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page_title }}</title></head>
<body>{{ djust_root }}{{ djust_script }}</body></html>"""


class LiveView(View):
    """Subclass, set ``template_name`` (or ``template``), write ``mount`` and ``@event_handler`` methods.

    >>> class Counter(LiveView):
    ...     template = "<button dj-click='inc'>{{ count }}</button>"
    ...     def mount(self, request, **kwargs):
    ...         self.count = 0
    ...     @event_handler
    ...     def inc(self):
    ...         self.count += 1
    """

    _djust_framework_class: ClassVar[bool] = True

    #: Template file rendered inside the live root.
    template_name: ClassVar[str | None] = None
    #: Or an inline template source.
    template: ClassVar[str | None] = None
    #: Page around the live root: a template with ``{{ djust_root }}`` and ``{{ djust_script }}``.
    page_template_name: ClassVar[str | None] = None
    #: Title of the default page.
    page_title: ClassVar[str] = "djust"
    #: Refuse anonymous users (GET redirects to the login page, join is refused).
    login_required: ClassVar[bool] = False

    # ---- the API a view author uses -------------------------------------------------

    def mount(self, request: HttpRequest, **kwargs: Any) -> None:
        """Set the initial state. ``kwargs`` are the URL parameters (signed into the token)."""

    def get_context_data(self) -> dict[str, Any]:
        """The template context: the public state. Override to add derived values."""
        from djust.state import public_state

        return public_state(self, FRAMEWORK_NAMES)

    def push_event(self, name: str, payload: Any = None) -> None:
        """Send ``name`` with ``payload`` to the client hooks that ``handleEvent(name)``."""
        self._djust_outbox.append(("push", {"name": str(name), "payload": payload}))

    def redirect(self, url: str) -> None:
        """Leave the live page: the browser loads ``url`` with a full page load."""
        self._djust_outbox.append(("redirect", {"url": str(url)}))

    def navigate(self, url: str, *, replace: bool = False) -> None:
        """Go to another live page without a full reload (history is updated)."""
        self._djust_outbox.append(("navigate", {"url": str(url), "replace": bool(replace)}))

    # ---- Django view plumbing ---------------------------------------------------------

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._djust_outbox: list[tuple[str, dict[str, Any]]] = []
        self._djust_renderer: ViewRenderer | None = None

    @classmethod
    def view_path(cls) -> str:
        """The dotted path that names this class in a join token."""
        return f"{cls.__module__}.{cls.__qualname__}"

    def renderer(self) -> ViewRenderer:
        """This instance's renderer (created on first use, so class attributes can be set late)."""
        if self._djust_renderer is None:
            self._djust_renderer = ViewRenderer(self.template_name, self.template)
        return self._djust_renderer

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Server-render the page with the join token; the client connects from there."""
        if self.login_required and not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.mount(request, **kwargs)
        for kind, data in self._djust_outbox:
            if kind in ("redirect", "navigate"):
                from django.shortcuts import redirect

                return redirect(data["url"])
        self._djust_outbox.clear()
        inner = self.renderer().mount(self.get_context_data(), request)
        session = getattr(request, "session", None)
        if session is not None and not session.session_key:
            # The token is bound to the session: make sure there is one.
            session.save()
        token = tokens.sign(
            self.view_path(),
            kwargs,
            session.session_key if session is not None else None,
            getattr(request, "user", None),
        )
        root = mark_safe(
            f'<div dj-root dj-token="{escape(token)}" dj-ws="{escape(ws_path())}" '
            f'dj-rendered="{fingerprint(inner)}">{inner}</div>'
        )
        return HttpResponse(self.render_page(request, root))

    def render_page(self, request: HttpRequest, root: SafeString) -> str:
        """The full page around the live root."""
        script = mark_safe(f'<script type="module" src="{escape(static("djust/djust.js"))}"></script>')
        context = {**self.get_context_data(), "djust_root": root, "djust_script": script, "page_title": self.page_title}
        if self.page_template_name:
            from django.template import loader

            return loader.render_to_string(self.page_template_name, context, request)
        return engines.all()[0].from_string(_DEFAULT_PAGE).render(context, request)


def ws_path() -> str:
    """The WebSocket path djust.js connects to (``DJUST_WS_PATH``)."""
    return getattr(settings, "DJUST_WS_PATH", DEFAULT_WS_PATH)


#: Names on LiveView and Django's View that are configuration, never state.
FRAMEWORK_NAMES: frozenset[str] = frozenset(
    name for klass in LiveView.__mro__ for name in vars(klass) if not name.startswith("_")
) | frozenset({"request", "args", "kwargs", "head"})
