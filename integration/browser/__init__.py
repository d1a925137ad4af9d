"""A small Django site of live views that the browser tests drive (integration/tests/test_liveview_browser.py)."""
