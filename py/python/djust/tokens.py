"""The signed join token: which view, with which mount parameters, for whom, until when.

The HTTP render embeds it in the page; the WebSocket join must present it.
It is signed with ``SECRET_KEY`` (``django.core.signing``) so a client can
neither pick another view nor change the mount parameters, and it is bound to
the session and the user so a token copied to another browser is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing

SALT = "djust.liveview.join"
DEFAULT_MAX_AGE = 60 * 60 * 24


class TokenError(Exception):
    """A join token is malformed, tampered with, expired or bound to someone else."""


@dataclass(frozen=True)
class JoinToken:
    """What a join token carries once verified."""

    view: str
    params: dict[str, Any]
    session: str
    user: str


def _binding(session_key: str | None) -> str:
    # Only a digest of the session key travels in the page: the key itself is
    # a credential.
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _user_id(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(user.pk)


def max_age() -> int:
    """Token lifetime in seconds (``DJUST_TOKEN_MAX_AGE``, default one day)."""
    return int(getattr(settings, "DJUST_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def sign(view: str, params: dict[str, Any], session_key: str | None, user: Any) -> str:
    """Sign a token for ``view`` mounted with ``params`` for this session and user."""
    payload = {"v": view, "p": params, "s": _binding(session_key), "u": _user_id(user)}
    return signing.dumps(payload, salt=SALT, compress=True)


def verify(token: str, session_key: str | None, user: Any) -> JoinToken:
    """Check signature, age and binding; raise :class:`TokenError` on any mismatch."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as exc:
        raise TokenError("token expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("bad token signature") from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), str) or not isinstance(data.get("p"), dict):
        raise TokenError("malformed token")
    if data.get("s", "") != _binding(session_key):
        raise TokenError("token belongs to another session")
    if data.get("u", "") != _user_id(user):
        raise TokenError("token belongs to another user")
    return JoinToken(view=data["v"], params=data["p"], session=data["s"], user=data["u"])
