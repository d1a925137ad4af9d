"""DjustTemplates, the Django backend: Django's backend contract suite plus djust's own tests."""

import logging
import re

import pytest
from _template_settings import configure

configure()

from django.forms import CharField, Form, Media  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.middleware.csrf import (  # noqa: E402
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
    get_token,
)
from django.template import TemplateDoesNotExist, TemplateSyntaxError  # noqa: E402
from django.template.backends.django import DjangoTemplates  # noqa: E402
from django.test import SimpleTestCase  # noqa: E402

from djust.template.backends import DjustTemplates  # noqa: E402


# Vendored from Django 5.2's tests/template_backends/test_dummy.py (BSD-3-Clause,
# Copyright (c) Django Software Foundation and individual contributors): the
# contract every template backend meets. It is not part of the installed package.
class TemplateStringsTests(SimpleTestCase):
    __test__ = False  # collected through the subclass below
    engine_class = None
    backend_name = "dummy"
    options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = {
            "DIRS": [],
            "APP_DIRS": True,
            "NAME": cls.backend_name,
            "OPTIONS": cls.options,
        }
        cls.engine = cls.engine_class(params)

    def test_from_string(self):
        template = self.engine.from_string("Hello!\n")
        content = template.render()
        self.assertEqual(content, "Hello!\n")

    def test_get_template(self):
        template = self.engine.get_template("template_backends/hello.html")
        content = template.render({"name": "world"})
        self.assertEqual(content, "Hello world!\n")

    def test_get_template_nonexistent(self):
        with self.assertRaises(TemplateDoesNotExist) as e:
            self.engine.get_template("template_backends/nonexistent.html")
        self.assertEqual(e.exception.backend, self.engine)

    def test_get_template_syntax_error(self):
        if self.backend_name == "dummy":
            self.skipTest("test doesn't apply to dummy backend")
        with self.assertRaises(TemplateSyntaxError):
            self.engine.get_template("template_backends/syntax_error.html")

    def test_html_escaping(self):
        template = self.engine.get_template("template_backends/hello.html")
        context = {"name": '<script>alert("XSS!");</script>'}
        content = template.render(context)

        self.assertIn("&lt;script&gt;", content)
        self.assertNotIn("<script>", content)

    def test_django_html_escaping(self):
        if self.backend_name == "dummy":
            self.skipTest("test doesn't apply to dummy backend")

        class TestForm(Form):
            test_field = CharField()

        media = Media(js=["my-script.js"])
        form = TestForm()
        template = self.engine.get_template("template_backends/django_escaping.html")
        content = template.render({"media": media, "test_form": form})

        expected = "{}\n\n{}\n\n{}".format(media, form, form["test_field"])

        self.assertHTMLEqual(content, expected)

    def check_tokens_equivalent(self, token1, token2):
        self.assertEqual(len(token1), CSRF_TOKEN_LENGTH)
        self.assertEqual(len(token2), CSRF_TOKEN_LENGTH)
        token1, token2 = map(_unmask_cipher_token, (token1, token2))
        self.assertEqual(token1, token2)

    def test_csrf_token(self):
        request = HttpRequest()
        CsrfViewMiddleware(lambda req: HttpResponse()).process_view(request, lambda r: None, (), {})

        template = self.engine.get_template("template_backends/csrf.html")
        content = template.render(request=request)

        expected = '<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        match = re.match(expected, content) or re.match(expected.replace('"', "'"), content)
        self.assertTrue(match, "hidden csrftoken field not found in output")
        self.check_tokens_equivalent(match[1], get_token(request))

    def test_no_directory_traversal(self):
        with self.assertRaises(TemplateDoesNotExist):
            self.engine.get_template("../forbidden/template_backends/hello.html")

    def test_non_ascii_characters(self):
        template = self.engine.get_template("template_backends/hello.html")
        content = template.render({"name": "Jérôme"})
        self.assertEqual(content, "Hello Jérôme!\n")


class DjustTemplatesContractTests(TemplateStringsTests):
    __test__ = True
    engine_class = DjustTemplates
    backend_name = "djust"


def backend(**options) -> DjustTemplates:
    return DjustTemplates(
        {
            "NAME": "djust",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"libraries": {"djust_test_tags": "template_app.templatetags.djust_test_tags"}, **options},
        }
    )


def render(source: str, context=None, **options) -> str:
    return backend(**options).from_string(source).render(context)


def test_custom_filters_keep_their_flags():
    load = "{% load djust_test_tags %}"
    assert render(load + "{{ s|wrap_stars }}", {"s": "<a>"}) == "*&lt;a&gt;*"
    safe = render(load + "{{ s|safe|wrap_stars }}", {"s": "<a>"})
    assert safe == "*<a>*"  # is_safe: a safe input stays safe
    assert render(load + "{{ s|bold }}", {"s": "<a>"}) == "<b>&lt;a&gt;</b>"
    assert render(load + "{% autoescape off %}{{ s|bold }}{% endautoescape %}", {"s": "<a>"}) == "<b><a></b>"
    assert render(load + "{{ n|times:3 }}", {"n": 2}) == "6"


def test_simple_tags():
    load = "{% load djust_test_tags %}"
    assert render(load + '{% greet "Ann" %}') == "Hello, Ann!"
    assert render(load + '{% greet "Ann" greeting="Hi" %}') == "Hi, Ann!"
    assert render(load + '{% greet "Bo" as msg %}[{{ msg }}]') == "[Hello, Bo!]"
    assert render(load + "{% who %}", {"user_name": "<Cy>"}) == "&lt;Cy&gt;"
    assert render(load + "{% raw_html %}") == "&lt;i&gt;x&lt;/i&gt;"
    with pytest.raises(TemplateSyntaxError):
        render(load + "{% greet %}")
    # A tag's output is str()-ed as Django does (not localised); `as var` keeps the number.
    from django.utils import translation

    with translation.override("de"):
        assert render(load + "{% number %} {% number as n %}{{ n }}") == "1234.5 1234,5"


def test_inclusion_tag():
    assert render("{% load djust_test_tags %}{% show_list 1 2 %}") == "<ul><li>1</li><li>2</li></ul>"


def test_unsupported_tag_falls_back_to_django_once(caplog):
    engine = backend()
    with caplog.at_level(logging.INFO, logger="djust.template"):
        template = engine.get_template("djust_tests/legacy.html")
        assert template.render({"name": "Ann"}) == "<p>legacy:Ann</p>Ann"
        assert template.render({"name": "Bo"}) == "<p>legacy:Bo</p>Bo"
        engine.get_template("djust_tests/legacy.html").render({"name": "Cy"})
    assert template.template.uses_django
    notes = [r for r in caplog.records if "djust_tests/legacy.html" in r.getMessage()]
    assert len(notes) == 1


def test_unsupported_tag_in_an_included_template_falls_back():
    template = backend().get_template("djust_tests/includes_legacy.html")
    assert template.render({"name": "Ann"}) == "before <p>legacy:Ann</p>Ann after"


def test_syntax_error_carries_template_debug():
    engine = backend(debug=True)
    with pytest.raises(TemplateSyntaxError) as info:
        engine.get_template("djust_tests/bad_filter.html")
    debug = info.value.template_debug
    assert debug["line"] == 2
    assert "nosuchfilter" in debug["during"]
    assert debug["name"].endswith("djust_tests/bad_filter.html")
    # The same dict Django's engine builds, from the same algorithm.
    django = DjangoTemplates({"NAME": "d", "DIRS": [], "APP_DIRS": True, "OPTIONS": {"debug": True}})
    with pytest.raises(TemplateSyntaxError) as reference:
        django.get_template("djust_tests/bad_filter.html")
    expected = reference.value.template_debug
    for key in ("line", "total", "top", "bottom", "source_lines", "before", "during", "after", "start", "end"):
        assert debug[key] == expected[key], key


def test_missing_include_is_template_does_not_exist():
    with pytest.raises(TemplateDoesNotExist):
        backend().get_template("djust_tests/includes_missing.html").render({})


def test_host_exceptions_are_reraised_unchanged():
    class Boom(Exception):
        pass

    class Obj:
        @property
        def value(self):
            raise Boom("from a property")

    with pytest.raises(Boom, match="from a property"):
        render("{{ o.value }}", {"o": Obj()})


def test_context_is_read_lazily_and_never_modified():
    class Trap:
        name = "ok"

        @property
        def unused(self):
            raise AssertionError("read although the template does not use it")

    context = {"t": Trap()}
    assert render("{% with x=1 %}{{ t.name }}{{ x }}{% endwith %}", context) == "ok1"
    assert context == {"t": context["t"]}


def test_context_processors_and_request():
    engine = backend(context_processors=["django.template.context_processors.request"])
    request = HttpRequest()
    request.path = "/here/"
    assert engine.from_string("{{ request.path }}").render({}, request) == "/here/"
    # The caller's context wins over processors.
    assert engine.from_string("{{ request }}").render({"request": "mine"}, request) == "mine"


def test_string_if_invalid_and_autoescape_options():
    assert render("[{{ nope }}]", string_if_invalid="INVALID") == "[INVALID]"
    assert render("{{ s }}", {"s": "<b>"}, autoescape=False) == "<b>"


def test_autoreload_resets_the_compiled_templates(tmp_path):
    from django.template import engines
    from django.test import override_settings
    from django.utils.autoreload import file_changed

    page = tmp_path / "page.html"
    page.write_text("one")
    settings = [{"BACKEND": "djust.template.backends.DjustTemplates", "DIRS": [str(tmp_path)]}]
    with override_settings(TEMPLATES=settings):
        engine = engines["djust"] if "djust" in engines else engines.all()[0]
        assert engine.get_template("page.html").render() == "one"
        page.write_text("two")
        assert engine.get_template("page.html").render() == "one"  # cached
        file_changed.send(sender=None, file_path=page)
        assert engine.get_template("page.html").render() == "two"


def test_missing_include_reports_the_line_and_what_was_tried():
    with pytest.raises(TemplateDoesNotExist) as info:
        backend(debug=True).get_template("djust_tests/includes_missing.html").render({})
    exc = info.value
    assert exc.args[0] == "djust_tests/missing.html"
    assert exc.tried, "the loaders' attempts are reported"
    assert exc.template_debug["line"] == 1
    assert "include" in exc.template_debug["during"]


def test_expects_localtime_filters_see_local_time():
    import datetime
    import zoneinfo

    from django.utils import timezone

    utc = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone.utc)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        out = render("{% load djust_test_tags %}{{ t|hour_of }}", {"t": utc})
    assert out == "14"


def test_url_tag_reverses_through_django_and_reraises_no_reverse_match():
    from django.test import override_settings
    from django.urls import NoReverseMatch

    with override_settings(ROOT_URLCONF="test_template_host"):
        assert render("{% url 'book' pk=3 %}") == "/books/3/"
        assert render("{% url 'nope' as u %}[{{ u }}]") == "[]"
        with pytest.raises(NoReverseMatch):
            render("{% url 'nope' %}")


def test_test_client_sees_the_rendered_template():
    from django.test.signals import template_rendered
    from django.test.utils import setup_test_environment, teardown_test_environment

    seen = []

    def record(sender, template, context, **kwargs):
        seen.append((template.name, context["name"]))

    from django.template.base import Template as DjangoTemplate

    # pytest-django sets the test environment up once Django is configured.
    owned = DjangoTemplate._render.__name__ != "instrumented_test_render"
    if owned:
        setup_test_environment()
    template_rendered.connect(record)
    try:
        backend().get_template("template_backends/hello.html").render({"name": "Ann"})
    finally:
        template_rendered.disconnect(record)
        if owned:
            teardown_test_environment()
    assert seen == [("template_backends/hello.html", "Ann")]


def test_querystring_reads_the_request():
    from django.http import QueryDict
    from django.test import RequestFactory

    request = RequestFactory().get("/", {"a": "b", "page": "1"})
    template = backend().from_string("{% querystring page=2 %}|{% querystring q %}")
    assert template.render({"q": QueryDict("x=1")}, request=request) == "?a=b&amp;page=2|?x=1"


def test_load_needs_a_configured_library():
    # Django's DjangoTemplates backend has i18n and friends; a bare Engine has none.
    assert render("{% load i18n %}{% get_current_language as lang %}{{ lang }}") == "en-us"
    from django.template.engine import Engine

    from djust.template.engine import DjustEngine

    with pytest.raises(TemplateSyntaxError, match="'i18n' is not a registered tag library"):
        DjustEngine(Engine()).from_string("{% load i18n %}")


def test_include_and_add_take_python_objects():
    from datetime import date, timedelta

    included = backend().from_string("[{{ x }}]")
    template = backend().from_string("{% include tmpl %}{{ l|add:t }}{{ d|add:td|date:'Y-m-d' }}{{ s.upper }}")
    out = template.render(
        {"tmpl": included, "x": 1, "l": [1], "t": [2], "d": date(2000, 1, 1), "td": timedelta(10), "s": "ab"}
    )
    assert out == "[1][1, 2]2000-01-11AB"
