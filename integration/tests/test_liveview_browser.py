"""djust.js in a real Chromium against a real uvicorn + Channels server.

The server is a subprocess (so a test can kill and restart it); Playwright
drives Debian's Chromium (scripts/chromium.sh installs it). Waits are
Playwright's auto-waiting, with a generous bound so a busy machine is not a
failure; nothing asserts on elapsed time.
"""

import json

import pytest
from browser.pw import browser_fixture, context_fixture, open_live, wait_joined  # noqa: F401 (fixtures)
from browser.server import INTEGRATION, Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("browser"), "browser.settings", "browser.asgi:application", INTEGRATION)
    srv.start()
    yield srv
    srv.kill()


def model_frames(page, field):
    return [f for f in page.sent if f.get("name") == "dj:model" and f["value"]["field"] == field]


def test_counter_clicks(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/counter/")
    for _ in range(3):
        page.click("#inc")
    expect(page.locator("#count")).to_have_text("3")
    page.click("#add5")
    expect(page.locator("#count")).to_have_text("8")
    add = [f for f in page.sent if f.get("name") == "add"]
    assert add[0]["value"] == {"amount": "5"}


def test_busy_feedback_and_disable_with(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/counter/")
    page.click("#slow")
    expect(page.locator("#slow")).to_have_text("Saving...")
    expect(page.locator("#slow")).to_have_class("dj-loading")
    expect(page.locator("#count")).to_have_text("100")
    expect(page.locator("#slow")).to_have_text("slow")


def test_failing_handler_keeps_state_and_connection(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/counter/")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "warning" else None)
    page.click("#bad")
    page.wait_for_function("() => true")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("2")
    assert any("'explode' failed" in e for e in errors)
    assert not any("boom" in e for e in errors)  # DEBUG is off: no details


def test_form_with_server_side_validation(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/signup/")
    page.fill("#username", "ab")
    page.press("#username", "Tab")  # change event -> validate
    expect(page.locator("#username-errors")).to_contain_text("at least 3 characters")
    page.fill("#email", "nope")
    page.click("#save")
    expect(page.locator("#email-errors")).to_contain_text("Enter a valid email address.")
    assert page.input_value("#username") == "ab"
    page.fill("#username", "alice")
    page.fill("#email", "alice@example.com")
    page.click("#save")
    expect(page.locator("#done")).to_have_text("Welcome alice")


def test_dj_model_default_lazy_and_debounce_frames(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/model/")
    page.click("#a")
    page.keyboard.type("abc")
    expect(page.locator("#out")).to_have_text("a=abc;b=;c=")
    assert [f["value"]["value"] for f in model_frames(page, "a")] == ["a", "ab", "abc"]

    page.click("#b")
    page.keyboard.type("xyz")
    assert model_frames(page, "b") == []  # lazy: nothing while typing
    page.keyboard.press("Tab")
    expect(page.locator("#out")).to_have_text("a=abc;b=xyz;c=")
    assert [f["value"]["value"] for f in model_frames(page, "b")] == ["xyz"]

    page.click("#c")
    page.keyboard.type("hello", delay=20)  # all keystrokes inside one 300 ms window
    expect(page.locator("#out")).to_have_text("a=abc;b=xyz;c=hello")
    assert [f["value"]["value"] for f in model_frames(page, "c")] == ["hello"]


def test_focus_and_caret_survive_a_patch(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/focus/")
    page.click("#text")
    page.keyboard.type("hello world")
    expect(page.locator("#echo")).to_have_text("HELLO WORLD")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")  # select the "o" of hello
    page.keyboard.type("O")  # replaces the selection; a patch follows
    expect(page.locator("#echo")).to_have_text("HELLO WORLD")
    expect(page.locator("#text")).to_be_focused()
    assert page.input_value("#text") == "hellO world"
    caret = page.evaluate("() => [document.activeElement.selectionStart, document.activeElement.selectionEnd]")
    assert caret == [5, 5]
    # A patch caused by someone else (a click via JS, focus stays in the input).
    page.evaluate("() => document.getElementById('tick').click()")
    expect(page.locator("#ticks")).to_have_text("1")
    expect(page.locator("#text")).to_be_focused()
    assert page.evaluate("() => document.activeElement.selectionStart") == 5
    page.keyboard.type("!")
    assert page.input_value("#text") == "hellO! world"


def test_two_tabs_on_the_same_view_are_independent(context, server):
    from playwright.sync_api import expect

    one = open_live(context, server, "/counter/")
    two = open_live(context, server, "/counter/")
    one.click("#inc")
    one.click("#inc")
    two.click("#add5")
    expect(one.locator("#count")).to_have_text("2")
    expect(two.locator("#count")).to_have_text("5")


def test_hooks_lifecycle_push_event_and_reply(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/hooks/")
    page.wait_for_function("() => window.hookLog.includes('pong:42') && window.hookLog.includes('reply:21')")
    page.click("#bump")
    expect(page.locator("#n")).to_have_text("1")
    page.click("#toggle")
    expect(page.locator("#probe")).to_have_count(0)
    page.click("#toggle")
    expect(page.locator("#probe")).to_have_count(1)
    log = page.evaluate("() => window.hookLog")
    assert log[0] == "mounted:0"
    assert "updated:1" in log
    assert log.index("destroyed:1") < log.index("mounted:1", log.index("destroyed:1"))


def test_hooks_and_state_recover_across_a_killed_and_restarted_server(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/model/")
    page.click("#a")
    page.keyboard.type("kept")
    expect(page.locator("#out")).to_have_text("a=kept;b=;c=")
    hooks_page = open_live(context, server, "/hooks/")
    hooks_page.wait_for_function("() => window.hookLog.includes('mounted:0')")

    server.kill()
    hooks_page.wait_for_function("() => window.hookLog.includes('disconnected:0')")
    page.wait_for_function("() => document.querySelector('[dj-root]').classList.contains('dj-disconnected')")
    page.fill("#b", "typed while down")
    server.start()

    hooks_page.wait_for_function("() => window.hookLog.includes('reconnected:0')")
    # Remounted from the token, then the inputs were replayed (auto-recover).
    expect(page.locator("#out")).to_have_text("a=kept;b=typed while down;c=")
    assert page.input_value("#a") == "kept"


def test_keyed_list_reorder_keeps_element_identity(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/rows/")
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(json.loads(p))))
    # Reconnect-free: the listener above sees frames from now on only if attached before
    # the socket opens, so reload with it in place.
    page.reload()
    wait_joined(page)
    page.evaluate("() => document.querySelectorAll('#rows li').forEach((li) => { li.mark = li.textContent; })")
    page.click("#reverse")
    expect(page.locator("#rows li").first).to_have_text("row 5")
    marks = page.evaluate("() => [...document.querySelectorAll('#rows li')].map((li) => [li.textContent, li.mark])")
    assert marks == [[f"row {i}", f"row {i}"] for i in range(5, 0, -1)]
    page.click("#add")
    page.click("#drop")
    page.click("#rotate")
    # Wait for the last reply: after add and drop the count is already 5, before rotate lands.
    expect(page.locator("#rows li")).to_have_text(["row 4", "row 3", "row 2", "row 1", "row 5"])
    marks = page.evaluate("() => [...document.querySelectorAll('#rows li')].map((li) => [li.textContent, li.mark])")
    assert marks == [["row 4", "row 4"], ["row 3", "row 3"], ["row 2", "row 2"], ["row 1", "row 1"], ["row 5", "row 5"]]
    ops = [op["o"] for f in received if f.get("t") == "reply" and "patch" in f for op in f["patch"]["d"]]
    assert "m" in ops and "i" in ops and "d" in ops
    assert "r" not in ops  # never a whole-list replacement


def test_navigate_swaps_the_live_view_without_a_full_reload(context, server):
    from playwright.sync_api import expect

    page = open_live(context, server, "/counter/")
    page.evaluate("() => { window.sameDocument = true; }")
    page.click("#go")
    expect(page.locator("#rows li")).to_have_count(5)
    assert page.url.endswith("/rows/")
    assert page.evaluate("() => window.sameDocument") is True
    wait_joined(page)
    page.click("#reverse")
    expect(page.locator("#rows li").first).to_have_text("row 5")


def test_a_live_patch_touches_only_what_changed(context, server):
    """End to end (View -> updateDom): a click that changes {{ count }} mutates only that text."""
    from playwright.sync_api import expect

    page = open_live(context, server, "/counter/")
    page.evaluate("""() => {
      const root = document.querySelector("[dj-root]");
      window.records = [];
      window.observer = new MutationObserver((rs) => window.records.push(...rs));
      window.observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    }""")
    page.click("#inc")
    expect(page.locator("#count")).to_have_text("1")
    records = page.evaluate("""() => window.records
      .filter((r) => r.target.id !== "inc") // the clicked button's dj-loading class comes and goes
      .map((r) => [r.type, r.target.nodeType === 3 ? "#text<" + r.target.parentNode.id + ">" : r.target.tagName,
                   r.attributeName])""")
    # The root's dj-rendered attribute changes once (the page is no longer the HTTP render).
    assert [r for r in records if r[0] != "attributes" or r[2] != "dj-rendered"] == [
        ["characterData", "#text<count>", None]
    ]


def test_hooks_follow_rows_patched_in_place(context, server):
    """Loop rows changed, inserted, deleted and moved in place: each hook callback fires exactly when due."""
    from playwright.sync_api import expect

    page = open_live(context, server, "/hook-rows/")
    page.evaluate("() => document.querySelectorAll('#hrows li').forEach((li) => { li.mark = li.id; })")
    rows = [f"row-mounted:{i}" for i in (1, 2, 3)]
    expect(page.locator("#hrows li")).to_have_count(3)
    assert page.evaluate("() => window.hookLog") == rows

    def step(button, done, expected):
        page.evaluate("() => { window.hookLog = []; }")
        page.click(button)
        done()  # the patch arrived; hooks are synced in the same task as the patch
        assert page.evaluate("() => window.hookLog") == expected

    step("#rename", lambda: expect(page.locator("#r1")).to_have_text("row 1!"), ["row-updated:1"])
    step("#add", lambda: expect(page.locator("#total")).to_have_text("4"), ["row-mounted:4"])
    step("#drop", lambda: expect(page.locator("#total")).to_have_text("3"), ["row-destroyed:2"])
    # A moved row is the same element, unchanged: no callback.
    step("#move", lambda: expect(page.locator("#hrows li").first).to_have_attribute("id", "r4"), [])
    marks = page.evaluate("() => [...document.querySelectorAll('#hrows li')].map((li) => [li.id, li.mark || null])")
    assert marks == [["r4", None], ["r1", "r1"], ["r3", "r3"]]
