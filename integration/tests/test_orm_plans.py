"""The ORM JIT against a real database: exact statement counts, byte-identical HTML,
and no column fetched that the page does not show (keys aside).

Each case is rendered three ways: Django's engine with
``optimize(qs, template=..., name=...)``; Django's engine with a marked
``optimize(qs)`` planned by ``plan_context``; and djust's engine
(``DjustTemplates``) with a marked queryset. Runs on PostgreSQL
(``DATABASE_URL``, as ``make integration`` does) and on SQLite
(``DJUST_ORM_SQLITE=1``, no ``DATABASE_URL``) with the same expected counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch
from django.template.loader import get_template
from django.test import override_settings
from library.models import AudioBook, Author, Book, ClassicBook, Note, Review, Tag
from library.seed import clear, seed

import djust
from djust.optimize import clear_cache, plan_context

from .orm_support import capture, key_columns, read_columns, selected_columns
from .services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@dataclass(frozen=True)
class Case:
    """One template page: what it renders, and the optimal cost of rendering it."""

    id: str
    template: str
    name: str
    queryset: Callable[[], Any]
    statements: int
    reads: dict[str, set[str]]
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("fk-1-deep", "library/fk1.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}}),
    Case("fk-2-deep", "library/fk2.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}, "Country": {"name"}}),
    Case("fk-3-deep", "library/fk3.html", "reviews", lambda: Review.objects.all(), 1,
         {"Review": {"rating"}, "Book": {"title"}, "Author": {"name"}, "Country": {"code"}}),
    Case("nullable-fk", "library/nullable.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Publisher": {"name"}, "Country": {"name"}}),
    Case("reverse-o2o", "library/reverse_o2o.html", "authors", lambda: Author.objects.all(), 1,
         {"Author": {"name"}, "Profile": {"website"}}),
    Case("reverse-fk-loop", "library/reverse_fk.html", "books", lambda: Book.objects.all(), 2,
         {"Book": {"title"}, "Review": {"rating"}}),
    Case("m2m", "library/m2m.html", "books", lambda: Book.objects.all(), 2,
         {"Book": {"title"}, "Tag": {"name"}}),
    Case("m2m-reverse", "library/m2m_reverse.html", "tags", lambda: Tag.objects.all(), 2,
         {"Tag": {"name"}, "Book": {"title", "year"}}),
    Case("nested-3-deep", "library/nested3.html", "authors", lambda: Author.objects.all(), 3,
         {"Author": {"name"}, "Book": {"title"}, "Review": {"rating"}, "Reader": {"name"}}),
    Case("count-and-length", "library/counts.html", "books", lambda: Book.objects.all(), 3,
         {"Book": {"title"}}),
    Case("with", "library/with.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}, "Country": {"name"}}),
    Case("include-with-only", "library/include.html", "books", lambda: Book.objects.all(), 2,
         {"Book": {"title"}, "Author": {"name"}, "Tag": {"name"}}),
    Case("extends-block", "library/extends.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Publisher": {"name"}}),
    Case("parentloop", "library/parentloop.html", "authors", lambda: Author.objects.all(), 2,
         {"Author": {"name"}, "Book": {"title"}}),
    Case("regroup", "library/regroup.html", "books", lambda: Book.objects.order_by("author__name", "title"), 1,
         {"Book": {"title"}, "Author": {"name"}}),
    Case("methods-and-properties", "library/methods.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title", "year", "format"}, "Author": {"name"}, "Country": {"code"}}),
    Case("scalar-only", "library/scalar.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}}),
    Case("filtered-ordered", "library/filtered.html", "books",
         lambda: Book.objects.filter(year__gte=1980).exclude(pages__lt=150).order_by("-year", "title"), 1,
         {"Book": {"title", "year"}, "Author": {"name"}}),
    Case("slice", "library/slice.html", "books", lambda: Book.objects.all(), 2,
         {"Book": {"title"}, "Tag": {"slug"}}),
    Case("firstof-cycle", "library/firstof_cycle.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Country": {"name"}}),
    Case("if-on-relations", "library/if_relation.html", "books", lambda: Book.objects.all(), 3,
         {"Book": {"title"}}),
    Case("dictsort", "library/dictsort.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}}),
    Case("first-filter", "library/first.html", "books", lambda: Book.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}}),
    Case("reverse-fks-chapters-editions", "library/chapters.html", "books", lambda: Book.objects.all(), 3,
         {"Book": {"title"}, "Chapter": {"number", "title"}}),
    Case("multi-table-inheritance", "library/audio.html", "books", lambda: AudioBook.objects.all(), 1,
         {"AudioBook": {"narrator", "minutes"}, "Book": {"title"}, "Author": {"name"}}),
    Case("proxy-model", "library/fk1.html", "books", lambda: ClassicBook.objects.all(), 1,
         {"Book": {"title"}, "Author": {"name"}}),
    Case("user-shape-kept", "library/user_shape.html", "books",
         lambda: Book.objects.select_related("publisher").prefetch_related("tags")
         .annotate(n_reviews=Count("reviews")).defer("summary").filter(pages__gt=120)[:10], 2,
         {"Book": {"title"}, "Author": {"name"}, "Tag": {"name"}}),
]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def library(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        seed(books=24)
        yield
        clear()


@pytest.fixture(autouse=True)
def fresh_plans() -> None:
    clear_cache()


def test_database_is_the_one_asked_for() -> None:
    """Under CI the suite must have run on PostgreSQL; the SQLite run is opt-in."""
    if os.environ.get("DJUST_ORM_SQLITE") != "1":
        require_postgres()


def _vanilla(case: Case) -> tuple[str, list[str]]:
    with capture() as statements:
        html = get_template(case.template).render({case.name: case.queryset(), **case.extra})
    return html, statements


def _check_columns(case: Case, statements: list[str]) -> None:
    allowed = read_columns(case.reads) | key_columns()
    for sql in statements:
        extra = selected_columns(sql) - allowed
        # Annotations select expressions, not columns of the page's models.
        assert not extra, f"{case.id}: columns not shown by the page: {sorted(extra)}\n{sql}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_django_engine_with_template_and_name(case: Case) -> None:
    expected_html, vanilla = _vanilla(case)
    with capture() as statements:
        qs = djust.optimize(case.queryset(), template=case.template, name=case.name)
        html = get_template(case.template).render({case.name: qs, **case.extra})
    assert html == expected_html
    assert len(statements) == case.statements, "\n".join(statements)
    assert len(vanilla) >= len(statements)
    _check_columns(case, statements)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_marked_queryset_planned_from_the_render_context(case: Case) -> None:
    """``optimize(qs)`` marks; ``plan_context`` plans each marked queryset by its context name."""
    expected_html, _ = _vanilla(case)
    template = get_template(case.template)
    with capture() as statements:
        context = plan_context({case.name: djust.optimize(case.queryset()), **case.extra}, template)
        html = template.render(context)
    assert html == expected_html
    assert len(statements) == case.statements, "\n".join(statements)


DJUST_ENGINE = [{"BACKEND": "djust.template.backends.DjustTemplates", "DIRS": [], "APP_DIRS": True}]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_djust_engine_renders_marked_querysets(case: Case) -> None:
    """djust's engine: ``optimize(qs)`` marks, and the backend plans the queryset
    against the template it is rendered in, under the name it is bound to."""
    expected_html, _ = _vanilla(case)
    with override_settings(TEMPLATES=DJUST_ENGINE):
        template = get_template(case.template)
        assert type(template).__module__ == "djust.template.backends"
        with capture() as statements:
            html = template.render({case.name: djust.optimize(case.queryset()), **case.extra})
    assert html == expected_html
    assert len(statements) == case.statements, "\n".join(statements)
    _check_columns(case, statements)


def test_marked_queryset_outside_djust_is_the_plain_queryset() -> None:
    marked = djust.optimize(Book.objects.filter(year__gte=1990))
    with capture() as statements:
        titles = [b.title for b in marked]
    assert titles == [b.title for b in Book.objects.filter(year__gte=1990)]
    assert len(statements) == 1 and '"library_book"."summary"' in statements[0]


def test_plan_reads_as_python() -> None:
    plan = djust.plan_for(Book.objects.all(), template="library/nested3.html", name="books")
    assert plan.root["prefetches"] == []  # the template never reads `books`
    plan = djust.plan_for(Author.objects.all(), template="library/nested3.html", name="authors")
    assert str(plan) == (
        "from django.db.models import Prefetch\n\n"
        "qs.prefetch_related(\n"
        '    Prefetch("books", queryset=Book.objects.prefetch_related(\n'
        '        Prefetch("reviews", queryset=Review.objects.select_related("reader")'
        '.only("id", "book", "rating", "reader", "reader__id", "reader__name")),\n'
        '    ).only("id", "author", "title")),\n'
        ').only("id", "name")'
    )


def test_passthrough_querysets_are_untouched_with_a_reason() -> None:
    values = Book.objects.values("title")
    assert djust.optimize(values, template="library/scalar.html", name="books") is values
    plan = djust.plan_for(values, template="library/scalar.html", name="books")
    assert plan.passthrough is not None and "values()" in plan.passthrough
    union = Book.objects.filter(year__lt=1970).union(Book.objects.filter(year__gt=2000))
    assert "union" in (djust.plan_for(union, template="library/scalar.html", name="books").passthrough or "")
    raw = Book.objects.raw('SELECT * FROM "library_book"')
    assert djust.optimize(raw, template="library/scalar.html", name="books") is raw
    assert "raw()" in (djust.plan_for(raw, template="library/scalar.html", name="books").passthrough or "")
    rows = Book.objects.all().iterator()
    assert djust.optimize(rows, template="library/scalar.html", name="books") is rows
    plan = djust.plan_for(rows, template="library/scalar.html", name="books")
    assert "iterator()" in (plan.passthrough or "") and str(plan).endswith("qs")


def test_custom_prefetch_of_the_user_is_kept() -> None:
    qs = Book.objects.prefetch_related(Prefetch("tags", queryset=Tag.objects.filter(name__startswith="a")))
    plan = djust.plan_for(qs, template="library/m2m.html", name="books")
    assert plan.root["prefetches"] == []
    assert any("your own Prefetch" in note for note in plan.notes)
    html = get_template("library/m2m.html").render({"books": djust.optimize(qs, "library/m2m.html", "books")})
    assert html == get_template("library/m2m.html").render({"books": qs})


def test_plan_cache_hits_and_misses() -> None:
    for _ in range(3):
        djust.plan_for(Book.objects.filter(year=1), template="library/fk1.html", name="books")
    stats = djust.optimize.cache_stats()
    assert (stats["hits"], stats["misses"]) == (2, 1)
    # Filters and slicing do not change the plan; select_related does.
    djust.plan_for(Book.objects.filter(year=2)[:3], template="library/fk1.html", name="books")
    djust.plan_for(Book.objects.select_related("publisher"), template="library/fk1.html", name="books")
    stats = djust.optimize.cache_stats()
    assert (stats["hits"], stats["misses"]) == (3, 2)


def test_generic_foreign_key_is_left_to_django_and_noted() -> None:
    plan = djust.plan_for(Note.objects.all(), template="library/notes.html", name="notes")
    assert any("unplannable" in note for note in plan.notes), plan.notes
    assert set(plan.root["only"] or ()) >= {"content_type", "object_id", "text"}
    ContentType.objects.clear_cache()
    expected, vanilla = _vanilla(Case("gfk", "library/notes.html", "notes", lambda: Note.objects.all(), 0, {}))
    ContentType.objects.clear_cache()
    with capture() as statements:
        qs = djust.optimize(Note.objects.all(), template="library/notes.html", name="notes")
        html = get_template("library/notes.html").render({"notes": qs})
    assert html == expected
    assert len(statements) == len(vanilla)


def test_schema_export_describes_every_relation_kind() -> None:
    from djust.schema import build_schema

    models = {m["label"]: m for m in build_schema()["models"]}
    kinds = {(label, r["name"]): r for label, m in models.items() for r in m["relations"]}
    assert kinds[("library.Book", "author")]["kind"] == "forward_fk"
    assert kinds[("library.Publisher", "country")]["nullable"] is True
    assert kinds[("library.Author", "profile")] == {
        "name": "profile",
        "kind": "reverse_o2o",
        "target": "library.Profile",
        "remote_field": "author",
    }
    assert kinds[("library.Book", "reviews")]["remote_field"] == "book"
    assert kinds[("library.Book", "tags")] == {
        "name": "tags",
        "kind": "m2m",
        "target": "library.Tag",
        "through": "library.Book_tags",
    }
    assert kinds[("library.Tag", "books")]["kind"] == "reverse_m2m"
    assert kinds[("library.Note", "target")]["kind"] == "generic_fk"
    assert kinds[("library.AudioBook", "book_ptr")]["parent_link"] is True
    assert models["library.AudioBook"]["parents"] == ["library.Book"]
    assert models["library.AudioBook"]["pk"] == "book_ptr"
    assert "title" in {f["name"] for f in models["library.AudioBook"]["fields"]}
    assert models["library.ClassicBook"]["proxy_for"] == "library.Book"
    assert models["library.Chapter"]["custom_default_manager"] is True
    assert models["library.Book"]["custom_default_manager"] is False
    assert models["library.Book"]["attributes"]["byline"]["reads"] == [["title"], ["author", "name"]]
    assert models["library.Book"]["attributes"]["get_format_display"]["reads"] == [["format"]]
