"""``LiveViewTestClient``: test a LiveView in plain pytest, without a browser or a server.

It plays the browser's part: a GET through the view (so the page, the token,
the session and the user are real), then the same join and event messages
djust.js sends, handled by the same :class:`djust.session.LiveSession` the
WebSocket consumer uses.

>>> live = LiveViewTestClient.mount(Counter, user=alice)   # doctest: +SKIP
>>> live.click("inc")
>>> assert "1" in live.html
"""

from __future__ import annotations

import itertools
import json
import re
from html import unescape
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from djust import events
from djust.liveview import LiveView
from djust.session import MODEL_EVENT, LiveSession

_ROOT = re.compile(r'<div dj-root dj-token="([^"]*)" dj-ws="[^"]*" dj-rendered="([0-9a-f]*)">(.*)</div>', re.S)


class Rendered:
    """The client's copy of a live view: join tables and values, patched op by op.

    A line-for-line mirror of djust.js's ``Rendered`` (and of the reference
    applier ``vdom/src/live/dom.rs``), tested against the same fixtures in
    ``client/fixtures/patches``.
    """

    def __init__(self, join: dict[str, Any]) -> None:
        if join.get("v") != 1:
            raise LiveViewError(f"patch format {join.get('v')}, expected 1")
        self.frags, self.slots, self.root = join["f"], join["s"], join["r"]

    def apply(self, patch: dict[str, Any]) -> None:
        """Apply a patch message in order."""
        if patch.get("v") != 1:
            raise LiveViewError(f"patch format {patch.get('v')}, expected 1")
        for op in patch["d"]:
            holder, index = self._locate(self.root, 0, op["p"])
            target = holder[index]
            code = op["o"]
            if code in ("s", "r"):
                holder[index] = op["v"]
            elif code == "d":
                _remove(target, _key_index(target, op["k"]))
            elif code == "i":
                _insert(target, _insert_pos(target, op.get("a")), op["k"], op["v"])
            elif code == "m":
                item = _remove(target, _key_index(target, op["k"]))
                _insert(target, _insert_pos(target, op.get("a")), op["k"], item)
            else:
                raise LiveViewError(f"unknown op {code!r}")

    def _locate(self, vals: list[Any], fid: int, path: list[Any]) -> tuple[list[Any], int]:
        sid = path[0]
        slots = self.frags[fid]["d"]
        if sid not in slots:
            raise LiveViewError(f"no slot {sid} in fragment {fid}")
        idx = slots.index(sid)
        if len(path) == 1:
            return vals, idx
        value, desc = vals[idx], self.slots[sid]
        if desc["t"] == "w":
            return self._locate(value["d"], desc["f"], path[1:])
        if desc["t"] == "i":
            return self._locate(value["d"], desc["f"][value["b"]], path[1:])
        if desc["t"] == "l":
            if isinstance(path[1], str):
                return self._locate(value["i"][_key_index(value, path[1])], desc["f"], path[2:])
            return self._locate(value["e"], desc["e"], path[1:])
        raise LiveViewError(f"cannot enter text slot {sid}")

    def html(self) -> str:
        """The HTML of the current values."""
        out: list[str] = []
        self._frag(0, self.root, out)
        return "".join(out)

    def _frag(self, fid: int, vals: list[Any], out: list[str]) -> None:
        frag = self.frags[fid]
        out.append(frag["s"][0])
        for i, (sid, value) in enumerate(zip(frag["d"], vals, strict=False)):
            desc = self.slots[sid]
            if isinstance(value, str):
                out.append(value)
            elif desc["t"] == "w":
                self._frag(desc["f"], value.get("d", []), out)
            elif desc["t"] == "i":
                if value.get("b") is not None:
                    self._frag(desc["f"][value["b"]], value.get("d", []), out)
            elif desc["t"] == "l":
                for item in value.get("i", []):
                    self._frag(desc["f"], item, out)
                if isinstance(value.get("e"), list):
                    self._frag(desc["e"], value["e"], out)
            out.append(frag["s"][i + 1] if i + 1 < len(frag["s"]) else "")


def _key_index(loop: dict[str, Any], key: str) -> int:
    try:
        return loop["k"].index(key)
    except ValueError:
        raise LiveViewError(f"no key {key!r}") from None


def _insert_pos(loop: dict[str, Any], after: str | None) -> int:
    return 0 if after is None else _key_index(loop, after) + 1


def _remove(loop: dict[str, Any], i: int) -> Any:
    del loop["k"][i]
    return loop["i"].pop(i)


def _insert(loop: dict[str, Any], at: int, key: str, item: Any) -> None:
    if at > len(loop["k"]):
        raise LiveViewError("insert position")
    loop["k"].insert(at, key)
    loop["i"].insert(at, item)


class LiveViewError(AssertionError):
    """The server answered an event or a join with an error frame."""


class LiveViewTestClient:
    """A mounted LiveView you can send events to and read the HTML of."""

    def __init__(self, live: LiveSession, page: str, html: str) -> None:
        self._live = live
        self._refs = itertools.count(1)
        #: The full page served by the GET.
        self.page = page
        #: The view root's current inner HTML.
        self.html = html
        #: Every frame received, decoded, in order.
        self.frames: list[dict[str, Any]] = []
        #: ``(name, payload)`` of each ``push_event`` not yet asserted.
        self.push_events: list[tuple[str, Any]] = []
        #: The last redirect or navigate URL, if any.
        self.redirected_to: str | None = None
        #: Every patch message applied, in order.
        self.patches: list[dict[str, Any]] = []
        self._rendered: Rendered | None = None

    @classmethod
    def mount(
        cls,
        view: type[LiveView],
        *,
        user: Any = None,
        path: str = "/",
        debug: bool | None = None,
        **params: Any,
    ) -> LiveViewTestClient:
        """GET the view as ``user`` (anonymous by default) with URL ``params``, then join."""
        from importlib import import_module

        from django.conf import settings

        request = RequestFactory().get(path)
        engine = import_module(settings.SESSION_ENGINE)
        session: SessionBase = engine.SessionStore()
        request.session = session
        request.user = user if user is not None else AnonymousUser()
        response = view.as_view()(request, **params)
        if response.status_code != 200:
            raise LiveViewError(f"GET answered {response.status_code}")
        page = response.content.decode()
        match = _ROOT.search(page)
        if match is None:
            raise LiveViewError("the page has no live root")
        token, rendered, html = unescape(match.group(1)), match.group(2), match.group(3)
        live = LiveSession(user=request.user, session=session, host="testserver", debug=debug)
        client = cls(live, page, html)
        join = events.Join(token=token, version=events.PROTOCOL_VERSION, url=path, rendered=rendered)
        client._receive(live.join(join))
        return client

    # ---- sending ----------------------------------------------------------------------

    def event(self, name: str, value: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send an event; return its reply frame. An error frame raises :class:`LiveViewError`."""
        ref = next(self._refs)
        return self._receive(self._live.event(events.Event(ref=ref, name=name, value=value or {})))

    def click(self, name: str, **values: Any) -> dict[str, Any]:
        """Like ``dj-click="name"`` with ``dj-value-*`` attributes as keyword arguments."""
        return self.event(name, {k: _as_attribute(v) for k, v in values.items()})

    def submit(self, name: str, form: dict[str, Any]) -> dict[str, Any]:
        """Like ``dj-submit="name"`` on a form holding ``form``'s fields."""
        return self.event(name, {k: _as_form_value(v) for k, v in form.items()})

    change = submit

    def model(self, field: str, value: Any) -> dict[str, Any]:
        """Like typing ``value`` into ``<input dj-model="field">``."""
        return self.event(MODEL_EVENT, {"field": field, "value": value})

    # ---- assertions -------------------------------------------------------------------

    def has_element(self, tag: str, text: str | None = None, **attrs: str) -> bool:
        """Whether the HTML has ``<tag ...attrs>`` (exact attribute values) containing ``text``."""
        for match in re.finditer(rf"<{tag}\b([^>]*)>(.*?)</{tag}>|<{tag}\b([^>]*)/?>", self.html, re.S):
            attr_text = match.group(1) or match.group(3) or ""
            found = dict(
                (k.replace("-", "_"), unescape(v1 or v2 or ""))
                for k, v1, v2 in re.findall(r'([\w:-]+)(?:="([^"]*)"|=\'([^\']*)\')?', attr_text)
            )
            if any(found.get(k) != v for k, v in attrs.items()):
                continue
            if text is None or text in unescape(re.sub(r"<[^>]+>", "", match.group(2) or "")):
                return True
        return False

    def assert_push_event(self, name: str, payload: Any = None) -> Any:
        """Pop the first pushed event called ``name`` (and check its payload if given)."""
        for i, (pushed, data) in enumerate(self.push_events):
            if pushed == name and (payload is None or data == payload):
                del self.push_events[i]
                return data
        raise AssertionError(f"no push_event {name!r} in {self.push_events!r}")

    # ---- receiving --------------------------------------------------------------------

    def _receive(self, frames: list[str]) -> dict[str, Any]:
        last: dict[str, Any] = {}
        for text in frames:
            frame = json.loads(text)
            self.frames.append(frame)
            kind = frame["t"]
            if kind == events.ERROR:
                raise LiveViewError(frame.get("message", "error"), frame.get("detail"))
            if kind == events.PUSH:
                self.push_events.append((frame["name"], frame.get("payload")))
            elif kind in (events.REDIRECT, events.NAVIGATE):
                self.redirected_to = frame["url"]
            if "live" in frame:
                self._rendered = Rendered(frame["live"])
                self.html = self._rendered.html()
            if "patch" in frame:
                if self._rendered is None:
                    raise LiveViewError("patch before join")
                self.patches.append(frame["patch"])
                self._rendered.apply(frame["patch"])
                self.html = self._rendered.html()
            if "html" in frame:
                self.html = frame["html"]
            last = frame
        return last


def _as_attribute(value: Any) -> str:
    # dj-value-* arrive as strings, exactly as the browser would send them.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_form_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_as_attribute(v) for v in value]
    return _as_attribute(value)
