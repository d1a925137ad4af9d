"""Template and Python origins: Django's engine from the stack, other engines from the hook."""

import sys

from django.template import Context, Engine

from djust.audit.origin import (
    PythonOrigin,
    TemplateOrigin,
    current_template_origin,
    find_origins,
    recording,
    recording_scope,
    template_origin,
)

PAGE = """<h1>{{ title }}</h1>
{% for row in rows %}
  {% include "row.html" %}
{% endfor %}
{{ footer.probe }}"""
ROW = """<li>
  {{ row.probe }}
</li>"""


class Probe:
    """Records where find_origins says it was read from, like a lazy relation would."""

    seen: list

    def __init__(self, seen):
        self.seen = seen

    @property
    def probe(self):
        self.seen.append(find_origins(sys._getframe()))
        return ""


def engine():
    return Engine(loaders=[("django.template.loaders.locmem.Loader", {"page.html": PAGE, "row.html": ROW})])


def test_django_template_lines_come_from_the_innermost_node():
    seen = []
    engine().get_template("page.html").render(
        Context({"title": "t", "rows": [Probe(seen), Probe(seen)], "footer": Probe(seen)})
    )
    templates = [t for t, _ in seen]
    assert templates == [
        TemplateOrigin("row.html", 2, "row.html"),
        TemplateOrigin("row.html", 2, "row.html"),
        TemplateOrigin("page.html", 5, "page.html"),
    ]
    assert str(templates[0]) == "row.html:2"


def test_python_origin_is_the_innermost_frame_outside_the_framework():
    seen = []
    engine().get_template("row.html").render(Context({"row": Probe(seen)}))
    [(_, python)] = seen
    assert python == PythonOrigin(__file__, Probe.probe.fget.__code__.co_firstlineno + 2, "probe")


def test_the_hook_names_the_template_when_no_django_node_renders():
    assert find_origins(sys._getframe())[0] is None
    with template_origin("live/page.html", 7):
        assert find_origins(sys._getframe())[0] == TemplateOrigin("live/page.html", 7)
        token = current_template_origin.set(("live/page.html", 9))
        assert find_origins(sys._getframe())[0] == TemplateOrigin("live/page.html", 9)
        current_template_origin.reset(token)
    assert current_template_origin.get() is None


def test_a_django_node_wins_over_the_hook():
    seen = []
    with template_origin("live/page.html", 7):
        engine().get_template("row.html").render(Context({"row": Probe(seen)}))
    assert seen[0][0] == TemplateOrigin("row.html", 2, "row.html")


def test_recording_flag_for_engines():
    assert not recording()
    with recording_scope():
        assert recording()
        with recording_scope():
            assert recording()
        assert recording()
    assert not recording()


def test_the_docs_engine_hook_example_runs():
    """docs/auditing.md's example for Python template engines, executed as written."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "auditing.md").read_text()
    [block] = [b.split("```", 1)[0] for b in docs.split("```python\n")[1:] if "def render_node" in b]
    namespace: dict = {}
    exec(compile(block, "docs/auditing.md", "exec"), namespace)

    class Node:
        template_name, line = "blog/posts.html", 12

        def render(self, context):
            return find_origins(sys._getframe())[0]

    assert namespace["render_node"](Node(), {}) is None  # not recording: the hook is skipped
    with recording_scope():
        assert namespace["render_node"](Node(), {}) == TemplateOrigin("blog/posts.html", 12)
