"""The live demo (`make demo`'s site) in Chromium: counter, optimized search-as-you-type, validated form."""

import pytest
from browser.pw import browser_fixture, context_fixture, open_live  # noqa: F401 (fixtures)
from browser.server import INTEGRATION, Server


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("demo"), "demosite.settings", "demosite.asgi:application", INTEGRATION / "demo", "/"
    )
    srv.manage("load_demo_data")
    srv.start()
    yield srv
    srv.kill()


def test_demo_counter_search_and_form(context, demo):
    from playwright.sync_api import expect

    page = open_live(context, demo, "/")
    expect(page.locator("body")).to_contain_text("200 books by 8 authors")

    page.click("text=+10")
    page.click("text=+1")
    expect(page.locator("#count")).to_have_text("11")

    page.click("#search")
    page.keyboard.type("river")
    expect(page.locator("#search-stats")).to_contain_text("40 matches; showing 40")
    # The planned queryset: books+authors, tags prefetch, the count.
    expect(page.locator("#query-count")).to_have_text("3")
    assert page.locator("tbody tr").count() == 40
    typed = [f for f in page.sent if f.get("name") == "dj:model"]
    assert typed and typed[-1]["value"] == {"field": "query", "value": "river"}
    assert len(typed) < 5  # debounced: not one frame per keystroke

    page.fill("#title", "A")
    page.fill("#year", "1200")
    page.click("#suggest button[type=submit]")
    expect(page.locator("#suggest")).to_contain_text("at least 2 characters")
    expect(page.locator("#suggest")).to_contain_text("greater than or equal to 1450")
    page.fill("#title", "River of Glass and Night")
    page.select_option("#author", label="Italo Calvino")
    page.fill("#year", "1999")
    page.fill("#price", "12.50")
    page.click("#suggest button[type=submit]")
    expect(page.locator("#added")).to_have_text("Added “River of Glass and Night”.")
    expect(page.locator("#search-stats")).to_contain_text("41 matches")
