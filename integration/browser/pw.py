"""Playwright fixtures shared by the browser tests (import them into a test module)."""

import json
import shutil

import pytest
from tests.services import require

from browser.server import CHROMIUM_ARGS

#: Playwright's auto-wait bound: generous, so a busy machine is slow rather than failing.
WAIT_MS = 30_000


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    require(shutil.which("chromium") is not None, "Chromium (scripts/chromium.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(name="context")
def context_fixture(browser):
    ctx = browser.new_context()
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


def open_live(context, server, path):
    """Open a page and wait until its view joined; record the event frames it sends."""
    page = context.new_page()
    page.sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: page.sent.append(json.loads(payload))))
    page.goto(server.url + path)
    wait_joined(page)
    return page


def wait_joined(page):
    page.wait_for_function("() => window.djust && [...window.djust.views.values()].every(v => v.connected)")


def _expect_bound() -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)


_expect_bound()
