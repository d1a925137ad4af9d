"""`manage.py djust_queries` and the pytest helpers against real PostgreSQL.

The auditapp pages are known: /audit/posts/ has four N+1s (one per template
line of auditapp/_post.html that walks a relation), /audit/posts/optimised/
renders the same template with none. Tests taking the ``engine`` fixture run
twice: with Django's template engine and with djust's (``DjustTemplates``),
whose statements get their template lines from the Rust renderer.
"""

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import auditapp
import pytest
from auditapp.data import COMMENTS_PER_POST, load
from auditapp.models import Post
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import include, path, re_path

import djust
from djust.audit import Recorder
from djust.audit.crawl import discover
from djust.audit.report import Skipped
from djust.testing import assert_max_queries, assert_no_n_plus_one

from .services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

INTEGRATION_DIR = Path(__file__).resolve().parent.parent


def line_of(template: str, needle: str) -> int:
    """The 1-based line of ``template`` containing ``needle`` (exactly one)."""
    source = (Path(auditapp.__file__).parent / "templates" / template).read_text()
    [line] = [n for n, text in enumerate(source.splitlines(), 1) if needle in text]
    return line


def audit(*args: str) -> dict:
    out = io.StringIO()
    call_command("djust_queries", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def n_plus_ones(page: dict) -> dict[str, int]:
    return {
        f"{g['template_origin']['template']}:{g['template_origin']['line']}": g["count"] for g in page["n_plus_one"]
    }


@pytest.fixture(autouse=True)
def data():
    require_postgres()
    load()


@pytest.fixture(params=["django", "djust"])
def engine(request):
    """The project's templates rendered by Django's engine, then by djust's."""
    if request.param == "django":
        yield request.param
        return
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["BACKEND"] = "djust.template.backends.DjustTemplates"
    with override_settings(TEMPLATES=templates):
        yield request.param


def test_djust_renders_the_audit_templates_itself():
    """No template of these pages falls back to Django's engine under
    DjustTemplates: their origins come from djust's renderer."""
    from auditapp.views import LIBRARY_PAGES
    from django.template import loader

    names = [t for t, _, _ in LIBRARY_PAGES.values()] + [
        f"auditapp/{n}.html" for n in ("posts", "post_detail", "mine", "counts", "counted", "live_posts")
    ]
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["BACKEND"] = "djust.template.backends.DjustTemplates"
    with override_settings(TEMPLATES=templates):
        fallbacks = [n for n in names if loader.get_template(n).template.uses_django]
    assert fallbacks == []


def published() -> int:
    return Post.objects.filter(published=True).count()


def test_every_n_plus_one_on_the_unoptimised_page_with_its_template_line(engine):
    [page] = audit("--url", "/audit/posts/", "--no-fixes")["pages"]
    row = "auditapp/_post.html"
    posts = published()
    assert n_plus_ones(page) == {
        f"{row}:{line_of(row, '{{ post.author.name }}')}": posts,
        f"{row}:{line_of(row, 'post.tags.all')}": posts,
        f"{row}:{line_of(row, 'post.comments.all')}": posts,
        f"{row}:{line_of(row, '{{ comment.author.name }}')}": posts * COMMENTS_PER_POST,
    }
    assert page["status"] == 200
    assert page["queries"] == 1 + posts * (3 + COMMENTS_PER_POST)
    author = next(g for g in page["n_plus_one"] if g["template_origin"]["line"] == line_of(row, "post.author.name"))
    assert author["example"]["sql"].startswith('SELECT "auditapp_author"."id"')
    assert author["fingerprint"].endswith("WHERE auditapp_author.id = ? LIMIT ?")
    assert author["python_origin"]["file"].endswith("auditapp/views.py")
    assert author["python_origin"]["function"] == "posts"
    assert author["template_origin"]["file"].endswith("auditapp/templates/auditapp/_post.html")
    assert page["duplicates"] == []


def test_zero_on_the_optimised_page(engine):
    report = audit("--url", "/audit/posts/optimised/")
    [page] = report["pages"]
    assert (page["status"], page["queries"], page["n_plus_one"], page["duplicates"]) == (200, 3, [], [])
    assert report["totals"]["n_plus_one"] == 0


def test_zero_on_the_page_planned_by_djust_optimize():
    [page] = audit("--url", "/audit/posts/planned/")["pages"]
    assert (page["status"], page["queries"], page["n_plus_one"], page["duplicates"]) == (200, 3, [], [])


def test_exact_duplicates_are_reported_apart(engine):
    [page] = audit("--url", "/audit/counts/")["pages"]
    assert page["n_plus_one"] == []
    [dup] = page["duplicates"]
    assert dup["count"] == 2 and dup["distinct_params"] == 1
    assert [(o["line"], o["count"]) for o in dup["template_origins"]] == [
        (line_of("auditapp/counts.html", "posts.count }} posts"), 1),
        (line_of("auditapp/counts.html", "Showing"), 1),
    ]


def test_a_route_with_arguments_via_url_and_the_settings_hook():
    pk = Post.objects.order_by("pk").first().pk
    detail = "auditapp/post_detail.html"
    expected = {f"{detail}:{line_of(detail, 'comment.author.name')}": COMMENTS_PER_POST}
    [page] = audit("--url", f"/audit/posts/{pk}/")["pages"]
    assert n_plus_ones(page) == expected

    def urls():
        return [f"/audit/posts/{pk}/"]

    with override_settings(DJUST_AUDIT_URLS=urls, DJUST_AUDIT_EXCLUDE=["admin/", "/audit/broken/", "/audit/library/"]):
        report = audit()
    pages = {p["target"]: p for p in report["pages"]}
    assert set(pages) == {
        "/audit/posts/",
        "/audit/posts/optimised/",
        "/audit/posts/planned/",
        "/audit/mine/",
        "/audit/counts/",
        "/audit/counted/",
        "/audit/live/posts/",
        f"/audit/posts/{pk}/",
    }
    assert n_plus_ones(pages[f"/audit/posts/{pk}/"]) == expected
    assert report["skipped"] == [{"route": "audit/posts/<int:pk>/", "reason": "needs arguments"}]


def test_the_crawl_finds_routes_without_arguments():
    report = audit("--exclude", "/audit/broken/", "--exclude", "audit/library/")
    targets = [p["target"] for p in report["pages"]]
    assert {
        "/audit/posts/",
        "/audit/posts/optimised/",
        "/audit/posts/planned/",
        "/audit/mine/",
        "/audit/counts/",
        "/audit/counted/",
        "/audit/live/posts/",
        "/admin/",
    } <= set(targets)
    assert "/audit/broken/" not in targets
    assert {"route": "audit/posts/<int:pk>/", "reason": "needs arguments"} in report["skipped"]
    assert any(s["route"].startswith("admin/") for s in report["skipped"])  # admin's object pages


def _view(request):  # pragma: no cover - never requested
    raise AssertionError


urlpatterns = [
    path("plain/", _view),
    re_path(r"^old/style/$", _view),
    re_path(r"^(?:either|or)/$", _view),
    re_path(r"^tag/(?P<slug>[-\w]+)/$", _view),
    path("nested/", include([path("", _view), path("deep/<int:pk>/", _view), path("100%/", _view)])),
]


def test_discover_builds_urls_from_route_and_regex_patterns():
    urls, skipped = discover(urlconf=__name__)
    assert urls == ["/plain/", "/old/style/", "/nested/", "/nested/100%25/"]
    assert skipped == [
        Skipped(route="^(?:either|or)/$", reason="no URL can be built from the pattern (alternation?): pass --url"),
        Skipped(route="^tag/(?P<slug>[-\\w]+)/$", reason="needs arguments"),
        Skipped(route="nested/deep/<int:pk>/", reason="needs arguments"),
    ]


def test_user_renders_as_that_user(engine):
    [anonymous] = audit("--url", "/audit/mine/")["pages"]
    assert anonymous["status"] == 302 and anonymous["n_plus_one"] == []
    [ada] = audit("--url", "/audit/mine/", "--user", "ada")["pages"]
    assert ada["status"] == 200
    mine = "auditapp/mine.html"
    assert n_plus_ones(ada) == {f"{mine}:{line_of(mine, 'post.tags.all')}": 2}


def test_template_mode(engine):
    row = "auditapp/_post.html"
    [page] = audit("--template", "auditapp/posts.html", "--var", "posts=auditapp.Post:published=true", "--no-fixes")[
        "pages"
    ]
    assert page["kind"] == "template" and page["target"] == "auditapp/posts.html"
    assert n_plus_ones(page)[f"{row}:{line_of(row, 'post.tags.all')}"] == published()
    [one] = audit("--template", "auditapp/posts.html", "--var", "posts=auditapp.Post:pk=0", "--no-fixes")["pages"]
    assert (one["queries"], one["n_plus_one"]) == (1, [])


@pytest.mark.parametrize(
    "args",
    [
        ["--template", "auditapp/posts.html", "--var", "posts=auditapp.Nope"],
        ["--template", "auditapp/posts.html", "--var", "posts=auditapp.Post:nofield=1"],
        ["--template", "auditapp/missing.html"],
        ["--var", "posts=auditapp.Post"],
        ["--url", "/audit/posts/", "--user", "nobody"],
    ],
)
def test_bad_arguments_exit_2(args):
    with pytest.raises(CommandError) as caught:
        call_command("djust_queries", *args, stdout=io.StringIO())
    assert caught.value.returncode == 2


def fail_code(*args: str) -> int:
    try:
        call_command("djust_queries", *args, "--no-fixes", stdout=io.StringIO())
    except CommandError as exc:
        return exc.returncode
    return 0


def test_fail_exit_codes():
    assert fail_code("--url", "/audit/posts/", "--fail") == 1
    assert fail_code("--url", "/audit/posts/") == 0  # reporting only
    assert fail_code("--url", "/audit/posts/", "--fail", "--max-n-plus-one", "4") == 0
    assert fail_code("--url", "/audit/posts/", "--fail", "--max-n-plus-one", "3") == 1
    assert fail_code("--url", "/audit/posts/optimised/", "--fail") == 0
    assert fail_code("--url", "/audit/posts/optimised/", "--fail", "--max-queries", "3") == 0
    assert fail_code("--url", "/audit/posts/optimised/", "--fail", "--max-queries", "2") == 1
    assert fail_code("--url", "/audit/broken/", "--fail") == 3
    assert fail_code("--url", "/audit/broken/") == 0


def test_text_report_and_failures(engine):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "djust_queries", "--url", "/audit/posts/", "--url", "/audit/posts/optimised/", "--fail", stdout=out
        )
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0].split() == ["page", "status", "queries", "time", "ms", "N+1", "dup"]
    assert lines[2].split()[:5] == ["/audit/posts/", "200", str(1 + published() * 5), lines[2].split()[3], "4"]
    assert lines[3].split()[:3] == ["/audit/posts/optimised/", "200", "3"]
    assert f"    template: auditapp/_post.html:{line_of('auditapp/_post.html', 'post.author.name')}" in lines
    assert "  /audit/posts/: 4 N+1 > --max-n-plus-one 0" in lines


def test_command_exit_codes_as_a_process(django_db_blocker):
    """The CI gate as CI runs it: a separate process, its exit status, its output."""
    require_postgres()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "testproject.settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(INTEGRATION_DIR), env.get("PYTHONPATH")]))

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "django", "djust_queries", *args, "--no-fixes"]
        return subprocess.run(command, env=env, cwd=INTEGRATION_DIR, capture_output=True, text=True, check=False)

    bad = run("--url", "/audit/posts/", "--fail")
    assert bad.returncode == 1, bad.stderr
    assert "4 N+1 > --max-n-plus-one 0" in bad.stdout
    assert "limit(s) exceeded" in bad.stderr
    good = run("--url", "/audit/posts/optimised/", "--fail", "--format", "json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["totals"]["n_plus_one"] == 0
    assert run("--url", "/audit/posts/", "--user", "nobody").returncode == 2


test_command_exit_codes_as_a_process = pytest.mark.django_db(transaction=True)(test_command_exit_codes_as_a_process)


def test_assert_no_n_plus_one(engine):
    client = Client()
    with assert_no_n_plus_one() as recorder:
        client.get("/audit/posts/optimised/")
    assert len(recorder.statements) == 3

    with pytest.raises(AssertionError) as caught:
        with assert_no_n_plus_one():
            client.get("/audit/posts/")
    message = str(caught.value)
    assert message.startswith("4 N+1 queries found:")
    assert f"template: auditapp/_post.html:{line_of('auditapp/_post.html', 'post.author.name')}" in message
    assert "block at test_djust_queries.py:" in message


def test_assert_max_queries():
    client = Client()
    with assert_max_queries(3):
        client.get("/audit/posts/optimised/")
    with pytest.raises(AssertionError) as caught:
        with assert_max_queries(2):
            client.get("/audit/posts/optimised/")
    assert str(caught.value).startswith("3 queries, more than 2:")
    with pytest.raises(AssertionError) as caught:
        with assert_max_queries(10):
            client.get("/audit/posts/")
    assert "N+1: 10 queries" in str(caught.value)


def test_recorder_on_postgresql():
    with Recorder() as rec:
        list(Post.objects.filter(title__startswith="Post").order_by("pk")[:2])
    [st] = rec.statements
    assert st.vendor == "postgresql" and st.alias == "default"
    assert st.params == [
        "Post%",
    ] or st.params == ["Post%"]
    assert st.duration > 0
    assert st.template is None
    assert st.python.file == __file__ and st.python.function == "test_recorder_on_postgresql"


# --- the ORM suite's library templates: every N+1, then none with djust.optimize ---


def _library_expected() -> dict[str, set[tuple[str, str, int]]]:
    """Per page: (template:line, table, executions) of each N+1, worked out by hand
    from the templates and the seed (one query per row whose relation is not loaded)."""
    from library.models import Author, Book, Review, Tag

    books, reviews, authors, tags = (
        Book.objects.count(),
        Review.objects.count(),
        Author.objects.count(),
        Tag.objects.count(),
    )
    with_country = Book.objects.filter(publisher__country__isnull=False).count()
    filtered = Book.objects.filter(year__gte=1980).exclude(pages__lt=150).count()
    a, c, p, r = "library_author", "library_country", "library_publisher", "library_review"
    t = "library_tag"
    return {
        "fk1": {("fk1.html:2", a, books)},
        "fk2": {("fk2.html:1", a, books), ("fk2.html:1", c, books)},
        "fk3": {("fk3.html:1", "library_book", reviews), ("fk3.html:1", a, reviews), ("fk3.html:1", c, reviews)},
        "nullable": {("nullable.html:1", p, books), ("nullable.html:1", c, with_country)},
        "reverse-o2o": {("reverse_o2o.html:1", "library_profile", authors)},
        "reverse-fk": {("reverse_fk.html:2", r, books)},
        "m2m": {("m2m.html:1", t, books)},
        "m2m-reverse": {("m2m_reverse.html:1", "library_book", tags)},
        "nested3": {
            ("nested3.html:2", "library_book", authors),
            ("nested3.html:3", r, books),
            ("nested3.html:3", "library_reader", reviews),
        },
        # book.reviews.count runs twice per book: one N+1 of 2 x books.
        "counts": {("counts.html:2", r, 2 * books), ("counts.html:2", t, books)},
        "with": {("with.html:1", a, books), ("with.html:1", c, books)},
        "include": {("partials/book_row.html:1", a, books), ("partials/book_row.html:1", t, books)},
        "extends": {("extends.html:3", p, books)},
        "parentloop": {("parentloop.html:1", "library_book", authors)},
        "regroup": {("regroup.html:1", a, books)},
        "methods": {("methods.html:1", a, books), ("methods.html:1", c, books)},
        "scalar": set(),
        "filtered": {("filtered.html:1", a, filtered)},
        "slice": {("slice.html:1", t, 5)},
        "firstof-cycle": {("firstof_cycle.html:1", p, books), ("firstof_cycle.html:1", c, with_country)},
        "if-relation": {("if_relation.html:1", t, books), ("if_relation.html:1", r, books)},
        "dictsort": {("dictsort.html:1", a, books)},
        "first": set(),
        "chapters": {("chapters.html:1", "library_chapter", books), ("chapters.html:1", "library_edition", books)},
    }


def _table(sql: str) -> str:
    return sql.split(" FROM ", 1)[1].split()[0].strip('"')


@pytest.fixture
def library():
    from library.seed import seed

    seed(books=24)


def test_every_n_plus_one_of_the_library_templates_and_none_when_optimised(library, engine):
    from auditapp.views import LIBRARY_PAGES

    expected = _library_expected()
    assert set(expected) == set(LIBRARY_PAGES)
    urls = [u for slug in LIBRARY_PAGES for u in (f"/audit/library/{slug}/", f"/audit/library/{slug}/optimised/")]
    report = audit(*(a for u in urls for a in ("--url", u)))
    pages = {p["target"]: p for p in report["pages"]}
    for slug, want in expected.items():
        page = pages[f"/audit/library/{slug}/"]
        found = {
            (f"{g['template_origin']['template'].removeprefix('library/')}:{g['template_origin']['line']}",
             _table(g["example"]["sql"]), g["count"])
            for g in page["n_plus_one"]
        }  # fmt: skip
        assert (slug, found) == (slug, want)
        # Every N+1 of these pages is removed by djust.optimize, and the fix says how.
        for g in page["n_plus_one"]:
            assert g["optimize_removes"] is True, (slug, g["template_origin"])
            assert g["fix_target"] == {"template": LIBRARY_PAGES[slug][0], "name": LIBRARY_PAGES[slug][1]}
            assert g["fix"].startswith(("qs.", "from django.db.models import Prefetch"))
        optimised = pages[f"/audit/library/{slug}/optimised/"]
        assert (slug, optimised["status"], optimised["n_plus_one"]) == (slug, 200, [])
        assert optimised["queries"] < page["queries"] or not want


def test_the_fix_is_the_plan_of_djust_plan_for(library):
    from library.models import Book

    [page] = audit("--url", "/audit/library/fk2/")["pages"]
    plan = str(djust.plan_for(Book.objects.all(), template="library/fk2.html", name="books"))
    assert {g["fix"] for g in page["n_plus_one"]} == {plan}
    assert 'select_related("author__country")' in plan


def test_the_fix_names_the_context_variable_that_loads_the_rows(engine):
    # post_detail's comments are a related manager's queryset of an instance
    # the view loaded: the plan for "comments" removes the N+1 below it.
    pk = Post.objects.order_by("pk").first().pk
    [page] = audit("--url", f"/audit/posts/{pk}/")["pages"]
    [group] = page["n_plus_one"]
    assert group["optimize_removes"] is True
    assert group["fix_target"] == {"template": "auditapp/post_detail.html", "name": "comments"}
    assert group["fix"] == str(
        djust.plan_for(Post.objects.get(pk=pk).comments.all(), template="auditapp/post_detail.html", name="comments")
    )


def test_an_n_plus_one_djust_optimize_cannot_remove(engine):
    # post.comment_total() runs its own query: no plan fetches it with the post.
    [page] = audit("--url", "/audit/counted/")["pages"]
    [group] = page["n_plus_one"]
    assert group["template_origin"]["line"] == line_of("auditapp/counted.html", "post.comment_total")
    assert group["python_origin"]["function"] == "comment_total"
    assert (group["optimize_removes"], group["fix"], group["fix_target"]) == (False, None, None)
    out = io.StringIO()
    call_command("djust_queries", "--url", "/audit/counted/", stdout=out)
    assert "    fix:      djust.optimize does not remove it: fix it by hand" in out.getvalue().splitlines()


def test_a_liveview_page_gets_its_template_lines_and_fixes(engine):
    """A LiveView renders with djust's live engine whatever TEMPLATES says."""
    report = audit("--url", "/audit/live/posts/")
    [page] = report["pages"]
    row = "auditapp/_post.html"
    posts = published()
    assert page["status"] == 200
    assert n_plus_ones(page) == {
        f"{row}:{line_of(row, '{{ post.author.name }}')}": posts,
        f"{row}:{line_of(row, 'post.tags.all')}": posts,
        f"{row}:{line_of(row, 'post.comments.all')}": posts,
        f"{row}:{line_of(row, '{{ comment.author.name }}')}": posts * COMMENTS_PER_POST,
    }
    assert page["duplicates"] == []  # the session's savepoints are not an N+1 either
    for group in page["n_plus_one"]:
        assert group["template_origin"]["file"].endswith("auditapp/templates/auditapp/_post.html")
        # No user code of the request is on the stack (djust's view code ran the render).
        assert group["python_origin"] is None
        assert group["optimize_removes"] is True
        assert group["fix_target"] == {"template": "auditapp/live_posts.html", "name": "posts"}
    with pytest.raises(AssertionError) as caught:
        with assert_no_n_plus_one():
            Client().get("/audit/live/posts/")
    assert f"template: {row}:{line_of(row, 'post.author.name')}" in str(caught.value)


def test_the_docs_pytest_example_runs():
    """docs/auditing.md's test example, executed as written."""
    docs = (INTEGRATION_DIR.parent / "docs" / "auditing.md").read_text()
    [block] = [b.split("```", 1)[0] for b in docs.split("```python\n")[1:] if "from djust.testing import" in b]
    namespace: dict = {}
    exec(compile(block, "docs/auditing.md", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test(None)


def test_the_engine_hook_names_the_template_line():
    """What djust's engine binding does: set the origin while it calls into Python."""
    from djust.audit.origin import TemplateOrigin, recording, template_origin

    assert not recording()
    with Recorder() as rec:
        assert recording()
        with template_origin("live/posts.html", 12):
            list(Post.objects.order_by("pk")[:1])
        list(Post.objects.order_by("pk")[:1])
    first, second = rec.statements
    assert first.template == TemplateOrigin("live/posts.html", 12)
    assert second.template is None
