"""The Channels consumer over an in-memory WebSocket: Origin check, join, events, size limit."""

import json
import re
from html import unescape

import pytest
from asgiref.testing import ApplicationCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from djust.consumer import LiveViewConsumer
from djust.test_client import Rendered
from tests.test_liveview_runtime import Counter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class WebsocketCommunicator(ApplicationCommunicator):
    """A WebSocket client over ASGI in memory (channels.testing needs daphne, which we do not ship)."""

    def __init__(self, app, path, headers):
        scope = {"type": "websocket", "path": path, "headers": headers, "subprotocols": [], "query_string": b""}
        super().__init__(app, scope)

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(30)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, None

    async def send_to(self, text_data):
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def receive_from(self):
        return (await self.receive_output(30))["text"]

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(30)


def render_page():
    """GET the counter as an anonymous user; return (session, token)."""
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/counter/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    page = Counter.as_view()(request).content.decode()
    return request.session, unescape(re.search(r'dj-token="([^"]*)"', page).group(1))


def communicator(session, origin=b"http://testserver"):
    from django.contrib.auth.models import AnonymousUser

    headers = [(b"host", b"testserver")] + ([(b"origin", origin)] if origin else [])
    comm = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/djust/ws/", headers=headers)
    comm.scope["session"] = session
    comm.scope["user"] = AnonymousUser()
    return comm


async def test_join_then_events_over_the_socket():
    from asgiref.sync import sync_to_async

    session, token = await sync_to_async(render_page)()
    comm = communicator(session)
    connected, _ = await comm.connect()
    assert connected
    await comm.send_to(text_data=json.dumps({"t": "join", "v": 1, "token": token, "url": "/counter/"}))
    joined = json.loads(await comm.receive_from())
    assert joined["t"] == "joined" and joined["v"] == 1
    await comm.send_to(text_data=json.dumps({"t": "event", "ref": 1, "name": "inc", "value": {"by": "2"}}))
    reply = json.loads(await comm.receive_from())
    assert reply["ref"] == 1 and reply["patch"]["d"] == [{"o": "s", "p": [0], "v": "2"}]
    rendered = Rendered(joined["live"])
    rendered.apply(reply["patch"])
    assert "count=2" in rendered.html()
    await comm.send_to(text_data="x" * 70_000)
    assert json.loads(await comm.receive_from())["message"] == "message too large"
    await comm.send_to(text_data=json.dumps({"t": "event", "ref": 2, "name": "inc", "value": {}}))
    rendered.apply(json.loads(await comm.receive_from())["patch"])
    assert "count=3" in rendered.html()
    await comm.disconnect()


@pytest.mark.parametrize("origin", [None, b"http://evil.example"])
async def test_foreign_or_missing_origin_is_refused(origin, settings):
    from asgiref.sync import sync_to_async

    settings.ALLOWED_HOSTS = ["testserver"]
    session, _ = await sync_to_async(render_page)()
    comm = communicator(session, origin=origin)
    connected, code = await comm.connect()
    assert not connected and code == 4403


async def test_token_from_another_session_is_refused():
    from asgiref.sync import sync_to_async

    _, token = await sync_to_async(render_page)()
    other, _ = await sync_to_async(render_page)()
    comm = communicator(other)
    assert (await comm.connect())[0]
    await comm.send_to(text_data=json.dumps({"t": "join", "v": 1, "token": token}))
    error = json.loads(await comm.receive_from())
    assert error == {"t": "error", "ref": None, "message": "join refused", "fatal": True}
    await comm.disconnect()
