"""The message envelope between djust.js and the server (docs/protocol.md, "Envelope").

Every frame is one JSON object with a type key ``t``. The names below are the
only definition on the server side; ``client/djust.js`` mirrors them as named
constants. Decoding is strict: anything that is not a known client message of
the right shape is a :class:`ProtocolError`, answered with an error frame; the
connection and the view's state survive it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

#: Envelope version; the client sends it at join and warns on a mismatch.
PROTOCOL_VERSION = 1
#: Default inbound frame limit in bytes (``DJUST_MAX_MESSAGE_BYTES``).
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024

# Client -> server
JOIN = "join"
EVENT = "event"
HEARTBEAT = "hb"
# Server -> client
JOINED = "joined"
REPLY = "reply"
PUSH = "push"
REDIRECT = "redirect"
NAVIGATE = "navigate"
ERROR = "error"

# Reply keys: a full render of the view root, or the live engine's patch.
KEY_HTML = "html"
KEY_PATCH = "patch"


class ProtocolError(Exception):
    """A frame from the client that does not follow the protocol."""


@dataclass
class Join:
    """``{"t": "join", "v": 1, "token": str, "url": str, "rendered": str}``."""

    token: str
    version: int
    url: str = ""
    rendered: str = ""


@dataclass
class Event:
    """``{"t": "event", "ref": int, "name": str, "value": {...}}``."""

    ref: int
    name: str
    value: dict[str, Any] = field(default_factory=dict)


@dataclass
class Heartbeat:
    """``{"t": "hb"}``: keeps proxies from closing an idle socket."""


def max_message_bytes() -> int:
    """The inbound frame size limit in bytes."""
    return int(getattr(settings, "DJUST_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES))


def decode(text: str | bytes) -> Join | Event | Heartbeat:
    """Parse and validate one client frame."""
    if len(text) > max_message_bytes():
        raise ProtocolError(f"message larger than {max_message_bytes()} bytes")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("message is not JSON") from exc
    if not isinstance(data, dict):
        raise ProtocolError("message is not an object")
    kind = data.get("t")
    if kind == EVENT:
        ref, name, value = data.get("ref"), data.get("name"), data.get("value", {})
        if not isinstance(ref, int) or isinstance(ref, bool):
            raise ProtocolError("event without an integer ref")
        if not isinstance(name, str) or not name or len(name) > 200:
            raise ProtocolError("event without a name")
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ProtocolError("event value is not an object")
        return Event(ref=ref, name=name, value=value)
    if kind == JOIN:
        token, version = data.get("token"), data.get("v")
        if not isinstance(token, str) or not isinstance(version, int):
            raise ProtocolError("join needs a token and a version")
        url, rendered = data.get("url", ""), data.get("rendered", "")
        return Join(
            token=token,
            version=version,
            url=url if isinstance(url, str) else "",
            rendered=rendered if isinstance(rendered, str) else "",
        )
    if kind == HEARTBEAT:
        return Heartbeat()
    raise ProtocolError(f"unknown message type {str(kind)[:40]!r}")


def encode(kind: str, **fields: Any) -> str:
    """Serialize one server frame. ``RawJSON`` values (engine output) are spliced in as they are."""
    from djust.render import RawJSON

    raw = {k: v for k, v in fields.items() if isinstance(v, RawJSON)}
    plain = {k: v for k, v in fields.items() if k not in raw}
    text = json.dumps({"t": kind, **plain}, separators=(",", ":"), cls=_Encoder)
    if not raw:
        return text
    return text[:-1] + "".join(f",{json.dumps(k)}:{v.text}" for k, v in raw.items()) + "}"


class _Encoder(json.JSONEncoder):
    # push_event payloads may hold dates and decimals; send them as strings,
    # as Django's DjangoJSONEncoder does.
    def default(self, o: Any) -> Any:
        from django.core.serializers.json import DjangoJSONEncoder

        return DjangoJSONEncoder().default(o)


def sanitize_for_log(value: Any, limit: int = 120) -> str:
    """A client-supplied value made safe for a log line: no control characters, bounded."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
