"""One live connection's server side, independent of the transport.

``LiveSession`` takes decoded client messages and returns the frames to send.
The Channels consumer drives it over a WebSocket; ``LiveViewTestClient`` drives
it directly. Everything here is synchronous (handlers touch the ORM); the
consumer runs it in a worker thread.

Invariant: an event either completes (state changed, outbox sent) or leaves
the view exactly as it was (snapshot restored, outbox dropped), and in both
cases the session stays usable.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import traceback
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.module_loading import import_string

from djust import events, tokens
from djust.coerce import CoercionError, bind_arguments, coerce_value
from djust.decorators import handler_names
from djust.liveview import FRAMEWORK_NAMES, LiveView
from djust.render import RawJSON, fingerprint
from djust.state import Snapshot, is_public, public_state

logger = logging.getLogger("djust.live")

#: State types a ``dj-model`` input can set (the value is coerced to the current value's type).
_MODEL_TYPES = (str, int, float, bool, decimal.Decimal, datetime.date, datetime.datetime)

#: Reserved event name for ``dj-model`` two-way binding: value {"field": name, "value": v}.
MODEL_EVENT = "dj:model"


class EventError(Exception):
    """An event the view refuses: unknown name, bad arguments, or a failing handler."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class LiveSession:
    """The server side of one joined view."""

    def __init__(self, *, user: Any, session: Any, host: str = "", debug: bool | None = None) -> None:
        self.user = user
        self.session = session
        self.host = host
        self.debug = settings.DEBUG if debug is None else debug
        self.view: LiveView | None = None
        self.request: HttpRequest | None = None

    # ---- dispatch ---------------------------------------------------------------------

    def handle(self, message: events.Join | events.Event | events.Heartbeat) -> list[str]:
        """Frames answering one decoded client message."""
        if isinstance(message, events.Heartbeat):
            return [events.encode(events.HEARTBEAT)]
        if isinstance(message, events.Join):
            return self.join(message)
        return self.event(message)

    def handle_text(self, text: str | bytes) -> list[str]:
        """Decode then handle; protocol errors become an error frame."""
        try:
            message = events.decode(text)
        except events.ProtocolError as exc:
            logger.info("djust: bad message: %s", events.sanitize_for_log(exc))
            return [events.encode(events.ERROR, ref=None, message=str(exc))]
        return self.handle(message)

    # ---- join -------------------------------------------------------------------------

    def join(self, message: events.Join) -> list[str]:
        """Verify the token, mount the view and send what differs from the HTTP render."""
        if message.version != events.PROTOCOL_VERSION:
            logger.info("djust: client protocol %s, server %s", message.version, events.PROTOCOL_VERSION)
        try:
            token = tokens.verify(message.token, getattr(self.session, "session_key", None), self.user)
            cls = import_string(token.view)
            if not (isinstance(cls, type) and issubclass(cls, LiveView)):
                raise tokens.TokenError("token names no LiveView")
        except (tokens.TokenError, ImportError) as exc:
            return [events.encode(events.ERROR, ref=None, message="join refused", fatal=True, **self._detail(exc))]
        if cls.login_required and not getattr(self.user, "is_authenticated", False):
            return [events.encode(events.ERROR, ref=None, message="login required", fatal=True)]
        view = cls()
        request = self._request(message.url)
        view.setup(request, **token.params)
        try:
            view.mount(request, **token.params)
            html = view.renderer().mount(view.get_context_data(), request)
        except Exception as exc:
            logger.exception("djust: mount of %s failed", token.view)
            return [events.encode(events.ERROR, ref=None, message="mount failed", fatal=True, **self._detail(exc))]
        self.view, self.request = view, request
        frames = self._drain_outbox()
        reply: dict[str, Any] = {"v": events.PROTOCOL_VERSION}
        payload = view.renderer().join_payload()
        if payload is not None:
            # The slot tables and values: the client renders them and morphs the
            # page, so whatever changed since the HTTP render is applied.
            reply["live"] = RawJSON(payload)
        elif fingerprint(html) != message.rendered:
            # State changed between the HTTP render and this join: send it.
            reply["html"] = html
        frames.append(events.encode(events.JOINED, **reply))
        return frames

    def _request(self, url: str) -> HttpRequest:
        # A request as the view saw it over HTTP: path, query, user, session.
        request = HttpRequest()
        parts = urlsplit(url)
        request.method = "GET"
        request.path = request.path_info = parts.path or "/"
        request.GET = QueryDict(parts.query)
        request.META["HTTP_HOST"] = self.host or parts.netloc
        request.user = self.user
        request.session = self.session
        return request

    # ---- events -----------------------------------------------------------------------

    def event(self, message: events.Event) -> list[str]:
        """Run one event: coerce, call, diff; on any failure roll back and report."""
        view = self.view
        if view is None:
            return [events.encode(events.ERROR, ref=message.ref, message="not joined")]
        snapshot = Snapshot(view, FRAMEWORK_NAMES)
        try:
            result = self._call(view, message)
            update = self._render(view, snapshot)
        except EventError as exc:
            snapshot.restore(view)
            view._djust_outbox.clear()
            logger.info("djust: event %s refused: %s", events.sanitize_for_log(message.name), exc)
            detail = {"detail": exc.detail} if self.debug and exc.detail else {}
            return [events.encode(events.ERROR, ref=message.ref, message=str(exc), **detail)]
        frames = self._drain_outbox()
        reply: dict[str, Any] = {"ref": message.ref}
        if update:
            reply.update(update)
        if isinstance(result, dict):
            reply["payload"] = result
        frames.append(events.encode(events.REPLY, **reply))
        return frames

    def _render(self, view: LiveView, snapshot: Snapshot) -> dict[str, Any] | None:
        context = view.get_context_data()
        changed = snapshot.changed(view)
        # Names get_context_data derives (not state) may change with anything: always re-evaluate them.
        changed |= set(context) - set(public_state(view, FRAMEWORK_NAMES))
        try:
            return view.renderer().update(context, changed, self.request)
        except Exception as exc:
            logger.exception("djust: render of %s failed", type(view).__name__)
            raise EventError("render failed", traceback.format_exc()) from exc

    def _call(self, view: LiveView, message: events.Event) -> Any:
        if message.name == MODEL_EVENT:
            return self._set_model(view, message.value)
        method_name = handler_names(type(view)).get(message.name)
        if method_name is None:
            raise EventError(f"unknown event {events.sanitize_for_log(message.name, 60)!r}")
        method = getattr(view, method_name)
        try:
            kwargs = bind_arguments(method, message.value)
        except CoercionError as exc:
            raise EventError(f"bad arguments for {message.name!r}", str(exc)) from exc
        try:
            return method(**kwargs)
        except Exception as exc:
            logger.exception("djust: handler %s.%s raised", type(view).__name__, method_name)
            raise EventError(f"{message.name!r} failed", traceback.format_exc()) from exc

    def _set_model(self, view: LiveView, value: dict[str, Any]) -> None:
        # Only existing public state may be set from the client: never a private
        # name, a framework setting, a method or a new attribute.
        field = value.get("field")
        if not isinstance(field, str) or not is_public(field) or field in FRAMEWORK_NAMES:
            raise EventError("dj-model: field not allowed")
        state = public_state(view, FRAMEWORK_NAMES)
        if field not in state or callable(state[field]):
            raise EventError(f"dj-model: {events.sanitize_for_log(field, 60)!r} is not state")
        current = state[field]
        raw = value.get("value")
        # The new value takes the current value's type; state of any other
        # type (a model, a form, a dict) cannot be bound to an input.
        if isinstance(current, list):
            hint: Any = list[str]
        elif current is None:
            hint = str | None
        elif type(current) in _MODEL_TYPES:
            hint = type(current)
        else:
            raise EventError(f"dj-model: {events.sanitize_for_log(field, 60)!r} cannot be bound to an input")
        try:
            new = coerce_value(raw, hint, field)
        except CoercionError as exc:
            raise EventError(f"dj-model: bad value for {field!r}", str(exc)) from exc
        setattr(view, field, new)
        hook = getattr(view, f"updated_{field}", None)
        if callable(hook):
            try:
                hook(new)
            except Exception as exc:
                raise EventError(f"dj-model: updated_{field} failed", traceback.format_exc()) from exc

    # ---- helpers ----------------------------------------------------------------------

    def _drain_outbox(self) -> list[str]:
        assert self.view is not None
        frames = [events.encode(kind, **data) for kind, data in self.view._djust_outbox]
        self.view._djust_outbox.clear()
        return frames

    def _detail(self, exc: BaseException) -> dict[str, str]:
        return {"detail": f"{type(exc).__name__}: {exc}"} if self.debug else {}
