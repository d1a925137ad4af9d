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
  const { Rendered, morph } = await import("/static/djust/djust.js");
  const live = document.createElement("div");
  const fresh = document.createElement("div");
  live.innerHTML = first;
  const rendered = new Rendered(join);
  const mismatches = [];
  steps.forEach(([patch, expected], n) => {
    if (patch) {
      rendered.apply(patch);
      morph(live, rendered.html());
    }
    fresh.innerHTML = expected;
    if (live.innerHTML !== fresh.innerHTML) mismatches.push([n, live.innerHTML, fresh.innerHTML]);
    if (rendered.html() !== expected) mismatches.push([n, "values", rendered.html(), expected]);
  });
  return mismatches;
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
    mismatches = page.evaluate(APPLY, [join, first, [[p, h] for p, h, _ in steps]])
    assert mismatches == []


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
