"""Client DOM patching benchmark (djust issue 8): djust.js applying one patch, in Chromium.

A dashboard page with N = 1,000 rows. For each scenario (scalar change, attribute
change, one row edited / inserted / moved / deleted, everything changed) Python
computes the patch with ``LiveTemplate``; the page maps a fresh copy of the page
(``mountDom``, what the join does), applies the patch to the values, and times only
``updateDom`` with ``performance.now()``: the O(changed) path ("anchors") against the
old whole-root morph (``updateDom(..., {root: true})``), median over many repetitions.
Each timed sample patches K independent copies of the page and divides by K, so fast
paths stay well above the timer's resolution. The page is cross-origin isolated (COOP
and COEP headers) for the 5 µs timer.

Run: ``.venv/bin/python integration/bench/client.py`` (``--quick``: fewer repetitions).
Needs Chromium (``bash scripts/chromium.sh``). Results go in
``integration/bench/RESULTS.md`` ("Client DOM patching (issue 8)").
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client" / "djust.js"
ORIGIN = "http://localhost:9"  # intercepted (page.route); localhost is a secure context

TEMPLATE = """<header><h1>{{ title }}</h1><p class="summary">{{ total }} rows, updated {{ updated }}</p></header>
<table class="{{ cls }}">
<thead><tr><th>#</th><th>Name</th><th>Status</th><th>Value</th></tr></thead>
<tbody>
{% for row in rows %}<tr dj-key="{{ row.id }}" class="{% if row.active %}on{% else %}off{% endif %}">
<td>{{ row.id }}</td><td>{{ row.name }}</td>
<td>{% if row.active %}<span class="badge ok">active</span>{% else %}<span class="badge">idle</span>{% endif %}</td>
<td class="num">{{ row.value }}</td></tr>
{% endfor %}
</tbody></table>
<footer>{{ footer }}</footer>"""

#: One timed sample: patch K mapped copies of the page, return ms per copy and the path taken.
MEASURE = """async ([join, first, patch, copies, reps, legacy]) => {
  const { Rendered, mountDom, updateDom } = await import("/djust.js");
  const samples = [];
  let path = null;
  for (let n = 0; n < reps; n++) {
    const work = [];
    for (let c = 0; c < copies; c++) {
      const root = document.createElement("div");
      document.body.append(root);
      root.innerHTML = first;
      const rendered = new Rendered(structuredClone(join));
      mountDom(root, rendered);
      const p = structuredClone(patch);
      rendered.apply(p);
      work.push([root, rendered, p]);
    }
    const t0 = performance.now();
    for (const [root, rendered, p] of work) path = updateDom(root, rendered, p, legacy ? { root: true } : {});
    samples.push((performance.now() - t0) / copies);
    for (const [root] of work) root.remove();
  }
  samples.sort((a, b) => a - b);
  return [samples[samples.length >> 1], path, crossOriginIsolated];
}"""


#: The join's cost: mountDom (mapping render + parse + morph + map) against a plain root morph.
JOIN = """async ([join, first, reps]) => {
  const { Rendered, applyHtml, mountDom } = await import("/djust.js");
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const mapped = [];
  const plain = [];
  for (let n = 0; n < reps; n++) {
    const ways = [[mapped, (root, r) => mountDom(root, r)], [plain, (root, r) => applyHtml(root, r.html())]];
    for (const [out, fn] of ways) {
      const root = document.createElement("div");
      document.body.append(root);
      root.innerHTML = first;
      const rendered = new Rendered(structuredClone(join));
      const t0 = performance.now();
      fn(root, rendered);
      out.push(performance.now() - t0);
      root.remove();
    }
  }
  return [median(mapped), median(plain)];
}"""


def rows(n: int) -> list[dict]:
    return [{"id": i, "name": f"Item {i}", "active": i % 3 != 0, "value": f"{i * 1.25:.2f}"} for i in range(n)]


def state(n: int) -> dict:
    return {"title": "Dashboard", "total": n, "updated": "12:00", "cls": "rows", "rows": rows(n), "footer": "djust"}


def scenarios(n: int) -> list[tuple[str, callable]]:
    mid = n // 2

    def edit(s):
        s["rows"][mid]["name"] = "Renamed"

    def insert(s):
        s["rows"].insert(mid, {"id": n + 1, "name": "New", "active": True, "value": "1.00"})

    def move(s):
        s["rows"].insert(10, s["rows"].pop(n - 100))

    def delete(s):
        del s["rows"][mid]

    def hundred(s):
        for r in s["rows"][::10]:
            r["name"] += "!"

    def everything(s):
        s["updated"] = "12:01"
        for r in s["rows"]:
            r["name"] += "!"
            r["active"] = not r["active"]

    return [
        ("scalar change", lambda s: s.update(updated="12:01")),
        ("attribute change", lambda s: s.update(cls="rows dense")),
        ("one row edited", edit),
        ("one row inserted", insert),
        ("one row moved", move),
        ("one row deleted", delete),
        ("100 rows edited", hundred),
        ("everything changed", everything),
    ]


def serve(route) -> None:
    headers = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
    if route.request.url.endswith("/djust.js"):
        route.fulfill(body=CLIENT.read_text(), content_type="text/javascript", headers=headers)
    else:
        route.fulfill(
            body="<!doctype html><title>bench</title><body></body>", content_type="text/html", headers=headers
        )


def configure() -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=["djust"],
        TEMPLATES=[{"BACKEND": "djust.template.backends.DjustTemplates", "NAME": "djust"}],
    )
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("-n", type=int, default=1000, help="rows (default 1000)")
    args = parser.parse_args()
    reps = 5 if args.quick else 25
    configure()

    from playwright.sync_api import sync_playwright

    from djust import LiveTemplate

    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("client.py: needs Chromium (bash scripts/chromium.sh)")
    from browser.server import CHROMIUM_ARGS

    print(f"N = {args.n} rows; median of {reps} samples; ms per patch applied to the DOM")
    print()
    print("| scenario | ops | new path | new ms | old whole-root morph ms | old/new |")
    print("|----------|----:|----------|-------:|------------------------:|--------:|")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route(ORIGIN + "/**", serve)
        page.goto(ORIGIN + "/")
        for name, change in scenarios(args.n):
            base = state(args.n)
            lt = LiveTemplate.from_string(TEMPLATE)
            first = lt.mount(base)
            join = json.loads(lt.join_payload())
            new = json.loads(json.dumps(base))
            change(new)
            patch = json.loads(lt.update(new))
            ms = {}
            for legacy in (False, True):
                # Fast paths are µs: patch more copies per sample so each sample is long enough.
                copies = 2 if legacy or name.startswith(("everything", "100")) else 10
                median, path, isolated = page.evaluate(MEASURE, [join, first, patch, copies, reps, legacy])
                assert isolated, "the page must be cross-origin isolated (precise timer)"
                ms[legacy] = (median, path)
            (new_ms, path), (old_ms, _) = ms[False], ms[True]
            ratio = old_ms / new_ms if new_ms else float("inf")
            print(f"| {name} | {len(patch['d'])} | {path} | {new_ms:.3f} | {old_ms:.3f} | {ratio:.1f}× |", flush=True)
        base = state(args.n)
        lt = LiveTemplate.from_string(TEMPLATE)
        first = lt.mount(base)
        join = json.loads(lt.join_payload())
        mapped, plain = page.evaluate(JOIN, [join, first, reps])
        print()
        print(f"At join: mapping the page (mountDom) {mapped:.3f} ms; the plain root morph it replaces {plain:.3f} ms")
        browser.close()


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
