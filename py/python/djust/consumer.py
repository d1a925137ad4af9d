"""The Channels consumer: a WebSocket carrying one LiveView's session.

It checks the Origin, turns frames into :class:`djust.session.LiveSession`
calls in a worker thread (handlers use the ORM) and sends the frames back.
Frames from one socket are handled one at a time, in order.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http.request import validate_host

from djust import events
from djust.session import LiveSession

logger = logging.getLogger("djust.live")


def origin_allowed(scope: dict[str, Any]) -> bool:
    """The Origin header's host must be one of ALLOWED_HOSTS (or the Host header itself)."""
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin:
        return False
    origin_host = urlsplit(origin).netloc
    host = headers.get(b"host", b"").decode("latin-1")
    if origin_host and origin_host == host:
        return True
    allowed = list(settings.ALLOWED_HOSTS) or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    hostname = urlsplit(origin).hostname or ""
    return validate_host(hostname, allowed)


class LiveViewConsumer(AsyncWebsocketConsumer):
    """One WebSocket, one joined LiveView."""

    live: LiveSession | None = None

    async def connect(self) -> None:
        if not origin_allowed(self.scope):
            logger.info("djust: WebSocket refused: origin not allowed")
            await self.close(code=4403)
            return
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        payload = text_data if text_data is not None else bytes_data or b""
        if len(payload) > events.max_message_bytes():
            # Refuse before parsing: an oversized frame costs nothing more.
            await self.send(text_data=events.encode(events.ERROR, ref=None, message="message too large"))
            return
        frames = await self._handle(payload)
        for frame in frames:
            await self.send(text_data=frame)

    @database_sync_to_async
    def _handle(self, payload: str | bytes) -> list[str]:
        if self.live is None:
            headers = dict(self.scope.get("headers") or [])
            self.live = LiveSession(
                user=self.scope.get("user"),
                session=self.scope.get("session"),
                host=headers.get(b"host", b"").decode("latin-1"),
            )
        return self.live.handle_text(payload)
