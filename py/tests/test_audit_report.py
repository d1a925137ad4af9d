"""Grouping, N+1 and duplicate detection, and rendering, on recorded statement lists."""

import json

import pytest

from djust.audit.origin import PythonOrigin, TemplateOrigin
from djust.audit.recorder import Statement
from djust.audit.report import SCHEMA, AuditReport, Limits, Skipped, analyse, page_report

AUTHOR_SQL = 'SELECT "a"."id", "a"."name" FROM "a" WHERE "a"."id" = %s LIMIT 21'
ROW = TemplateOrigin("blog/_row.html", 3, "/app/templates/blog/_row.html")
TAGS_LINE = TemplateOrigin("blog/_row.html", 4, "/app/templates/blog/_row.html")
VIEW = PythonOrigin("/app/blog/views.py", 12, "posts")


def st(sql=AUTHOR_SQL, params=(1,), template=ROW, python=VIEW, alias="default", duration=0.001, many=False):
    return Statement(
        sql=sql,
        params=list(params),
        params_key=repr(tuple(params)),
        vendor="postgresql",
        alias=alias,
        duration=duration,
        many=many,
        template=template,
        python=python,
    )


def test_same_shape_with_different_params_is_an_n_plus_one():
    n1, dups = analyse([st(params=(i,)) for i in range(5)])
    assert dups == []
    [group] = n1
    assert (group.kind, group.count, group.distinct_params) == ("n_plus_one", 5, 5)
    assert group.template_origin == ROW
    assert group.python_origin == VIEW
    assert group.example.sql == AUTHOR_SQL and group.example.params == [0]
    assert group.fingerprint == "SELECT a.id, a.name FROM a WHERE a.id = ? LIMIT ?"
    assert group.time == pytest.approx(0.005)


def test_inlined_literals_and_in_lists_share_a_fingerprint():
    statements = [
        st(sql="SELECT * FROM t WHERE t.a = 1 AND t.b IN (1, 2)", params=()),
        st(sql="SELECT * FROM t WHERE t.a = 2 AND t.b IN (3)", params=()),
        st(sql="select * from t where t.a = 3 and t.b in (4, 5, 6)", params=()),
    ]
    [group], dups = analyse(statements)
    assert group.count == 3 and group.distinct_params == 3
    assert dups == []


def test_same_sql_and_params_is_an_exact_duplicate_not_an_n_plus_one():
    n1, [dup] = analyse([st(params=(7,))] * 3)
    assert n1 == []
    assert (dup.kind, dup.count, dup.distinct_params) == ("duplicate", 3, 1)


def test_duplicates_are_found_across_template_lines():
    count = 'SELECT COUNT(*) AS "__count" FROM "p"'
    n1, [dup] = analyse([st(sql=count, params=(), template=ROW), st(sql=count, params=(), template=TAGS_LINE)])
    assert n1 == []
    assert dup.count == 2
    assert [o for o, _ in dup.template_origins] == [ROW, TAGS_LINE]


def test_an_n_plus_one_over_shared_keys_is_reported_once():
    # 6 rows pointing at 2 authors: parameters repeat, but it is one N+1.
    n1, dups = analyse([st(params=(i % 2,)) for i in range(6)])
    assert [(g.count, g.distinct_params) for g in n1] == [(6, 2)]
    assert dups == []


def test_threshold():
    statements = [st(params=(1,)), st(params=(2,))]
    assert len(analyse(statements)[0]) == 1
    assert analyse(statements, threshold=3) == ([], [])


def test_each_template_line_is_its_own_n_plus_one():
    statements = [st(params=(i,), template=ROW) for i in range(3)] + [
        st(params=(i,), template=TAGS_LINE) for i in range(4)
    ]
    n1, _ = analyse(statements)
    assert [(g.template_origin, g.count) for g in n1] == [(TAGS_LINE, 4), (ROW, 3)]


def test_outside_templates_the_python_line_is_the_place():
    other = PythonOrigin("/app/blog/views.py", 20, "posts")
    statements = [st(params=(i,), template=None) for i in range(3)] + [st(params=(9,), template=None, python=other)]
    [group], _ = analyse(statements)
    assert group.count == 3 and group.template_origin is None and group.python_origin == VIEW


def test_bulk_statements_and_other_databases_are_kept_apart():
    statements = [st(params=(1,)), st(params=(2,), alias="replica"), st(params=[(1,), (2,)], many=True)]
    assert analyse(statements) == ([], [])
    page = page_report("/x/", statements)
    assert page.queries == 3


def test_transaction_control_is_counted_but_never_grouped():
    # Django names each savepoint anew: without the rule, two atomic blocks look like an N+1.
    control = [
        st(sql=f'{verb} "s1_x{i}"', params=())
        for i in (1, 2)
        for verb in ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    ]
    control += [st(sql="BEGIN", params=()), st(sql="BEGIN", params=()), st(sql="commit", params=())] * 2
    page = page_report("/p/", control)
    assert (page.queries, page.n_plus_one, page.duplicates) == (len(control), [], [])


def test_json_schema():
    page = page_report("/posts/", [st(params=(i,), duration=0.002) for i in range(3)], status=200)
    page.n_plus_one[0].fix = 'Post.objects.select_related("author")'
    page.n_plus_one[0].fix_target = ("blog/posts.html", "posts")
    page.n_plus_one[0].optimize_removes = True
    report = AuditReport(
        pages=[page, page_report("/ok/", [st()], status=200)], skipped=[Skipped("p/<int:pk>/", "needs arguments")]
    )
    data = json.loads(report.to_json(Limits(max_n_plus_one=0)))
    assert data["schema"] == SCHEMA
    assert data["totals"] == {"pages": 2, "queries": 4, "time_ms": 7.0, "n_plus_one": 1, "duplicates": 0}
    assert data["skipped"] == [{"route": "p/<int:pk>/", "reason": "needs arguments"}]
    assert data["failures"] == ["/posts/: 1 N+1 > --max-n-plus-one 0"]
    first = data["pages"][0]
    assert {k: first[k] for k in ("target", "kind", "status", "error", "queries")} == {
        "target": "/posts/",
        "kind": "url",
        "status": 200,
        "error": None,
        "queries": 3,
    }
    [group] = first["n_plus_one"]
    assert group == {
        "fingerprint": "SELECT a.id, a.name FROM a WHERE a.id = ? LIMIT ?",
        "alias": "default",
        "count": 3,
        "distinct_params": 3,
        "time_ms": 6.0,
        "example": {"sql": AUTHOR_SQL, "params": [0]},
        "template_origin": {"template": "blog/_row.html", "line": 3, "file": "/app/templates/blog/_row.html"},
        "template_origins": [
            {"template": "blog/_row.html", "line": 3, "file": "/app/templates/blog/_row.html", "count": 3}
        ],
        "python_origin": {"file": "/app/blog/views.py", "line": 12, "function": "posts"},
        "fix": 'Post.objects.select_related("author")',
        "fix_target": {"template": "blog/posts.html", "name": "posts"},
        "optimize_removes": True,
    }


def test_limits_are_per_page():
    busy = page_report("/busy/", [st(params=(i,)) for i in range(5)])
    calm = page_report("/calm/", [st(params=(1,), template=None), st(sql="SELECT 1", params=())])
    report = AuditReport(pages=[busy, calm])
    assert report.failures(Limits()) == []
    assert report.failures(Limits(max_queries=2, max_n_plus_one=0)) == [
        "/busy/: 5 queries > --max-queries 2",
        "/busy/: 1 N+1 > --max-n-plus-one 0",
    ]
    assert report.failures(Limits(max_queries=5, max_n_plus_one=1)) == []


def test_errors_are_pages_that_were_not_measured():
    report = AuditReport(
        pages=[
            page_report("/ok/", [], status=200),
            page_report("/500/", [], status=500),
            page_report("/raised/", [], error="RuntimeError: boom"),
        ]
    )
    assert [p.target for p in report.errors] == ["/500/", "/raised/"]


def test_text_report():
    page = page_report("/posts/", [st(params=(i,)) for i in range(4)] + [st(sql="SELECT 1", params=())] * 2, status=200)
    page.n_plus_one[0].fix = 'qs.select_related("author")'
    page.n_plus_one[0].fix_target = ("blog/posts.html", "posts")
    page.n_plus_one[0].optimize_removes = True
    report = AuditReport(pages=[page], skipped=[Skipped("p/<int:pk>/", "needs arguments")])
    text = report.render_text(Limits(max_n_plus_one=0))
    lines = text.splitlines()
    assert lines[0].split() == ["page", "status", "queries", "time", "ms", "N+1", "dup"]
    assert lines[2].split() == ["/posts/", "200", "6", "6.0", "1", "1"]
    assert lines[4].split() == ["total", "(1", "pages)", "6", "6.0", "1", "1"]
    assert "  N+1: 4 queries, 4 different parameter sets (4.0 ms)" in lines
    assert "    template: blog/_row.html:3" in lines
    assert '    fix:      djust.optimize(posts, template="blog/posts.html", name="posts")  (plan below)' in lines
    plan = lines.index("  plan for 'posts' in blog/posts.html (djust.optimize applies it):")
    assert lines[plan + 1] == '    qs.select_related("author")'
    assert "  duplicate: the same query 2 times (2.0 ms)" in lines
    assert "  p/<int:pk>/" in lines
    assert lines[-2:] == ["Limits exceeded:", "  /posts/: 1 N+1 > --max-n-plus-one 0"]


def test_text_says_when_optimize_cannot_remove_it():
    page = page_report("/p/", [st(params=(i,)) for i in range(2)])
    page.n_plus_one[0].optimize_removes = False
    text = AuditReport(pages=[page]).render_text()
    assert "    fix:      djust.optimize does not remove it: fix it by hand" in text.splitlines()
