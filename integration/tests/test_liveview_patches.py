"""The test client's patch applier against the shared fixtures (the same ones djust.js and cargo read)."""

import copy
import json
from pathlib import Path

import pytest

from djust.test_client import LiveViewError, Rendered

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "client" / "fixtures" / "patches").glob("*.json"))


def test_fixtures_exist():
    assert FIXTURES


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture(path):
    fx = json.loads(path.read_text())
    rendered = Rendered(copy.deepcopy(fx["join"]))
    assert rendered.html() == fx["old_html"]
    rendered.apply(fx["patch"])
    assert rendered.html() == fx["new_html"]


def test_bad_ops_raise():
    fx = json.loads(FIXTURES[0].read_text())
    rendered = Rendered(copy.deepcopy(fx["join"]))
    with pytest.raises(LiveViewError, match="patch format"):
        rendered.apply({"v": 2, "d": []})
    with pytest.raises(LiveViewError, match="no slot"):
        rendered.apply({"v": 1, "d": [{"o": "s", "p": [999], "v": ""}]})
