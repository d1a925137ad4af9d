"""Live-update benchmark (djust issue 5): patch bytes and time per update.

Dashboard template at N = 100 and 1,000 rows. For each scenario, measured in
the same run: Django's full render, djust's full re-render (the Rust engine
rendering the whole page) and djust's live update (``LiveTemplate.update``),
with the patch size in bytes and the ratios. Also the markup overhead of the
first response and the per-view retained state.

Run: ``.venv/bin/python integration/bench/update.py`` (``--quick`` for fewer
repetitions). Results go in ``integration/bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import django
from django.conf import settings

DASHBOARD = """<!doctype html>
<html><head><title>{{ title }}</title></head>
<body>
<header><h1>{{ title }}</h1><p class="summary">{{ total }} rows, {{ active }} active, updated {{ updated }}</p></header>
<table class="rows">
<thead><tr><th>#</th><th>Name</th><th>Owner</th><th>Status</th><th>Value</th></tr></thead>
<tbody>
{% for row in rows %}<tr dj-key="{{ row.id }}" class="{% if row.active %}on{% else %}off{% endif %}">
<td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.owner|title }}</td>
<td>{% if row.active %}<span class="badge ok">active</span>{% else %}<span class="badge">idle</span>{% endif %}</td>
<td class="num">{{ row.value|floatformat:2 }}</td></tr>
{% empty %}<tr><td colspan="5">No rows</td></tr>{% endfor %}
</tbody></table>
<footer>{{ footer }}</footer>
</body></html>
"""


def configure() -> None:
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        USE_I18N=False,
        SECRET_KEY="bench",
        INSTALLED_APPS=["djust"],
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "NAME": "django"},
            {"BACKEND": "djust.template.backends.DjustTemplates", "NAME": "djust"},
        ],
    )
    django.setup()


def make_rows(n: int) -> list[dict]:
    return [
        {
            "id": i,
            "name": f"Item {i}",
            "owner": f"owner {i % 17}",
            "active": i % 3 != 0,
            "value": i * 1.25,
        }
        for i in range(n)
    ]


def make_ctx(n: int) -> dict:
    rows = make_rows(n)
    return {
        "title": "Dashboard",
        "total": n,
        "active": sum(r["active"] for r in rows),
        "updated": "12:00",
        "rows": rows,
        "footer": "djust",
    }


def best_us(fn: Callable[[], object], reps: int) -> float:
    """Fastest per-call time in µs over `reps` calls (after one warm-up).

    The minimum, not the median: on a shared machine, other processes only
    ever add time, so the fastest run is the best estimate of the cost.
    """
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t0) / 1000)
    return min(times)


def run(n: int, reps: int) -> list[tuple]:
    from django.template import engines

    from djust import LiveTemplate

    dj = engines["django"].from_string(DASHBOARD)
    rs = engines["djust"].from_string(DASHBOARD)
    ctx = make_ctx(n)
    lt = LiveTemplate.from_string(DASHBOARD)
    html = lt.mount(ctx)
    plain = rs.render(ctx)
    assert html == plain == dj.render(ctx), "live mount must equal the plain render"

    django_us = best_us(lambda: dj.render(ctx), max(3, reps // 10))
    full_us = best_us(lambda: rs.render(ctx), max(3, reps // 5))
    rows = ctx["rows"]
    mid = n // 2
    out = []

    def scenario(name: str, step: Callable[[int], list[str] | None]) -> None:
        """`step(i)` mutates ctx and returns `changed` (None: detect)."""
        sizes = []
        counter = [0]

        def once():
            counter[0] += 1
            changed = step(counter[0])
            patch = lt.update(ctx, changed=changed)
            assert patch is not None, name
            sizes.append(len(patch))

        us = best_us(once, reps)
        assert lt.html() == rs.render(ctx), f"{name}: live state diverged from a full render"
        out.append((n, name, max(sizes), us, django_us, full_us))

    def scalar(i):
        ctx["updated"] = f"12:0{i % 2}"
        return ["updated"]

    def field(i):
        rows[mid]["value"] = 1000.0 + i % 2
        return ["rows"]

    def append_remove(i):
        if i % 2:
            rows.append({"id": 10**6, "name": "New", "owner": "me", "active": True, "value": 1.0})
        else:
            rows.pop()
        return ["rows"]

    def swap(i):
        rows[1], rows[n - 2] = rows[n - 2], rows[1]
        return ["rows"]

    def everything(i):
        ctx["title"] = f"All {i}"
        ctx["updated"] = f"12:{i % 60:02d}"
        for r in rows:
            r["value"] += 1
            r["name"] = f"Item {r['id']} v{i}"
        return None

    scenario("one scalar", scalar)
    scenario("one row field", field)
    scenario("append/remove one row", append_remove)
    scenario("swap two rows", swap)
    scenario("everything (changed=None)", everything)
    lt2 = LiveTemplate.from_string(DASHBOARD)
    page = lt2.mount(make_ctx(n))
    stats = lt2.stats()
    join = len(lt2.join_payload().encode())
    out.append(("sizes", n, len(page.encode()), len(plain.encode()), stats["retained_bytes"], join))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    configure()
    reps = 20 if args.quick else 200
    print("| N | scenario | patch bytes | live µs | djust full µs | Django µs | full/live | Django/live |")
    print("|---|----------|-------------|---------|---------------|-----------|-----------|-------------|")
    sizes = []
    for n in (100, 1000):
        for row in run(n, reps):
            if row[0] == "sizes":
                sizes.append(row[1:])
                continue
            n_, name, b, us, django_us, full_us = row
            print(
                f"| {n_} | {name} | {b} | {us:.1f} | {full_us:.1f} | {django_us:.1f} "
                f"| {full_us / us:.1f}x | {django_us / us:.1f}x |"
            )
    print()
    print("| N | first HTML | plain render | markup overhead | retained bytes | retained / HTML | join bytes |")
    print("|---|------------|--------------|-----------------|----------------|-----------------|------------|")
    for n, page, plain, retained, join in sizes:
        print(
            f"| {n} | {page} | {plain} | {(page - plain) / plain:.1%} | {retained} | {retained / plain:.2f}x | {join} |"
        )


if __name__ == "__main__":
    main()
