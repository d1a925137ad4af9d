"""Render every fixture in inputs/ with real Django and write what it gives.

Each fixture is `<JSON context>\n---\n<template>`. The JSON may hold an
`"__options__"` object (`string_if_invalid`, `autoescape`). Django's output
goes to `<name>.expected`; an error is written as `!ExceptionClass\\nmessage`.
Templates that fixtures include or extend live in templates/.

Run: .venv/bin/python vdom/tests/regen_expected.py
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import django
from django.conf import settings

HERE = Path(__file__).resolve().parent

def _view(request, **kwargs):  # pragma: no cover - only reversed
    return None


urls = types.ModuleType("fixture_urls")
sys.modules["fixture_urls"] = urls

settings.configure(
    ROOT_URLCONF="fixture_urls",
    USE_I18N=True,
    USE_TZ=False,
    LANGUAGE_CODE="en-us",
    STATIC_URL="/static/",
    TIME_ZONE="UTC",
    MEDIA_URL="",
    INSTALLED_APPS=[],
    DEBUG=False,
)
django.setup()

from django.template import Context, Engine  # noqa: E402
from django.urls import path as url_path  # noqa: E402

# The same URLs the Rust test host reverses.
urls.urlpatterns = [
    url_path("home/", _view, name="home"),
    url_path("item/<int:pk>/", _view, name="item"),
]


def render(path: Path) -> str:
    raw = path.read_text()
    head, _, template = raw.partition("\n---\n")
    data = json.loads(head)
    options = data.pop("__options__", {})
    engine = Engine(
        dirs=[str(HERE / "templates")],
        string_if_invalid=options.get("string_if_invalid", ""),
        autoescape=options.get("autoescape", True),
        libraries={
            name: f"django.templatetags.{name}" for name in ("i18n", "l10n", "static", "tz")
        },
    )
    try:
        t = engine.from_string(template)
        return t.render(Context(data, autoescape=options.get("autoescape", True)))
    except Exception as e:  # noqa: BLE001 - the class is the expectation
        return f"!{type(e).__name__}\n{e}"


def main() -> int:
    names = sys.argv[1:]
    for path in sorted((HERE / "inputs").glob("*.html")):
        if names and path.stem not in names:
            continue
        out = render(path)
        path.with_suffix(".expected").write_text(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
