#!/usr/bin/env python
"""Template rendering benchmark: Django, Jinja2, minijinja and djust in one run.

    .venv/bin/python integration/bench/render.py            # print the table
    .venv/bin/python integration/bench/render.py --write    # and record it in RESULTS.md

A dashboard page (``{{ user.name }}``, a count, a ``{% for %}`` over N rows
with ``|upper``, ``|floatformat:2`` and ``{% if %}``), N = 100 and 1,000,
with the context made of Python dicts and of (unsaved) model instances. Each
template is compiled once; each timing is one full render including whatever
conversion of the context the engine does. Reported: the median over many
renders, in microseconds, and each engine's ratio to Django.

Jinja2 and minijinja use ``"%.2f"|format(x)`` for ``floatformat:2`` (same
output for these values) and autoescape on, as Django does.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import django
from django.conf import settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Template rendering (issue 4)"

DJANGO_SOURCE = """<h1>Hello {{ user.name }}</h1>
<p>{{ count }} products</p>
<table>
{% for row in rows %}<tr><td>{{ row.name|upper }}</td><td>{{ row.price|floatformat:2 }}</td>\
<td>{% if row.active %}active{% else %}retired{% endif %}</td></tr>
{% endfor %}</table>
"""
JINJA_SOURCE = DJANGO_SOURCE.replace("{{ row.price|floatformat:2 }}", '{{ "%.2f"|format(row.price) }}')


def configure() -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )
    django.setup()


def product_model():
    from django.db import models

    class Product(models.Model):
        name = models.CharField(max_length=100)
        price = models.FloatField()
        active = models.BooleanField(default=True)

        class Meta:
            app_label = "djust_bench"

        def __str__(self) -> str:
            return self.name

    return Product


def contexts(n: int, product) -> dict[str, dict]:
    rows = [{"name": f"product <{i}> & co", "price": i * 1.25 + 0.5, "active": i % 3 != 0} for i in range(n)]
    return {
        "dicts": {"user": {"name": "Ada"}, "count": n, "rows": rows},
        "models": {
            "user": product(name="Ada", price=0.0),
            "count": n,
            "rows": [product(**row) for row in rows],
        },
    }


def engines() -> dict[str, object]:
    """name -> render(context) callable, each with its template compiled once."""
    import jinja2
    import minijinja
    from django.template.backends.django import DjangoTemplates

    from djust.template.backends import DjustTemplates

    params = {"NAME": "bench", "DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
    django_t = DjangoTemplates(dict(params)).from_string(DJANGO_SOURCE)
    djust_t = DjustTemplates(dict(params)).from_string(DJANGO_SOURCE)
    jinja_t = jinja2.Environment(autoescape=True).from_string(JINJA_SOURCE)
    mini = minijinja.Environment()
    mini.add_template("dashboard.html", JINJA_SOURCE)
    return {
        "Django": django_t.render,
        "Jinja2": lambda ctx: jinja_t.render(ctx),
        "minijinja": lambda ctx: mini.render_template("dashboard.html", **ctx),
        "djust": djust_t.render,
    }


def measure(render, ctx: dict, repeat: int) -> float:
    """Median microseconds per render."""
    render(ctx)  # warm up (QuerySet-free, but caches and lazy imports)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        render(ctx)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


def normalised(html: str) -> str:
    """Engines differ in harmless ways (quote entity, trailing newlines); compare the rest."""
    return re.sub(r"&#(x27|39);", "'", html).strip()


def run(sizes: list[int]) -> list[tuple[str, int, dict[str, float]]]:
    product = product_model()
    renders = engines()
    rows = []
    for n in sizes:
        for kind, ctx in contexts(n, product).items():
            outputs = {name: normalised(render(ctx)) for name, render in renders.items()}
            for name, out in outputs.items():
                if out != outputs["Django"]:
                    raise SystemExit(f"{name} renders differently from Django for {kind}, N={n}")
            repeat = 400 if n <= 100 else 60
            rows.append((kind, n, {name: measure(r, ctx, repeat) for name, r in renders.items()}))
    return rows


def table(rows) -> str:
    """Median µs per engine, each engine's time relative to Django, and how
    many times faster djust is than each other engine."""
    names = list(rows[0][2])
    others = [n for n in names if n != "djust"]
    head = (
        "| context | N | "
        + " | ".join(f"{n} µs" for n in names)
        + " | "
        + " | ".join(f"{n} / Django" for n in names[1:])
        + " | "
        + " | ".join(f"djust speed-up vs {n}" for n in others)
        + " |"
    )
    lines = [head, "|" + "---|" * (2 + len(names) + len(names[1:]) + len(others))]
    for kind, n, t in rows:
        cells = [f"{t[name]:,.0f}" for name in names]
        ratios = [f"{t[name] / t['Django']:.2f}×" for name in names[1:]]
        speedups = [f"{t[name] / t['djust']:.1f}×" for name in others]
        lines.append(f"| {kind} | {n:,} | " + " | ".join(cells + ratios + speedups) + " |")
    return "\n".join(lines)


def write_results(text: str) -> None:
    # The machine is shared: the load says how much the numbers can be trusted.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    section = (
        f"{SECTION}\n\n"
        "`integration/bench/render.py`: the dashboard template (a `{% for %}` over N rows with\n"
        "`|upper`, `|floatformat:2`, `{% if %}`), compiled once; median time of one full render,\n"
        "context conversion included (djust reads Python objects lazily; minijinja converts its\n"
        "keyword arguments). Lower is better; ratios below 1 are faster than Django.\n"
        f"Python {sys.version.split()[0]}, Django {django.__version__}, measured in one run;\n"
        f"load average at the end of the run: {load}.\n\n"
        f"{text}\n"
    )
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in current:
        before, rest = current.split(SECTION, 1)
        after = rest.split("\n## ", 1)
        tail = "\n## " + after[1] if len(after) > 1 else ""
        current = before + section + tail
    else:
        current = current.rstrip() + "\n\n" + section
    RESULTS.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"record the table in {RESULTS.name}")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args(argv)
    configure()
    text = table(run(args.sizes))
    print(text)
    print("load average:", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.write:
        write_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
