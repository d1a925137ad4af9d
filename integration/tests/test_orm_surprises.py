"""No surprise queries: a load the plan did not foresee is caught.

In tests (and DEBUG) it raises, naming the template file:line and the missing
path. In production the render completes with the same HTML, a warning is
logged, and the next render of that template is planned wider (no surprise).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import get_template
from django.test import override_settings
from library.models import Book
from library.seed import seed

import djust
from djust.guard import SurpriseQuery
from djust.optimize import clear_cache

from .orm_support import capture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def library(db: Any) -> None:
    seed(books=9)
    clear_cache()


def _render(template: str) -> tuple[str, list[str]]:
    with capture() as statements:
        qs = djust.optimize(Book.objects.all(), template=template, name="books")
        html = get_template(template).render({"books": qs})
    return html, statements


def test_deferred_field_raises_in_tests_with_file_line_and_path() -> None:
    with pytest.raises(SurpriseQuery) as info:
        _render("library/surprise_field.html")
    message = str(info.value)
    assert "library/surprise_field.html:1" in message
    assert "deferred field Book.summary" in message


def test_lazy_relation_raises_with_the_path() -> None:
    # Author was joined with only its name: its country key is the first thing missing.
    with pytest.raises(SurpriseQuery, match=r"(deferred field|lazy relation) Author\.country\b"):
        _render("library/surprise_relation.html")


@pytest.mark.parametrize(
    ("template", "missing"),
    [("library/surprise_field.html", "Book.summary"), ("library/surprise_relation.html", "Author.country")],
)
def test_production_completes_warns_and_learns(template: str, missing: str, caplog: pytest.LogCaptureFixture) -> None:
    vanilla = get_template(template).render({"books": Book.objects.all()})
    with override_settings(DJUST_PLAN_STRICT=False):
        html, first = _render(template)
        assert html == vanilla
        assert any(missing in r.getMessage() and "widening" in r.getMessage() for r in caplog.records)
        # One surprise query per row the first time...
        assert len(first) > 1
        caplog.clear()
        html, second = _render(template)
    # ...then the plan includes the read: one statement, no warning.
    assert html == vanilla
    assert len(second) == 1, "\n".join(second)
    assert not caplog.records
    plan = djust.plan_for(Book.objects.all(), template=template, name="books")
    assert any("added after a render loaded it lazily" in note for note in plan.notes), plan.notes


def test_unplanned_querysets_are_never_checked() -> None:
    html = get_template("library/surprise_relation.html").render({"books": Book.objects.all()})
    assert "Norway" in html or "Chile" in html


def test_planned_objects_and_querysets_still_pickle() -> None:
    import pickle

    qs = djust.optimize(Book.objects.all(), template="library/fk2.html", name="books")
    books = list(qs)
    restored = pickle.loads(pickle.dumps(books))
    assert [b.title for b in restored] == [b.title for b in books]
    assert pickle.loads(pickle.dumps(qs))[0].title == books[0].title
    # Unpickled objects belong to no render: a lazy load there is ordinary Django.
    with capture() as statements:
        assert restored[0].summary
    assert len(statements) == 1


def test_a_method_running_its_own_query_is_not_a_surprise() -> None:
    """``Book.top_reviews`` filters ``self.reviews``: a query per book in any plan.
    The planner says so, loads the reviews it prefetches whole (the method's
    query starts from them), and the render is not stopped."""
    template = "library/own_query.html"
    plan = djust.plan_for(Book.objects.all(), template=template, name="books")
    assert any("top_reviews runs its own query" in note for note in plan.notes), plan.notes
    assert plan.root["prefetches"][0]["queryset"]["only"] is None
    vanilla = get_template(template).render({"books": Book.objects.all()})
    html, statements = _render(template)
    assert html == vanilla
    books = Book.objects.count()
    # The rows, the review counts (one prefetch), and each book's own filtered query.
    assert len(statements) == 2 + books
