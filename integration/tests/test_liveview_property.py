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

WORDS = ["a", "b", "<b>", "x & y", '"q"', "ünï", "", "long " * 3]


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
  const paths = { items: 0, root: 0 };
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


@pytest.mark.parametrize("seed", range(8))
def test_random_patches_applied_in_the_browser_equal_a_fresh_render(context, server, seed):
    rng = random.Random(seed)
    lt = LiveTemplate.from_string(TEMPLATE)
    first = lt.mount(random_state(rng))
    join = json.loads(lt.join_payload())
    steps = []
    for _ in range(40):
        state = random_state(rng) if rng.random() < 0.5 else _nudge(rng, steps and steps[-1][2] or None)
        patch = lt.update(state)
        fresh = LiveTemplate.from_string(TEMPLATE).mount(state)
        steps.append((json.loads(patch) if patch else None, fresh, state))
    page = context.new_page()
    page.goto(server.url + "/counter/")
    mismatches, paths = page.evaluate(APPLY, [join, first, [[p, h] for p, h, _ in steps]])
    assert mismatches == []
    assert paths["root"] > 0


ROW_ONLY = """async ([join, first, patch, expected]) => {
  const { Rendered, updateDom } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  live.innerHTML = first;
  const before = [...live.querySelectorAll("li")];
  const rendered = new Rendered(join);
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
    assert page.evaluate(ROW_ONLY, [join, first, patch, expected]) == ["items", True, True]


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
