"""ORM planner benchmark (issue 6): one page of 1,000 books on PostgreSQL.

Renders ``library/bench.html`` (title, author and its country, publisher,
tags, review count and ratings) with Django's template engine and four
querysets, in one run:

* vanilla: ``Book.objects.all()``;
* djust: ``djust.optimize(Book.objects.all(), template=..., name="books")``;
* hand-written: the optimal ``select_related``/``Prefetch``/``only`` by hand;
* django-auto-prefetch: the same schema on ``auto_prefetch.Model``;
* djust's engine (``DjustTemplates``) rendering ``djust.optimize(qs)``, planned
  from the template it is rendered in.

Prints statements and milliseconds (median of --runs) per variant, and the
planning cost of ``plan_for`` on a plan-cache hit and on a miss.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/djust_bench_orm \\
        .venv/bin/python integration/bench/orm.py [--books 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/djust_bench_orm"


def configure(url: str) -> None:
    import dj_database_url  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench",
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "djust", "library", "orm_autoprefetch"],
        DATABASES={"default": dj_database_url.parse(url)},
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True},
            {"NAME": "djust", "BACKEND": "djust.template.backends.DjustTemplates", "APP_DIRS": True},
        ],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    import django  # noqa: PLC0415

    django.setup()


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    if not url.startswith("postgres"):
        return
    import psycopg  # noqa: PLC0415

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def load(books: int) -> None:
    from django.core.management import call_command  # noqa: PLC0415
    from library import models as lib  # noqa: PLC0415
    from library.seed import clear, seed  # noqa: PLC0415
    from orm_autoprefetch import models as ap  # noqa: PLC0415

    call_command("migrate", run_syncdb=True, verbosity=0)
    if lib.Book.objects.count() == books and ap.Book.objects.count() == books:
        return
    for model in (ap.Review, ap.Book, ap.Tag, ap.Publisher, ap.Author, ap.Country):
        model.objects.all().delete()
    clear()
    seed(books=books, extras=False)
    # The same rows (same ids) on the auto-prefetch models.
    ap.Country.objects.bulk_create(ap.Country(**row) for row in lib.Country.objects.values())
    ap.Author.objects.bulk_create(ap.Author(**row) for row in lib.Author.objects.values())
    ap.Publisher.objects.bulk_create(ap.Publisher(**row) for row in lib.Publisher.objects.values())
    ap.Tag.objects.bulk_create(ap.Tag(**row) for row in lib.Tag.objects.values())
    ap.Book.objects.bulk_create(ap.Book(**row) for row in lib.Book.objects.values())
    through = ap.Book.tags.through
    through.objects.bulk_create(
        through(book_id=b, tag_id=t) for b, t in lib.Book.tags.through.objects.values_list("book_id", "tag_id")
    )
    ap.Review.objects.bulk_create(
        ap.Review(id=i, book_id=b, rating=r, body=body)
        for i, b, r, body in lib.Review.objects.values_list("id", "book_id", "rating", "body")
    )


def measure(variants: dict[str, Callable[[], str]], runs: int) -> dict[str, tuple[int, float, str]]:
    """Statements, median ms and HTML per variant; variants interleaved in each
    round so a shared machine's load changes hit them alike."""
    from django.db import connection  # noqa: PLC0415

    times: dict[str, list[float]] = {label: [] for label in variants}
    last: dict[str, tuple[int, str]] = {}
    for _ in range(runs):
        for label, render in variants.items():
            statements = [0]

            def count(
                execute: Callable[..., Any],
                sql: str,
                params: Any,
                many: bool,
                context: Any,
                tally: list[int] = statements,
            ) -> Any:
                tally[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                start = time.perf_counter()
                html = render()
                times[label].append((time.perf_counter() - start) * 1000)
            last[label] = (statements[0], html)
    return {label: (last[label][0], statistics.median(times[label]), last[label][1]) for label in variants}


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(n):
        fn()
    return (time.perf_counter_ns() - start) / n / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--planning-only", action="store_true", help="skip the renders; measure planning cost")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    configure(url)
    load(args.books)

    from django.db.models import Prefetch  # noqa: PLC0415
    from django.template import engines  # noqa: PLC0415
    from django.template.loader import get_template  # noqa: PLC0415
    from library.models import Book, Review, Tag  # noqa: PLC0415
    from orm_autoprefetch import models as ap  # noqa: PLC0415

    import djust  # noqa: PLC0415
    from djust.optimize import _planner, cache_stats, clear_cache, plan_context  # noqa: PLC0415

    name = "library/bench.html"
    template = get_template(name)
    rust_template = engines["djust"].get_template(name)

    def hand_written() -> Any:
        return (
            Book.objects.select_related("author__country", "publisher")
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.only("id", "name")),
                Prefetch("reviews", queryset=Review.objects.only("id", "book", "rating")),
            )
            .only("id", "title", "author__id", "author__name", "author__country__name", "publisher__name")
        )

    variants: dict[str, Callable[[], str]] = {
        "vanilla Django": lambda: template.render({"books": Book.objects.all()}),
        "djust.optimize": lambda: template.render(
            {"books": djust.optimize(Book.objects.all(), template=name, name="books")}
        ),
        "hand-written optimal": lambda: template.render({"books": hand_written()}),
        "django-auto-prefetch": lambda: template.render({"books": ap.Book.objects.all()}),
        "djust engine + optimize(qs)": lambda: rust_template.render(
            plan_context({"books": djust.optimize(Book.objects.all())}, rust_template)
        ),
    }
    clear_cache()
    djust.plan_for(Book.objects.all(), template=name, name="books")  # plan once, as a running server would
    if args.planning_only:
        variants = {}
    results = measure(variants, args.runs)
    reference = results["vanilla Django"][2] if results else ""
    print(f"ORM planner benchmark: {args.books} books, {connection_vendor()}, median of {args.runs} runs")
    print(f"{'variant':<30}{'statements':>12}{'ms':>10}{'vs vanilla':>12}  same HTML")
    base_ms = results["vanilla Django"][1] if results else 1.0
    for label, (statements, ms, html) in results.items():
        print(f"{label:<30}{statements:>12}{ms:>10.1f}{base_ms / ms:>11.1f}x  {html == reference}")

    qs = Book.objects.all()
    djust.plan_for(qs, template=name, name="books")
    hit = per_call_us(lambda: djust.plan_for(qs, template=name, name="books"), 20000)
    planner = _planner()

    def miss() -> None:
        planner.clear()
        djust.plan_for(qs, template=name, name="books")

    miss_us = per_call_us(miss, 2000)

    def cold() -> None:
        clear_cache()
        djust.plan_for(qs, template=name, name="books")

    cold_us = per_call_us(cold, 200)
    apply_us = per_call_us(lambda: djust.optimize(qs, template=name, name="books"), 5000)
    print(f"plan_for, plan-cache hit:            {hit:8.1f} µs  (target < 20 µs)")
    print(f"plan_for, plan-cache miss:           {miss_us:8.1f} µs  (target < 1000 µs; template already extracted)")
    print(f"plan_for, cold (parse+extract+plan): {cold_us:8.1f} µs")
    print(f"optimize() on a hit (plan + apply):  {apply_us:8.1f} µs")
    print(f"cache counters: {cache_stats()}")


def connection_vendor() -> str:
    from django.db import connection  # noqa: PLC0415

    return f"{connection.vendor} {connection.Database.__name__}"


if __name__ == "__main__":
    main()
