"""Template origins of SQL run while djust's own engine renders (the Rust renderer
and the live evaluator): real statements on SQLite, recorded by the audit's Recorder."""

import pytest
from _template_settings import configure

configure()

from django.db import connection  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.test import override_settings  # noqa: E402

from djust import LiveTemplate, _native  # noqa: E402
from djust.audit import Recorder  # noqa: E402
from djust.audit.origin import TemplateOrigin, template_origin  # noqa: E402
from djust.template.backends import DjustTemplates  # noqa: E402

BASE = """<html>
<title>{{ header.query }}</title>
{% block content %}{% endblock %}
</html>
"""
PAGE = """{% extends "base.html" %}
{% block content %}
<ul>
{% for book in books %}
  {% include "row.html" %}
{% endfor %}
</ul>
{{ footer.query }}
{% endblock %}
"""
ROW = """<li>
  {{ book.author.name }}
</li>
"""
# Lazy collections that run a statement when asked for their items,
# their length or their truth, as a QuerySet does.
LAZY = """{% if books %}
<p>{{ books|length }} books</p>
{% for book in books %}{{ book.title }}{% endfor %}
{% endif %}
{{ call }}
"""
OUTER = """<div>
{{ nested.render_then_query }}
{{ footer.query }}
</div>
"""
INNER = """<p>
{{ probe.query }}
</p>
"""
BROKEN = """<p>
{{ bomb.explode }}
</p>
"""
TEMPLATES = {
    "base.html": BASE,
    "page.html": PAGE,
    "row.html": ROW,
    "lazy.html": LAZY,
    "outer.html": OUTER,
    "inner.html": INNER,
    "broken.html": BROKEN,
}


def run_sql(tag: str) -> None:
    """A real statement, recorded by the Recorder's execute wrapper."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [tag])


class Author:
    @property
    def name(self) -> str:
        run_sql("author")  # like an unloaded foreign key
        return "Ada"


class Book:
    title = "Notes"

    @property
    def author(self) -> Author:
        return Author()


class Query:
    @property
    def query(self) -> str:
        run_sql("query")
        return "q"


class LazyBooks:
    """Runs a statement for iteration, ``len`` and truth, like an unevaluated QuerySet."""

    def __iter__(self):
        run_sql("iter")
        return iter([Book(), Book()])

    def __len__(self) -> int:
        run_sql("len")
        return 2

    def __bool__(self) -> bool:
        run_sql("bool")
        return True


LOCMEM = {"DIRS": [], "APP_DIRS": False, "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]}}


@pytest.fixture(scope="module")
def backend() -> DjustTemplates:
    return DjustTemplates({"NAME": "djust-audit", **LOCMEM})


def origins(rec: Recorder) -> list[tuple[str, str | None]]:
    """(parameter, "template:line") of each recorded statement."""
    return [(s.params[0], str(s.template) if s.template else None) for s in rec.statements]


def test_include_extends_and_block_lines(backend):
    books = [Book(), Book()]
    with Recorder() as rec:
        html = backend.get_template("page.html").render({"books": books, "header": Query(), "footer": Query()})
    assert html.count("Ada") == 2
    assert origins(rec) == [
        ("query", "base.html:2"),  # the parent's own node
        ("author", "row.html:2"),  # inside an include inside the child's block
        ("author", "row.html:2"),
        ("query", "page.html:8"),  # the child's block, rendered from the parent
    ]
    assert rec.statements[1].template == TemplateOrigin("row.html", 2, "row.html")


def test_for_length_if_and_callables_get_their_tag_line(backend):
    calls = []

    def call() -> str:
        run_sql("call")
        calls.append(1)
        return "called"

    with Recorder() as rec:
        backend.get_template("lazy.html").render({"books": LazyBooks(), "call": call})
    assert calls == [1]
    assert origins(rec) == [
        ("bool", "lazy.html:1"),
        ("len", "lazy.html:2"),
        ("iter", "lazy.html:3"),
        ("len", "lazy.html:3"),  # the loop sizes what it iterates, as Django's does
        ("call", "lazy.html:5"),
    ]


def test_a_nested_render_restores_the_outer_position(backend):
    class Nested:
        @property
        def render_then_query(self) -> str:
            inner = backend.get_template("inner.html").render({"probe": Query()})
            run_sql("after-inner")  # back in the outer template's node
            return inner

    with Recorder() as rec:
        backend.get_template("outer.html").render({"nested": Nested(), "footer": Query()})
    assert origins(rec) == [
        ("query", "inner.html:2"),
        ("after-inner", "outer.html:2"),
        ("query", "outer.html:3"),
    ]


def test_an_error_in_a_render_leaves_no_position(backend):
    class Bomb:
        @property
        def explode(self) -> str:
            run_sql("before-error")
            raise RuntimeError("boom")

    with Recorder() as rec:
        with pytest.raises(RuntimeError, match="boom"):
            backend.get_template("broken.html").render({"bomb": Bomb()})
        assert _native.current_template_position() is None
        run_sql("outside")
    assert origins(rec) == [("before-error", "broken.html:2"), ("outside", None)]


def test_current_template_position_outside_and_inside_a_render(backend):
    seen = []

    class Where:
        @property
        def query(self) -> str:
            seen.append(_native.current_template_position())
            return ""

    assert _native.current_template_position() is None
    backend.get_template("inner.html").render({"probe": Where()})
    backend.from_string("{{ probe.query }}").render({"probe": Where()})
    assert seen == [("inner.html", 2, "inner.html"), ("<unknown source>", 1, None)]
    assert _native.current_template_position() is None


def test_live_template_mount_and_update_report_slot_lines():
    """The live evaluator (LiveTemplate, LiveView): slots and their nodes."""
    with override_settings(TEMPLATES=[{"BACKEND": "djust.template.backends.DjustTemplates", **LOCMEM}]):
        live = LiveTemplate("page.html")
        context = {"books": [Book()], "header": Query(), "footer": Query()}
        with Recorder() as rec:
            live.mount(context)
        assert origins(rec) == [("query", "base.html:2"), ("author", "row.html:2"), ("query", "page.html:8")]
        with Recorder() as rec:
            live.update({**context, "books": LazyBooks()}, changed=["books"])
    assert origins(rec) == [
        ("iter", "page.html:4"),
        ("len", "page.html:4"),
        ("author", "row.html:2"),
        ("author", "row.html:2"),
    ]


def test_a_djust_render_inside_a_django_node_is_the_inner_origin(backend):
    """A Django template's variable renders a djust template: the djust line wins."""

    def render_inner() -> str:
        return backend.get_template("inner.html").render({"probe": Query()})

    django_engine = Engine(loaders=[("django.template.loaders.locmem.Loader", {"d.html": "<b>\n{{ render_inner }}"})])
    with Recorder() as rec:
        django_engine.get_template("d.html").render(Context({"render_inner": render_inner}))
    assert origins(rec) == [("query", "inner.html:2")]


def test_a_python_engines_hook_comes_before_djusts_engine(backend):
    class Hooked:
        @property
        def query(self) -> str:
            with template_origin("python/engine.html", 41):
                run_sql("hooked")
            return ""

    with Recorder() as rec:
        backend.get_template("inner.html").render({"probe": Hooked()})
    assert origins(rec) == [("hooked", "python/engine.html:41")]
