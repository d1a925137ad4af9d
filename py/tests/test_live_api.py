"""djust.LiveTemplate: mount/update, patches applied by the shared fixtures' rules, errors keep state."""

import json

import pytest
from _template_settings import configure

configure()

from django.template import TemplateSyntaxError  # noqa: E402

from djust import LiveTemplate  # noqa: E402

DASHBOARD = (
    "<h1>{{ title }}</h1><table>{% for r in rows %}"
    '<tr dj-key="{{ r.id }}"><td>{{ r.name }}</td><td>{{ r.value }}</td></tr>'
    "{% empty %}<tr><td>none</td></tr>{% endfor %}</table>"
)


def _apply(join: dict, patch: bytes) -> None:
    """Apply a patch message to a join payload's values, as djust.js does."""
    msg = json.loads(patch)
    assert msg["v"] == join["v"]
    frags, slots = join["f"], join["s"]

    def locate(vals, fid, path):
        idx = frags[fid]["d"].index(path[0])
        if len(path) == 1:
            return vals, idx
        v, slot = vals[idx], slots[path[0]]
        if slot["t"] == "l":
            if isinstance(path[1], str):
                i = v["k"].index(path[1])
                return locate(v["i"][i], slot["f"], path[2:])
            return locate(v["e"], slot["e"], path[1:])
        if slot["t"] == "i":
            return locate(v["d"], slot["f"][v["b"]], path[1:])
        return locate(v["d"], slot["f"], path[1:])

    for op in msg["d"]:
        vals, idx = locate(join["r"], 0, op["p"])
        if op["o"] in ("s", "r"):
            vals[idx] = op["v"]
            continue
        lst = vals[idx]
        if op["o"] in ("d", "m"):
            i = lst["k"].index(op["k"])
            lst["k"].pop(i)
            item = lst["i"].pop(i)
        if op["o"] in ("i", "m"):
            at = 0 if op["a"] is None else lst["k"].index(op["a"]) + 1
            lst["k"].insert(at, op["k"])
            lst["i"].insert(at, op["v"] if op["o"] == "i" else item)


def _html(join: dict) -> str:
    frags, slots = join["f"], join["s"]

    def frag(fid, vals):
        out = [frags[fid]["s"][0]]
        for i, (sid, v) in enumerate(zip(frags[fid]["d"], vals, strict=True)):
            slot = slots[sid]
            if isinstance(v, str):
                out.append(v)
            elif slot["t"] == "w":
                out.append(frag(slot["f"], v["d"]))
            elif slot["t"] == "i":
                if v["b"] is not None:
                    out.append(frag(slot["f"][v["b"]], v["d"]))
            else:
                out.extend(frag(slot["f"], item) for item in v["i"])
                if "e" in v:
                    out.append(frag(slot["e"], v["e"]))
            out.append(frags[fid]["s"][i + 1])
        return "".join(out)

    return frag(0, join["r"])


def _rows(n):
    return [{"id": i, "name": f"row {i}", "value": i * 10} for i in range(n)]


def test_mount_is_the_plain_render_and_scalar_update_is_tiny():
    lt = LiveTemplate.from_string(DASHBOARD)
    ctx = {"title": "Sales", "rows": _rows(5)}
    html = lt.mount(ctx)
    assert html.startswith('<h1>Sales</h1><table><tr dj-key="0"><td>row 0</td>')
    ctx["title"] = "<Q3>"
    patch = lt.update(ctx, changed=["title"])
    assert patch is not None and len(patch) <= 64
    msg = json.loads(patch)
    assert msg["d"][0]["o"] == "s" and msg["d"][0]["v"] == "&lt;Q3&gt;"
    assert lt.update(ctx, changed=["title"]) is None


def test_patches_rebuild_the_page_for_keyed_list_changes():
    lt = LiveTemplate.from_string(DASHBOARD)
    ctx = {"title": "T", "rows": _rows(6)}
    lt.mount(ctx)
    join = json.loads(lt.join_payload())
    steps = [
        lambda r: r[2].update(value=999),
        lambda r: r.append({"id": 100, "name": "new", "value": 1}),
        lambda r: r.pop(1),
        lambda r: r.__setitem__(slice(0, 2), [r[1], r[0]]),
        lambda r: r.reverse(),
        lambda r: r.clear(),
        lambda r: r.extend(_rows(3)),
    ]
    for step in steps:
        step(ctx["rows"])
        # In-place mutation: detected without `changed`.
        patch = lt.update(ctx)
        assert patch is not None
        _apply(join, patch)
        assert _html(join) == lt.html()


def test_render_error_names_the_line_and_keeps_state():
    class Boom:
        @property
        def value(self):
            raise ValueError("boom")

    lt = LiveTemplate.from_string("<p>{{ a }}</p>\n{% for r in rows %}{{ r.value }}{% endfor %}")
    lt.mount({"a": 1, "rows": []})
    with pytest.raises((ValueError, TemplateSyntaxError)) as info:
        lt.update({"a": 2, "rows": [Boom()]}, changed=["rows", "a"])
    assert "boom" in str(info.value)
    if isinstance(info.value, ValueError):  # the user's own exception, located
        assert info.value.djust_line == 2
        assert any("line 2" in note for note in info.value.__notes__)
    else:
        assert info.value.djust_line == 2
    assert lt.html() == "<p>1</p>\n"
    assert json.loads(lt.update({"a": 2, "rows": []}, changed=["a"]))["d"][0]["v"] == "2"


def test_stats_report_retained_bytes():
    lt = LiveTemplate.from_string(DASHBOARD)
    html = lt.mount({"title": "T", "rows": _rows(50)})
    stats = lt.stats()
    assert 0 < stats["retained_bytes"] <= 2 * len(html) * 4
    assert stats["slots"] >= 4


FIXTURES = sorted((__import__("pathlib").Path(__file__).parents[2] / "client" / "fixtures" / "patches").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_shared_fixtures_apply(path):
    case = json.loads(path.read_text())
    join = case["join"]
    assert _html(join) == case["old_html"]
    _apply(join, json.dumps(case["patch"]).encode())
    assert _html(join) == case["new_html"]


def test_fixture_templates_produce_the_same_join_and_patch():
    assert len(FIXTURES) >= 10
    case = json.loads((FIXTURES[0].parent / "list_swap.json").read_text())
    lt = LiveTemplate.from_string(case["template"])
    rows = [{"id": i, "name": f"row {i}"} for i in (1, 2, 3, 4)]
    assert lt.mount({"rows": rows}) == case["old_html"]
    assert json.loads(lt.join_payload()) == case["join"]
    rows[1], rows[3] = rows[3], rows[1]
    assert json.loads(lt.update({"rows": rows})) == case["patch"]


def test_named_template_through_the_project_backend(tmp_path):
    from django.test import override_settings

    (tmp_path / "base.html").write_text("<main>{% block content %}base{% endblock %}</main>{{ foot }}")
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>{% include "part.html" %}{% endblock %}'
    )
    (tmp_path / "part.html").write_text("<p>{{ title|upper }}</p>")
    backend = {"BACKEND": "djust.template.backends.DjustTemplates", "DIRS": [str(tmp_path)]}
    with override_settings(TEMPLATES=[backend]):
        lt = LiveTemplate("page.html")
        assert lt.mount({"title": "a", "foot": "f"}) == "<main><h1>a</h1><p>A</p></main>f"
        patch = json.loads(lt.update({"title": "b", "foot": "f"}, changed=["title"]))
        assert [op["v"] for op in patch["d"]] == ["b", "B"]
        assert lt.html() == "<main><h1>b</h1><p>B</p></main>f"


def test_items_with_a_pk_are_keyed_by_it():
    class Obj:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

    lt = LiveTemplate.from_string("<ul>{% for o in objs %}<li>{{ o.name }}</li>{% endfor %}</ul>")
    objs = [Obj(7, "a"), Obj(9, "b")]
    lt.mount({"objs": objs})
    assert json.loads(lt.join_payload())["r"][0]["k"] == ["pk7", "pk9"]
    objs.reverse()
    ops = json.loads(lt.update({"objs": objs}, changed=["objs"]))["d"]
    assert ops == [{"o": "m", "p": ops[0]["p"], "k": "pk9", "a": None}]
