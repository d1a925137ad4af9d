"""The live-rendering property, in Chromium: random patches applied by djust.js equal a fresh render.

Python drives djust.LiveTemplate through random state changes (loops with keyed
inserts, deletes and moves, if branches, with, escaping, attribute values);
the browser applies every patch with djust.js (Rendered + morph) to a real DOM
and compares it with a fresh server render of the same state, parsed by the
same browser.
"""

import json
import random

import pytest
from browser.pw import browser_fixture, context_fixture  # noqa: F401 (fixtures)
from browser.server import INTEGRATION, Server

from djust import LiveTemplate

TEMPLATE = """<div class="{{ cls }}">\
{% if show %}<h1 title="{{ title }}">{{ title }}</h1>{% else %}<p>hidden</p>{% endif %}
<ul>{% for r in rows %}<li dj-key="{{ r.id }}"><b>{{ r.name }}</b>{% if r.done %}<i>done</i>{% endif %}\
{% for t in r.tags %}<em>{{ t }}</em>{% endfor %}</li>{% empty %}<li>none</li>{% endfor %}</ul>
{% with n=rows|length %}<span>{{ n }} row{{ n|pluralize }}</span>{% endwith %}<input value="{{ title }}"></div>"""

#: More template shapes for the anchors path (docs/protocol.md "Applying to the DOM"): tables
#: with tbody omitted, attribute slots and an if inside an attribute value, nested loops,
#: <p> auto-closed by a <div>, text slots holding markup (|safe), whitespace around loop
#: items, raw text (textarea), options with an if between attributes.
SHAPES = {
    "table": """<p>{{ title }}</p><table class="t{% if show %} shown{% endif %}">\
{% for r in rows %}<tr dj-key="{{ r.id }}" class="{% if r.done %}done{% endif %}"><td>{{ r.name }}</td>\
<td>{% for t in r.tags %}<i title="{{ t }}">{{ t }}</i>{% endfor %}</td></tr>{% endfor %}</table>\
<span class="{{ cls }}">{{ rows|length }}</span>""",
    "markup": """<p>{{ title|safe }}</p><p>a<div>{{ title }}</div>b</p>\
<ul>{% for r in rows %}<li dj-key="{{ r.id }}">{{ r.name|safe }}{% if r.done %}<p>d</p>{% endif %}</li>\
{% endfor %}</ul>\
<div title="{{ title }}">{% for r in rows %}{{ r.name|safe }}{% endfor %}</div>""",
    "form": """<form>
  <textarea name="t">{{ title }}</textarea>
  <select name="s">{% for r in rows %}<option value="{{ r.id }}"{% if r.done %} selected{% endif %}>\
{{ r.name }}</option>{% endfor %}</select>
  <ul>
  {% for r in rows %}
    <li dj-key="{{ r.id }}">{{ r.name }} {% for t in r.tags %}<em>{{ t }}</em>{% empty %}-{% endfor %}</li>
  {% endfor %}
  </ul>
  <svg><circle r="{{ rows|length }}"/><text class="{{ cls }}">{{ title }}</text></svg>
</form>""",
}

WORDS = ["a", "b", "<b>", "x & y", '"q"', "ünï", "", "long " * 3, "<div>x</div>", "<i>i</i> tail"]


def random_state(rng: random.Random) -> dict:
    ids = rng.sample(range(1, 10), rng.randint(0, 7))
    return {
        "cls": rng.choice(["", "on", "off on"]),
        "show": rng.random() < 0.7,
        "title": rng.choice(WORDS),
        "rows": [
            {
                "id": i,
                "name": rng.choice(WORDS),
                "done": rng.random() < 0.4,
                "tags": rng.sample(WORDS, rng.randint(0, 2)),
            }
            for i in ids
        ],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("prop"), "browser.settings", "browser.asgi:application", INTEGRATION)
    srv.start()
    yield srv
    srv.kill()


APPLY = """async ([join, first, steps]) => {
  const { Rendered, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  const fresh = document.createElement("div");
  live.innerHTML = first;
  const rendered = new Rendered(join);
  const mismatches = [];
  const paths = { anchors: 0, root: 0 };
  console.warn = (...args) => mismatches.push(["warning", args.join(" ")]); // no exception fallbacks
  steps.forEach(([patch, expected], n) => {
    if (patch) {
      rendered.apply(patch);
      paths[updateDom(live, rendered, patch)] += 1;
    }
    fresh.innerHTML = expected;
    if (live.innerHTML !== fresh.innerHTML) mismatches.push([n, live.innerHTML, fresh.innerHTML]);
    if (rendered.html() !== expected) mismatches.push([n, "values", rendered.html(), expected]);
  });
  return [mismatches, paths];
}"""


def _run(context, server, template: str, seed: int):
    """40 random steps of template; returns (mismatches, {path: count})."""
    rng = random.Random(seed)
    lt = LiveTemplate.from_string(template)
    first = lt.mount(random_state(rng))
    join = json.loads(lt.join_payload())
    steps = []
    for _ in range(40):
        state = random_state(rng) if rng.random() < 0.5 else _nudge(rng, steps and steps[-1][2] or None)
        patch = lt.update(state)
        fresh = LiveTemplate.from_string(template).mount(state)
        steps.append((json.loads(patch) if patch else None, fresh, state))
    page = context.new_page()
    page.goto(server.url + "/counter/")
    return page.evaluate(APPLY, [join, first, [[p, h] for p, h, _ in steps]])


@pytest.mark.parametrize("seed", range(12))
def test_random_patches_applied_in_the_browser_equal_a_fresh_render(context, server, seed):
    mismatches, paths = _run(context, server, TEMPLATE, seed)
    assert mismatches == []
    # The first patch maps the page (a root morph); every later one is applied in place.
    assert paths["root"] == 1


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_random_patches_on_more_template_shapes(context, server, shape, seed):
    mismatches, paths = _run(context, server, SHAPES[shape], 100 + seed)
    assert mismatches == []
    assert paths["anchors"] > 0
    if shape != "markup":  # unclosed markup in |safe values forces root morphs, by design
        assert paths["root"] == 1  # only the first patch, which maps the page


ROW_ONLY = """async ([join, first, patch, expected]) => {
  const { Rendered, mountDom, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  live.innerHTML = first;
  const before = [...live.querySelectorAll("li")];
  const rendered = new Rendered(join);
  mountDom(live, rendered); // what the join does: map the page
  rendered.apply(patch);
  const path = updateDom(live, rendered, patch);
  const fresh = document.createElement("div");
  fresh.innerHTML = expected;
  const after = [...live.querySelectorAll("li")];
  return [path, live.innerHTML === fresh.innerHTML, before.every((li, i) => li === after[i])];
}"""


def test_a_row_change_morphs_only_that_row(context, server):
    state = random_state(random.Random(1))
    state["rows"] = [{"id": i, "name": f"r{i}", "done": False, "tags": []} for i in (3, 1, 2)]
    lt = LiveTemplate.from_string(TEMPLATE)
    first = lt.mount(state)
    join = json.loads(lt.join_payload())
    state = {**state, "rows": [dict(r) for r in state["rows"]]}
    state["rows"][1]["name"] = "renamed <b>"
    patch = json.loads(lt.update(state))
    expected = LiveTemplate.from_string(TEMPLATE).mount(state)
    page = context.new_page()
    page.goto(server.url + "/counter/")
    assert page.evaluate(ROW_ONLY, [join, first, patch, expected]) == ["anchors", True, True]


def _nudge(rng: random.Random, state: dict | None) -> dict:
    """A small change of the previous state: the common case (one row moved, renamed, added)."""
    if state is None:
        return random_state(rng)
    rows = [dict(r) for r in state["rows"]]
    choice = rng.randrange(4)
    if choice == 0 and len(rows) > 1:
        i, j = rng.sample(range(len(rows)), 2)
        rows[i], rows[j] = rows[j], rows[i]
    elif choice == 1 and rows:
        rng.choice(rows)["name"] = rng.choice(WORDS)
    elif choice == 2:
        free = [i for i in range(1, 10) if i not in {r["id"] for r in rows}]
        if free:
            rows.insert(rng.randint(0, len(rows)), {"id": free[0], "name": "new", "done": False, "tags": []})
    elif rows:
        rows.pop(rng.randrange(len(rows)))
    return {**state, "rows": rows}


# ---- O(changed): what a patch touches in a 1,000-row page ------------------------------

BIG = """<div><h1>Count: <span id="count">{{ count }}</span></h1>\
<table class="{{ cls }}"><tbody>{% for r in rows %}<tr dj-key="{{ r.id }}"><td>{{ r.id }}</td>\
<td>{{ r.name }}</td></tr>{% endfor %}</tbody></table></div>"""

#: Map the page, observe the live root, apply one patch; report the mutation records (as
#: [type, target, attribute, added, removed] with nodes named by tag#id or dj-key), the path,
#: whether the result equals a fresh render and how many rows are still the same elements.
OBSERVE = """async ([join, first, patch, expected]) => {
  const { Rendered, mountDom, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  document.body.append(live);
  live.innerHTML = first;
  const rendered = new Rendered(join);
  mountDom(live, rendered);
  const before = new Map([...live.querySelectorAll("tr")].map((tr) => [tr.getAttribute("dj-key"), tr]));
  const name = (n) => n.nodeType === 3 ? "#text<" + n.parentNode.tagName + ">" :
    n.tagName + (n.id ? "#" + n.id : "") + (n.getAttribute("dj-key") ? "[" + n.getAttribute("dj-key") + "]" : "");
  const observer = new MutationObserver(() => {});
  observer.observe(live, { subtree: true, childList: true, attributes: true, characterData: true });
  rendered.apply(patch);
  const path = updateDom(live, rendered, patch);
  const records = observer.takeRecords().map((r) => [
    r.type, name(r.target), r.attributeName, [...r.addedNodes].map(name), [...r.removedNodes].map(name)]);
  observer.disconnect();
  const fresh = document.createElement("div");
  fresh.innerHTML = expected;
  const kept = [...live.querySelectorAll("tr")].filter((tr) => before.get(tr.getAttribute("dj-key")) === tr).length;
  live.remove();
  return { path, records, equal: live.innerHTML === fresh.innerHTML, kept };
}"""


def _big_state(n=1000):
    return {"count": 1, "cls": "grid", "rows": [{"id": i, "name": f"row {i}"} for i in range(1, n + 1)]}


def _observe(context, server, change):
    state = _big_state()
    lt = LiveTemplate.from_string(BIG)
    first = lt.mount(state)
    join = json.loads(lt.join_payload())
    new = change({**state, "rows": [dict(r) for r in state["rows"]]})
    patch = json.loads(lt.update(new))
    expected = LiveTemplate.from_string(BIG).mount(new)
    page = context.new_page()
    page.goto(server.url + "/counter/")
    out = page.evaluate(OBSERVE, [join, first, patch, expected])
    assert out["equal"]
    assert out["path"] == "anchors"
    return out


def test_a_scalar_change_mutates_only_its_text(context, server):
    out = _observe(context, server, lambda s: {**s, "count": 2})
    assert out["records"] == [["characterData", "#text<SPAN>", None, [], []]]
    assert out["kept"] == 1000


def test_an_attribute_slot_change_is_one_attribute_mutation(context, server):
    out = _observe(context, server, lambda s: {**s, "cls": "grid dense"})
    assert out["records"] == [["attributes", "TABLE", "class", [], []]]
    assert out["kept"] == 1000


def test_one_row_edited_mutates_only_that_row(context, server):
    def edit(s):
        s["rows"][500]["name"] = "renamed"
        return s

    out = _observe(context, server, edit)
    assert out["records"] == [["characterData", "#text<TD>", None, [], []]]
    assert out["kept"] == 1000


def test_row_insert_delete_and_move_touch_only_that_row(context, server):
    def insert(s):
        s["rows"].insert(500, {"id": 5000, "name": "new"})
        return s

    out = _observe(context, server, insert)
    assert out["records"] == [["childList", "TBODY", None, ["TR[5000]"], []]]
    assert out["kept"] == 1000

    def delete(s):
        del s["rows"][500]
        return s

    out = _observe(context, server, delete)
    assert out["records"] == [["childList", "TBODY", None, [], ["TR[501]"]]]
    assert out["kept"] == 999

    def move(s):
        s["rows"].insert(10, s["rows"].pop(900))
        return s

    out = _observe(context, server, move)
    # A move is the element leaving and re-entering the body: the same element, no other row touched.
    assert out["records"] == [
        ["childList", "TBODY", None, [], ["TR[901]"]],
        ["childList", "TBODY", None, ["TR[901]"], []],
    ]
    assert out["kept"] == 1000


FIXTURE = """async ([join, first, patch, expected]) => {
  const { Rendered, mountDom, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  live.innerHTML = first;
  const rendered = new Rendered(join);
  mountDom(live, rendered);
  rendered.apply(patch);
  const path = updateDom(live, rendered, patch);
  const fresh = document.createElement("div");
  fresh.innerHTML = expected;
  return [path, live.innerHTML === fresh.innerHTML];
}"""


def test_every_fixture_patch_is_applied_in_place(context, server):
    """The shared fixtures (client/fixtures/patches) through the anchors path, in Chromium."""
    page = context.new_page()
    page.goto(server.url + "/counter/")
    results = {}
    for path in sorted((INTEGRATION.parent / "client" / "fixtures" / "patches").glob("*.json")):
        fx = json.loads(path.read_text())
        results[path.stem] = page.evaluate(FIXTURE, [fx["join"], fx["old_html"], fx["patch"], fx["new_html"]])
    assert all(equal for _, equal in results.values()), results
    # Only a loop whose items are two sibling elements (h2 + ul) at the view's top level re-renders the root.
    assert {name for name, (p, _) in results.items() if p != "anchors"} == {"nested_loops"}


SELECT = """<select>{% for o in opts %}<option value="{{ o }}"{% if o == pick %} selected{% endif %}>{{ o }}</option>\
{% endfor %}</select>"""

PICK = """async ([join, first, patch]) => {
  const { Rendered, mountDom, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  document.body.append(live);
  live.innerHTML = first;
  const rendered = new Rendered(join);
  mountDom(live, rendered);
  const select = live.querySelector("select");
  select.options[2].selected = true; // the user picked c (options now dirty), then the server picks b
  rendered.apply(patch);
  const path = updateDom(live, rendered, patch);
  live.remove();
  return [path, select.value];
}"""


def test_an_option_patched_alone_still_moves_the_selection(context, server):
    lt = LiveTemplate.from_string(SELECT)
    first = lt.mount({"opts": ["a", "b", "c"], "pick": "a"})
    join = json.loads(lt.join_payload())
    patch = json.loads(lt.update({"opts": ["a", "b", "c"], "pick": "b"}))
    page = context.new_page()
    page.goto(server.url + "/counter/")
    assert page.evaluate(PICK, [join, first, patch]) == ["anchors", "b"]


SPACED = """<ul>
{% for r in rows %}
  <li dj-key="{{ r.id }}">{{ r.name }}</li>
{% endfor %}
</ul>"""

SPACED_OPS = """async ([join, first, patches, expected]) => {
  const { Rendered, mountDom, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  live.innerHTML = first;
  const rendered = new Rendered(join);
  mountDom(live, rendered);
  const ul = live.querySelector("ul");
  const out = [];
  patches.forEach((patch, n) => {
    const before = new Set(ul.children);
    const observer = new MutationObserver(() => {});
    observer.observe(live, { subtree: true, childList: true, attributes: true, characterData: true });
    rendered.apply(patch);
    const path = updateDom(live, rendered, patch);
    const records = observer.takeRecords();
    observer.disconnect();
    const fresh = document.createElement("div");
    fresh.innerHTML = expected[n];
    // Every record is on the <ul>'s children; every <li> touched is the changed one.
    const nodes = records.flatMap((r) => [...r.addedNodes, ...r.removedNodes]);
    const touched = new Set(nodes.filter((x) => x.nodeType === 1));
    out.push([path, live.innerHTML === fresh.innerHTML, records.every((r) => r.target === ul), touched.size,
              [...ul.children].filter((li) => before.has(li)).length]);
  });
  return out;
}"""


def test_whitespace_between_loop_items_is_kept_in_place(context, server):
    """Items written on their own lines (text between them): insert/delete/move still touch one row."""
    lt = LiveTemplate.from_string(SPACED)
    rows = [{"id": i, "name": f"r{i}"} for i in range(1, 6)]
    first = lt.mount({"rows": rows})
    join = json.loads(lt.join_payload())
    states = [
        rows[:2] + [{"id": 9, "name": "new"}] + rows[2:],  # insert in the middle
        rows[:2] + [{"id": 9, "name": "new"}] + rows[2:4],  # delete the last
        [rows[3]] + rows[:2] + [{"id": 9, "name": "new"}] + rows[2:3],  # move the last to the front
        [{"id": 0, "name": "first"}] + [rows[3]] + rows[:2] + [{"id": 9, "name": "new"}] + rows[2:3],  # insert first
    ]
    patches = [json.loads(lt.update({"rows": s})) for s in states]
    expected = [LiveTemplate.from_string(SPACED).mount({"rows": s}) for s in states]
    page = context.new_page()
    page.goto(server.url + "/counter/")
    out = page.evaluate(SPACED_OPS, [join, first, patches, expected])
    assert out == [
        ["anchors", True, True, 1, 5],
        ["anchors", True, True, 1, 5],
        ["anchors", True, True, 1, 5],
        ["anchors", True, True, 1, 5],
    ]
