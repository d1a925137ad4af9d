"""djust.sqltag mirrors the wire watcher's tag format (planner/src/wire/tag.rs)."""

import doctest
import json
from pathlib import Path

import pytest

from djust import sqltag
from djust.sqltag import escape_request_id, parse_tag, request_tagger, tag_sql, unescape_request_id

FIXTURE = Path(__file__).resolve().parents[2] / "planner" / "tests" / "fixtures" / "sqltag.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[repr(c["id"]) for c in CASES])
def test_matches_the_rust_fixture(case):
    assert escape_request_id(case["id"]) == case["escaped"]
    assert tag_sql(case["sql"], case["id"]) == case["tagged"]
    assert parse_tag(case["tagged"]) == (case["id"], case["sql"])


@pytest.mark.parametrize("request_id", ["*/", "%s", "%(x)s", "?", ":name", "$1", "'", '"', "\n"])
def test_escaped_id_is_inert_in_sql(request_id):
    escaped = escape_request_id(request_id)
    assert set(escaped) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~")
    # Safe for DB-API %-formatting: no placeholder appears, so this is a no-op.
    assert (tag_sql("SELECT %s", request_id) % ("1",)).startswith("SELECT 1 /* djust_request=")


def test_malformed_tags_are_ignored():
    assert parse_tag("SELECT 1") is None
    assert parse_tag("SELECT 1 /* djust_request=a b */") is None
    assert parse_tag("SELECT 1 /* djust_request=~4 */") is None
    assert parse_tag("SELECT 1 /* djust_request=abc") is None
    assert unescape_request_id("~FF") is None


def test_request_tagger_wraps_execute():
    seen = []

    def execute(sql, params, many, context):
        seen.append((sql, params, many))
        return "result"

    wrapper = request_tagger("r1")
    assert wrapper(execute, "SELECT %s", (1,), False, {}) == "result"
    assert seen == [("SELECT %s /* djust_request=r1 */", (1,), False)]


def test_docstring_examples_run():
    assert doctest.testmod(sqltag).failed == 0
