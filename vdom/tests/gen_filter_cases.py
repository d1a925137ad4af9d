"""Generate vdom/tests/filter_cases.json: Django's own output for each filter.

Run with the venv's Django (5.2), pointing DJANGO_TESTS at the tests/ folder
of the Django 5.2 source distribution to add the inputs of Django's own tests
(the committed file was made that way):

    .venv/bin/pip download --no-deps --no-binary :all: "Django==5.2.*" -d /tmp/dj
    tar xzf /tmp/dj/django-5.2.*.tar.gz -C /tmp/dj
    DJANGO_TESTS=$(echo /tmp/dj/django-5.2.*/tests) .venv/bin/python vdom/tests/gen_filter_cases.py

Each case renders ``{{ v|name:a }}`` with Django's template engine, with the
value and argument passed through the context, and records the filter's raw
result type (string, safe string, other) and the rendered text. Values are
JSON with tags for what JSON cannot say: ``{"$safe": s}``, ``{"$decimal": s}``,
``{"$float": "nan"}``, ``{"$date": [y, m, d]}``, ``{"$time": [h, m, s, us]}``,
``{"$datetime": [y, m, d, h, mi, s, us], "tz": [offset_seconds, name]}``,
``{"$map": {...}}``, ``{"$undefined": true}``; JSON arrays are lists.
``host`` names a test host variant (``"default"``, ``"grouping"`` for
``USE_THOUSAND_SEPARATOR=True``, ``"de"`` for German number formats).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import sys
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django.conf import settings

settings.configure(
    USE_TZ=False,
    TIME_ZONE="UTC",
    USE_I18N=True,
    LANGUAGE_CODE="en-us",
    INSTALLED_APPS=[],
)
django.setup()

from django.template import Context, Engine  # noqa: E402
from django.template.base import VariableNode  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.safestring import SafeData, mark_safe  # noqa: E402

ENGINE = Engine(
    builtins=[
        "django.templatetags.tz",
        "django.templatetags.l10n",
        "django.templatetags.i18n",
    ]
)

UTC2 = datetime.timezone(datetime.timedelta(hours=2))
MINUS5 = datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))


def tag(v: Any) -> Any:
    """Encode a Python value as tagged JSON."""
    if isinstance(v, SafeData) and isinstance(v, str):
        return {"$safe": str(v)}
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return {"$float": repr(v)}
        return {"$float": v}
    if isinstance(v, Decimal):
        return {"$decimal": str(v)}
    if isinstance(v, datetime.datetime):
        out = {
            "$datetime": [
                v.year,
                v.month,
                v.day,
                v.hour,
                v.minute,
                v.second,
                v.microsecond,
            ]
        }
        if v.tzinfo is not None:
            dst = v.dst()
            out["tz"] = [
                int(v.utcoffset().total_seconds()),
                v.tzname(),
                None if dst is None else bool(dst),
            ]
        return out
    if isinstance(v, datetime.date):
        return {"$date": [v.year, v.month, v.day]}
    if isinstance(v, datetime.time):
        return {"$time": [v.hour, v.minute, v.second, v.microsecond]}
    if isinstance(v, (list, tuple)):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        return {"$map": {k: tag(x) for k, x in v.items()}}
    raise TypeError(f"cannot tag {v!r}")


UNDEFINED = object()


def run(
    name: str, value: Any, arg: Any = None, has_arg: bool = False, autoescape: bool = True, host: str = "default"
) -> dict[str, Any]:
    """Render one filter application with Django and describe the result."""
    expr = f"v|{name}:a" if has_arg else f"v|{name}"
    src = "{% autoescape " + ("on" if autoescape else "off") + " %}{{ " + expr + " }}{% endautoescape %}"
    ctx: dict[str, Any] = {"a": arg}
    if value is not UNDEFINED:
        ctx["v"] = value
    case: dict[str, Any] = {
        "filter": name,
        "value": {"$undefined": True} if value is UNDEFINED else tag(value),
        "autoescape": autoescape,
        "host": host,
    }
    if has_arg:
        case["arg"] = tag(arg)
    overrides: dict[str, Any] = {}
    lang = "en-us"
    if host == "grouping":
        overrides["USE_THOUSAND_SEPARATOR"] = True
    if host == "de":
        lang = "de"
    if host == "tz":
        overrides.update(USE_TZ=True, TIME_ZONE="Etc/GMT-3")
    from django.test.utils import override_settings

    with override_settings(**overrides), translation.override(lang):
        try:
            template = ENGINE.from_string(src)
            context = Context(ctx, autoescape=autoescape)
            node = [n for n in template.nodelist[0].nodelist if isinstance(n, VariableNode)][0]
            with context.bind_template(template):
                raw = node.filter_expression.resolve(context)
            rendered = template.render(Context(ctx, autoescape=autoescape))
        except Exception as exc:  # noqa: BLE001 - the case records it
            case["error"] = type(exc).__name__
            return case
    if isinstance(raw, str):
        kind = "safe" if isinstance(raw, SafeData) else "str"
    else:
        kind = type(raw).__name__
    case["kind"] = kind
    case["expected"] = rendered
    return case


S = mark_safe
STRINGS = [
    "",
    "hello world",
    "Hello World",
    "<b>bold</b> & 'quoted' \"dq\"",
    S("<b>safe</b> & more"),
    "éà ü ß Straße",
    "  padded  ",
    "one\ntwo\n\nthree\r\nfour\rfive",
    "it's a 1st test of they're O'neil",
    "a-b_c d--e  f__",
    "123",
    "-45",
    "3.14159",
    "1e3",
    " 7 ",
    "1_000",
    "abc",
    "1-800-COLLECT",
    "http://x.com/a b?c=d&e=é",
    "tab\there",
    "x" * 30,
    "The quick brown fox jumped over the lazy dog.",
    "Joel is a slug",
    "ǆemal ﬁne ⅷ",
]
NUMBERS = [
    0,
    1,
    2,
    -1,
    42,
    1234567,
    -1234567,
    10**15,
    True,
    False,
    None,
    0.0,
    1.0,
    1.5,
    -2.5,
    34.23234,
    34.0,
    34.26,
    1e16,
    1.5e-5,
    0.1 + 0.2,
    float("nan"),
    float("inf"),
    float("-inf"),
    66666.6666,
    6666.6666,
    0.5,
    2.5,
    -0.0001,
    1.005,
    123456789.125,
    Decimal("1.005"),
    Decimal("-0.5"),
    Decimal("1234.5678"),
    Decimal("1E+2"),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("123456789012345678901234567890.123"),
    Decimal("0.0000001"),
    Decimal("-1234567.891"),
    Decimal("9.995"),
]
LISTS = [
    [],
    ["a", "b", "c"],
    [1, 2, 3],
    ["<a>", "b&c", S("<i>s</i>")],
    [["x", "y"], "z"],
    ["States", ["Kansas", ["Lawrence", "Topeka"], "Illinois"]],
    ["item 1", [], "item 2"],
    [1.5, None, True],
    {"a": 1, "b": "x"},
]
DATES = [
    datetime.date(2026, 11, 26),
    datetime.date(2000, 2, 29),
    datetime.date(2021, 1, 1),
    datetime.date(1999, 12, 31),
    datetime.date(2024, 3, 3),
    datetime.datetime(2026, 11, 26, 9, 5, 7, 123),
    datetime.datetime(2026, 1, 1, 0, 0),
    datetime.datetime(2026, 1, 12, 12, 0),
    datetime.datetime(2026, 7, 22, 23, 30, 59),
    datetime.datetime(2026, 11, 26, 13, 45, tzinfo=UTC2),
    datetime.datetime(2008, 12, 11, 3, 4, 5, 600000, tzinfo=MINUS5),
    datetime.datetime(2026, 6, 2, 1, 15, tzinfo=datetime.timezone.utc),
    datetime.time(14, 30),
    datetime.time(0, 0),
    datetime.time(12, 0, 5, 7),
    datetime.time(1, 5),
]
OTHERS = ["", None, "abc", 5, UNDEFINED]

cases: list[dict[str, Any]] = []


def add(
    name: str, values: list[Any], args: list[Any] | None = None, both_escapes: bool = False, host: str = "default"
) -> None:
    for v in values:
        for autoescape in [True, False] if both_escapes else [True]:
            if args is None:
                cases.append(run(name, v, autoescape=autoescape, host=host))
            else:
                for a in args:
                    cases.append(run(name, v, a, True, autoescape, host))


# Strings
for name in [
    "addslashes",
    "capfirst",
    "escapejs",
    "iriencode",
    "lower",
    "make_list",
    "slugify",
    "title",
    "upper",
    "wordcount",
    "phone2numeric",
    "force_escape",
    "escape",
    "safe",
    "length",
    "first",
    "last",
]:
    add(name, STRINGS + [5, None, UNDEFINED])
for name in ["linebreaks", "linebreaksbr", "linenumbers"]:
    add(name, STRINGS[:10] + [5, None], both_escapes=True)
add("urlencode", STRINGS[:12])
add("urlencode", ["a/b c&d", "http://x.com/?q=é"], [S(""), S("/&"), S(":/?=")])
add("center", ["abc", "ab", S("<b>"), "", 12], [S("7"), 8, S("2"), 0, -1])
add("ljust", ["abc", S("<b>")], [S("6"), 2])
add("rjust", ["abc", S("<b>")], [S("6"), 2])
add("cut", ["a b c  d", S("a;b;c"), S("a b"), 123], [S(" "), S(";"), S("")])
add("truncatechars", STRINGS[:12], [S("5"), 1, 0, S("abc"), 100, 7])
add("truncatewords", STRINGS[:12], [S("2"), 1, 0, S("x"), 100])
add(
    "wordwrap",
    [
        "The quick brown fox jumped over the lazy dog.",
        "short\nand a much longer line here\n",
        "  lead   spaces  here ",
        "averyveryverylongword and more",
        "tab\tsep words here",
    ],
    [S("5"), 10, 1, 40],
)
add(
    "stringformat",
    ["hello", 42, -7, 3.14159, 1e20, Decimal("2.5"), True, None, [1, "a"], 255, "é", 0.000012345],
    [
        S("s"),
        S("r"),
        S("d"),
        S("5d"),
        S("-5d|"),
        S("05d"),
        S("+d"),
        S("i"),
        S("x"),
        S("#X"),
        S("o"),
        S(".2f"),
        S("10.3f"),
        S("e"),
        S(".3E"),
        S("g"),
        S(".3g"),
        S("#g"),
        S("G"),
        S("10s"),
        S("-10s|"),
        S(".2s"),
        S("c"),
        S("s %s"),
        S("%"),
        S("q"),
        S("a"),
    ],
)
add(
    "stringformat",
    [{"a": 1, "b": "x<"}, [1, 2], "str"],
    [S("(a)05d"), S("(b)s-%(a)d"), S("(missing)s"), S("s"), S("(a"), S("%%(a)s")],
)

# HTML-ish
HTML = [
    "<p>Hello <b>World</b> &amp; friends</p>",
    '<p id="par"><strong><em>The quick brown fox jumped over the lazy dog.</em></strong></p>',
    "<a href='x?a=1&b=2'>link</a> tail &eacute;t&eacute; &#39;q&#39; &#x41; &notit;",
    "<br/>line<br>next<hr /><img src=x alt='<>'>end",
    "<script>if (a < b) { x = '</p>'; }</script>after",
    "<style>p>q{}</style><!-- comment --><?pi ?><!DOCTYPE html>text",
    "<div><p>unclosed <i>tags here and there",
    "a < b > c & d",
    "<<b>>nested</b> <f x",
    "text with &amp entity &ampx &gt;",
    "<p>\n  spaced \n\n words   here  </p>",
    "<![CDATA[ raw ]]>after",
    "<p>caf\u00e9 e\u0301 combining</p>",
    "",
    "plain text without tags at all but quite long indeed",
    "<a b=c d='e' f=\"g\" h>x</a >",
    "</end> </ x> </> tail",
]
add("striptags", HTML + [S("<b>safe</b> &amp; x"), 5, None])
add("truncatechars_html", HTML, [S("1"), 3, 5, 10, 20, 100, 0, S("x")])
add("truncatewords_html", HTML, [S("1"), 2, 3, 5, 100, 0, S("x")])
URLS = [
    "Visit www.example.com today",
    "http://example.com/path?x=1&y=2 and https://b.org.",
    "email me: foo@example.com, or bar@sub.example.co.uk!",
    "(see http://x.com/a_(b))",
    "'http://q.com'",
    "<b>not a link</b> example.org/page",
    "www.x.com/a b.com c.net d.org e.io",
    "http://xn--n3h.com http://☃.com",
    "trailing punctuation http://x.com/?q=1;",
    "mailto:foo@example.com and javascript:alert(1)",
    "localhost:8000 http://localhost:8000/x",
    "a very long url http://www.example.com/this/is/a/very/long/path/that/goes/on/and/on.html",
    "&lt;http://x.com&gt; and &quot;www.y.com&quot;",
    S("<a href='x'>http://x.com</a> www.y.com"),
    "foo@bar",
    "http://example.com/é?q=é",
    "https://user:pass@host.com:8080/p?q#frag",
    "WWW.UPPER.COM and Http://Mixed.Com",
    "",
    5,
]
add("urlize", URLS, both_escapes=True)
add("urlizetrunc", URLS[:14], [S("15"), 1, 0, 40, S("x")], both_escapes=True)
add("escapeseq", [["<a>", S("<b>"), 1], "ab<", []], both_escapes=True)
add("safeseq", [["<a>", S("<b>"), 1], []], both_escapes=True)
add("unordered_list", [LISTS[4], LISTS[5], LISTS[6], ["<a>", S("<b>")], "ab"], both_escapes=True)
add(
    "json_script",
    [
        "<tag>&'\"",
        {"a": [1, 2.5, None, True]},
        "é\u2028",
        Decimal("1.50"),
        datetime.date(2026, 1, 2),
        datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc),
        datetime.time(1, 2, 3, 456789),
        [float("nan")],
    ],
    [S("my-id"), S(""), S("<x>")],
)
add("json_script", ["x", 1])
add(
    "join",
    [["a", "b", "c"], ["<a>", S("<b>"), "c"], [1, 2], "abc", [], 5],
    [S(", "), S("<br>"), ", "],
    both_escapes=True,
)

# Numbers
add("floatformat", NUMBERS + ["abc", "", "12.5", " 3 ", "1_000.5", "nan"])
add(
    "floatformat",
    NUMBERS + ["12.5", "-0.04"],
    [0, 1, 2, 3, -1, -2, -3, S("2g"), S("-3g"), S("g"), S("u"), S("3u"), S("gu"), S("abc"), S("2.5"), 2.7],
)
add(
    "floatformat",
    [1234567.891, 6666.6666, Decimal("-1234567.891"), 10000, -0.5],
    [S("2"), S("-2"), S("g"), S("2u"), 0],
    host="grouping",
)
add(
    "floatformat",
    [1234567.891, 6666.6666, Decimal("-1234567.891"), 10000],
    [S("2"), S("-2"), S("g"), S("2u"), S("2gu"), 0],
    host="de",
)
add(
    "filesizeformat",
    [
        0,
        1,
        1023,
        1024,
        1536,
        10 * 1024,
        1024**2 - 1,
        1024**2,
        50 * 1024**2,
        1024**3,
        1024**4,
        1024**5,
        1024**6,
        -100,
        -2048,
        "abc",
        None,
        "2048",
        1.5e3,
        True,
        1024 * 1.25 * 1024,
    ],
)
add("filesizeformat", [2048, 123456789], host="de")
add(
    "add",
    [1, "1", "abc", S("ab"), [1, 2], 1.5, "1.5", None, True, Decimal("2.5"), datetime.date(2026, 1, 1)],
    [2, S("2"), S("x"), S("ab"), [3], -1.5, None, S("-3")],
)
add("divisibleby", [4, "9", 7, True, 2.5], [2, S("3"), 1])
add("divisibleby", ["abc", None, 4], [S("x"), 0])
add("get_digit", [123456789, "123", -123, "abc", 0, 5.7, None], [1, 2, 9, 10, 0, -1, S("x"), S("3")])

# Lists and logic
add("length", LISTS + [None, 5, 3.5, datetime.date(2026, 1, 1)])
add("first", LISTS[:8])
add("last", LISTS[:8])
add("random", [["only"], [S("<s>")], "x"])
add(
    "slice",
    LISTS[:4] + STRINGS[:4] + [None, 5],
    [
        S(":2"),
        S("1:"),
        S("-1"),
        S("::2"),
        S("::-1"),
        S("1:-1"),
        S("5:1:-2"),
        S("x"),
        S("0:0"),
        S("-10:10"),
        S("::0"),
        S("1:2:3:4"),
        2,
    ],
)
dicts = [
    {"name": "b", "age": 3, "inner": {"k": 2}},
    {"name": "a", "age": 10, "inner": {"k": 1}},
    {"name": "c", "age": 3, "inner": {"k": 3}},
]
add(
    "dictsort",
    [
        dicts,
        [["b", 2], ["a", 1]],
        [{"x": 1}, {"x": "a"}],
        [{"x": None}, {"x": None}],
        [{"x": 1.5}, {"x": 1}],
        "ab",
        5,
        [],
    ],
    [S("name"), S("age"), S("inner.k"), S("missing"), 0, S("0"), S("_name"), S("x")],
)
add("dictsortreversed", [dicts, [["b", 2], ["a", 1]]], [S("name"), S("age"), 1])
add("default", [None, "", 0, [], "x", 5, False, UNDEFINED, S("<b>")], [S("dflt"), "<i>", 0])
add("default_if_none", [None, "", 0, "x", UNDEFINED], [S("dflt"), "<i>"])
add("yesno", [True, False, None, 1, 0, "", "x", UNDEFINED])
add("yesno", [True, False, None], [S("yeah,no,maybe"), S("yeah,no"), S("yeah"), S("a,b,c,d"), S(",")])
add("pluralize", [0, 1, 2, "1", "2", "abc", 1.0, 1.5, [1], [1, 2], None, UNDEFINED, Decimal("1.0"), True])
add("pluralize", [0, 1, 2, [1]], [S("es"), S("y,ies"), S("a,b,c"), S(",")])
add(
    "pprint",
    [
        "x",
        5,
        [1, "a", None],
        {"b": 1, "a": [1.5, "é"]},
        None,
        1.5,
        Decimal("1.1"),
        datetime.date(2026, 1, 2),
        list(range(40)),
        {f"key{i}": "v" * 10 for i in range(8)},
    ],
)

# Dates
FORMAT_CHARS = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTuUwWyYzZ"
add(
    "date",
    DATES,
    [S(c) for c in FORMAT_CHARS]
    + [
        S("jS F Y H:i"),
        S(r"\Y\e\s \\Y Y"),
        S("DATE_FORMAT"),
        S("SHORT_DATE_FORMAT"),
        S("YEAR_MONTH_FORMAT"),
        S("DATETIME_FORMAT"),
        S("literal only"),
        S("l, F jS, Y"),
    ],
)
add("date", DATES + OTHERS + [datetime.date(2026, 11, 26)])
add("date", OTHERS, [S("Y"), S("e O T Z I"), S("xyz")])
add("time", DATES, [S(c) for c in "aAefgGhHiOPsTuZY"] + [S("H:i"), S("TIME_FORMAT"), S(r"g \o\c\l\o\c\k")])
add("time", DATES + OTHERS)
WEEK_DAYS = [datetime.date(2020, 12, 28 + i) for i in range(4)] + [
    datetime.date(y, 1, d) for y in (2015, 2016, 2021, 2022, 2026) for d in (1, 2, 3, 4)
]
add("date", WEEK_DAYS, [S("o-W-w z")])
NOW = datetime.datetime(2026, 11, 26, 12, 0, 0)
SINCE = [
    datetime.datetime(2026, 11, 26, 11, 59, 30),
    datetime.datetime(2026, 11, 26, 11, 0),
    datetime.datetime(2026, 11, 25, 10, 0),
    datetime.datetime(2026, 11, 12, 12, 0),
    datetime.datetime(2026, 10, 26, 12, 0),
    datetime.datetime(2025, 11, 26, 12, 0),
    datetime.datetime(2024, 2, 29, 12, 0),
    datetime.datetime(2026, 1, 31, 12, 0, 0, 500),
    datetime.datetime(2027, 1, 1),
    datetime.date(2026, 11, 1),
    datetime.date(2020, 3, 15),
]
add("timesince", SINCE, [NOW, datetime.date(2026, 11, 26)])
add("timeuntil", SINCE, [NOW])
add(
    "timesince",
    [
        datetime.datetime(2026, 11, 26, 10, 0, tzinfo=UTC2),
        datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.timezone.utc),
    ],
    [datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc), NOW],
)
add("timesince", ["", None, 0], [NOW])
add("timesince", ["abc", 5], [NOW])

# Libraries
add("utc", [datetime.datetime(2026, 11, 26, 13, 45, tzinfo=UTC2), datetime.datetime(2026, 11, 26, 13, 45), "x", None])
add("timezone", [datetime.datetime(2026, 11, 26, 13, 45, tzinfo=UTC2)], [S("UTC"), S("No/Such"), 5])
add("localize", [1234.5, 1234567, Decimal("1.50"), datetime.date(2026, 1, 2), "x", True, None])
add("localize", [1234.5, 1234567, Decimal("1234.50")], host="grouping")
add("localize", [1234.5, 1234567, Decimal("1234.50")], host="de")
add(
    "unlocalize",
    [
        1234.5,
        1234567,
        Decimal("1.50"),
        datetime.date(2026, 1, 2),
        datetime.datetime(2026, 1, 2, 3, 4),
        datetime.time(5, 6),
        "x",
    ],
)
add("unlocalize", [1234.5, 1234567], host="de")
add("language_name", ["de", "en-us", "zh-hans", "zh-cn", "pt-br", "xx", "fr-ca"])
add("language_name_local", ["de", "fr", "ar", "zh-tw"])
add("language_name_translated", ["de", "it"])
add("language_bidi", ["de", "he", "fa"])


def harvest_django_tests(tests_dir: str) -> list[tuple[str, tuple, dict]]:
    """Run Django's own filter tests with every filter wrapped, and return
    the (filter, args, kwargs) of each call they make."""
    import importlib
    import io
    import pkgutil
    import unittest

    import django.template.defaultfilters as df

    sys.path.insert(0, tests_dir)
    import template_tests.filter_tests as ft

    calls: list[tuple[str, tuple, dict]] = []
    originals = dict(df.register.filters)

    def wrap(fname: str, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append((fname, args, kwargs))
            return func(*args, **kwargs)

        for flag in ("is_safe", "needs_autoescape", "expects_localtime"):
            if hasattr(func, flag):
                setattr(wrapper, flag, getattr(func, flag))
        return wrapper

    for fname, func in originals.items():
        df.register.filters[fname] = wrap(fname, func)
    try:
        for info in pkgutil.iter_modules(ft.__path__):
            if not info.name.startswith("test_"):
                continue
            try:
                mod = importlib.import_module("template_tests.filter_tests." + info.name)
            except Exception:  # noqa: BLE001 - a module needing other apps
                continue
            for attr, val in list(vars(mod).items()):
                for fname, func in originals.items():
                    if val is func:
                        setattr(mod, attr, wrap(fname, func))
            suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
            unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    finally:
        df.register.filters.update(originals)
    return calls


def taggable(v: Any) -> bool:
    if isinstance(v, tuple) or (isinstance(v, dict) and not all(isinstance(k, str) for k in v)):
        return False
    if isinstance(v, (list, dict)):
        return all(taggable(x) for x in (v.values() if isinstance(v, dict) else v))
    try:
        tag(v)
    except (TypeError, NotImplementedError):
        return False
    return type(v) in (
        str,
        int,
        float,
        bool,
        type(None),
        Decimal,
        list,
        tuple,
        dict,
        datetime.date,
        datetime.datetime,
        datetime.time,
    ) or (type(v).__name__ == "SafeString")


# Inputs from Django's own tests (tests/template_tests/filter_tests), when
# the Django source tree is given: DJANGO_TESTS=/path/to/django-5.2.x/tests.
if os.environ.get("DJANGO_TESTS"):
    seen = set()
    harvested = 0
    for fname, args, kwargs in harvest_django_tests(os.environ["DJANGO_TESTS"]):
        if fname == "random" or not args or not all(taggable(a) for a in args):
            continue
        if set(kwargs) - {"autoescape"} or len(args) > 2:
            continue
        if fname in ("timesince", "timeuntil") and len(args) < 2:  # needs the clock
            continue
        autoescape = kwargs.get("autoescape", True)
        key = json.dumps([fname, tag(list(args)), autoescape])
        if key in seen:
            continue
        seen.add(key)
        value = args[0]
        if len(args) == 2:
            case = run(fname, value, args[1], True, autoescape)
        else:
            case = run(fname, value, autoescape=autoescape)
        if len(json.dumps(case)) > 5000:  # the denial-of-service inputs
            continue
        case["source"] = "django-tests"
        cases.append(case)
        harvested += 1
    print(f"{harvested} cases from Django's tests")

# USE_TZ: aware values shown in the current zone (+03), naive ones as is.
TZ_VALUES = [
    datetime.datetime(2026, 11, 26, 13, 45, tzinfo=UTC2),
    datetime.datetime(2026, 11, 26, 23, 45, tzinfo=datetime.timezone.utc),
    datetime.datetime(2026, 11, 26, 13, 45),
    datetime.date(2026, 11, 26),
]
add("date", TZ_VALUES, [S("Y-m-d H:i e T O Z I U r"), S("DATETIME_FORMAT")], host="tz")
add("time", TZ_VALUES, [S("H:i e T O Z")], host="tz")
add("localtime", TZ_VALUES[:3], host="tz")
add("utc", TZ_VALUES[:3], host="tz")
add("timezone", TZ_VALUES[:3], [S("UTC")], host="tz")
add(
    "date",
    [
        datetime.datetime(2026, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
        datetime.datetime(2026, 1, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    ],
    [S("e T O Z I U r c")],
)


def harvest_dateformat(tests_dir: str) -> list[tuple[str, Any, str]]:
    """Run Django's tests/utils_tests/test_dateformat.py recording each
    (function, value, format) it formats."""
    import importlib
    import io
    import unittest

    from django.utils import dateformat

    sys.path.insert(0, tests_dir)
    calls: list[tuple[str, Any, str]] = []
    orig_format, orig_time = dateformat.format, dateformat.time_format

    def rec_format(value: Any, fmt: str) -> str:
        calls.append(("date", value, fmt))
        return orig_format(value, fmt)

    def rec_time(value: Any, fmt: str) -> str:
        calls.append(("time", value, fmt))
        return orig_time(value, fmt)

    mod = importlib.import_module("utils_tests.test_dateformat")
    dateformat.format, dateformat.time_format = rec_format, rec_time
    mod.format = rec_format
    try:
        suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
        unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    finally:
        dateformat.format, dateformat.time_format = orig_format, orig_time
    return calls


if os.environ.get("DJANGO_TESTS"):
    seen_df = set()
    n_df = 0
    for fname, value, fmt in harvest_dateformat(os.environ["DJANGO_TESTS"]):
        if not isinstance(fmt, str) or not taggable(value):
            continue
        key = json.dumps([fname, tag(value), fmt])
        if key in seen_df:
            continue
        seen_df.add(key)
        case = run(fname, value, S(fmt), True)
        case["source"] = "django-tests"
        cases.append(case)
        n_df += 1
    print(f"{n_df} date format cases from Django's tests")


def harvest_utils(tests_dir: str) -> list[tuple[str, Any, Any, bool]]:
    """Run Django's tests/utils_tests/test_html.py and test_text.py, and
    record the inputs they give the helpers behind filters, as
    (filter, value, arg, has_arg)."""
    import importlib
    import io
    import unittest

    from django.utils import html as dj_html
    from django.utils import text as dj_text

    sys.path.insert(0, tests_dir)
    calls: list[tuple[str, Any, Any, bool]] = []

    def recorder(func: Any, fname: str, with_arg: int | None = None) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args:
                if with_arg is None:
                    calls.append((fname, args[0], None, False))
                elif len(args) > with_arg:
                    calls.append((fname, args[0], args[with_arg], True))
            return func(*args, **kwargs)

        return wrapper

    def truncator_recorder(method: Any, plain: str, html: str) -> Any:
        def wrapper(self: Any, num: Any, *args: Any, **kwargs: Any) -> Any:
            is_html = kwargs.get("html", len(args) > 1 and args[1])
            calls.append((html if is_html else plain, str(self), num, True))
            return method(self, num, *args, **kwargs)

        return wrapper

    patches = [
        (dj_html, "strip_tags", recorder(dj_html.strip_tags, "striptags")),
        (dj_html, "urlize", recorder(dj_html.urlize, "urlize")),
        (dj_html, "escapejs", recorder(dj_html.escapejs, "escapejs")),
        (dj_html, "linebreaks", recorder(dj_html.linebreaks, "linebreaks")),
        (dj_html, "escape", recorder(dj_html.escape, "force_escape")),
        (dj_text, "wrap", recorder(dj_text.wrap, "wordwrap", 1)),
        (dj_text, "slugify", recorder(dj_text.slugify, "slugify")),
        (dj_text, "phone2numeric", recorder(dj_text.phone2numeric, "phone2numeric")),
        (
            dj_text.Truncator,
            "chars",
            truncator_recorder(dj_text.Truncator.chars, "truncatechars", "truncatechars_html"),
        ),
        (
            dj_text.Truncator,
            "words",
            truncator_recorder(dj_text.Truncator.words, "truncatewords", "truncatewords_html"),
        ),
    ]
    originals = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    for module_name in ["utils_tests.test_html", "utils_tests.test_text"]:
        mod = importlib.import_module(module_name)
        for obj, name, wrapper in patches:
            setattr(obj, name, wrapper)
            if getattr(mod, name, None) is not None and obj is not dj_text.Truncator:
                setattr(mod, name, wrapper)
        try:
            suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
            unittest.TextTestRunner(stream=io.StringIO()).run(suite)
        finally:
            for obj, name, orig in originals:
                setattr(obj, name, orig)
    return calls


if os.environ.get("DJANGO_TESTS"):
    seen_u = set()
    n_u = 0
    for fname, value, arg, has_arg in harvest_utils(os.environ["DJANGO_TESTS"]):
        if not isinstance(value, str) or type(value).__name__ not in ("str", "SafeString"):
            continue
        if len(value) > 3000 or (has_arg and not taggable(arg)):
            continue
        key = json.dumps([fname, tag(value), tag(arg) if has_arg else None])
        if key in seen_u:
            continue
        seen_u.add(key)
        case = run(fname, value, arg, has_arg)
        if len(json.dumps(case)) > 5000:  # the denial-of-service inputs
            continue
        case["source"] = "django-tests"
        cases.append(case)
        n_u += 1
    print(f"{n_u} text/html cases from Django's utils tests")


def random_cases(seed: int) -> list[dict[str, Any]]:
    """Random inputs (fixed seed) mixing the characters the parsers,
    url finders and number formats care about."""
    import random

    rng = random.Random(seed)
    fcases: list[dict[str, Any]] = []
    alphabet = list("ab cd.:/@&;<>\"'()[]!,?=#%-_\n\t0123456789xyzWWWhttpcom") + [
        "&amp;",
        "&lt;",
        "http://",
        "www.",
        ".com",
        ".org",
        "<b>",
        "</b>",
        "<p>",
        "</p>",
        "<br/>",
        "<!--",
        "-->",
        "é",
        "ü",
        "&#39;",
        "&#x41;",
        "  ",
        "mailto:",
        "@x.com",
        "<script>",
        "</script>",
        "<a href='x'>",
        "</a>",
        "\u00a0",
        "…",
    ]

    def rstr():
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))

    filters1 = [
        "striptags",
        "urlize",
        "linebreaks",
        "linebreaksbr",
        "title",
        "capfirst",
        "slugify",
        "escapejs",
        "iriencode",
        "urlencode",
        "wordcount",
        "addslashes",
        "make_list",
        "upper",
        "phone2numeric",
        "linenumbers",
        "force_escape",
    ]
    for _ in range(600):
        f = rng.choice(filters1)
        v = rstr()
        if rng.random() < 0.2:
            v = S(v)
        fcases.append(run(f, v, autoescape=rng.random() < 0.7))
    for _ in range(400):
        f = rng.choice(
            [
                "truncatechars_html",
                "truncatewords_html",
                "truncatechars",
                "truncatewords",
                "urlizetrunc",
                "wordwrap",
                "center",
                "cut",
                "slice",
            ]
        )
        v = rstr()
        if f == "slice":
            a = S(
                rng.choice(["", "-"])
                + str(rng.randint(0, 5))
                + ":"
                + rng.choice(["", "-"])
                + str(rng.randint(0, 5))
                + rng.choice(["", ":2", ":-1"])
            )
        elif f == "cut":
            a = S(rng.choice(["a", " ", "<", "&", ";"]))
        else:
            a = rng.randint(1, 12)
        fcases.append(run(f, v, a, True, autoescape=rng.random() < 0.7))
    for _ in range(400):
        f = rng.choice(
            ["floatformat", "stringformat", "filesizeformat", "add", "get_digit", "pluralize", "divisibleby"]
        )
        v = rng.choice(
            [
                rng.randint(-(10**7), 10**7),
                round(rng.uniform(-1e6, 1e6), rng.randint(0, 6)),
                Decimal(str(round(rng.uniform(-1e4, 1e4), rng.randint(0, 8)))),
                str(rng.randint(-999, 999)),
                rng.uniform(-1, 1) * 10 ** rng.randint(-8, 20),
            ]
        )
        if f == "floatformat":
            a = S(rng.choice(["", "-"]) + str(rng.randint(0, 6)) + rng.choice(["", "g", "u"]))
        elif f == "stringformat":
            a = S(
                rng.choice(["", "-", "0", "+", " ", "#"])
                + rng.choice(["", "8", "12"])
                + rng.choice(["", ".0", ".3", ".10"])
                + rng.choice("sdifeEgGxXor")
            )
        elif f in ("add", "get_digit", "divisibleby"):
            a = rng.choice([rng.randint(-3, 9), S(str(rng.randint(1, 9)))])
        else:
            a = S(rng.choice(["s", "y,ies", "es"]))
        fcases.append(
            run(
                f,
                v,
                a,
                f != "filesizeformat",
                host=rng.choice(["default", "grouping"] + ([] if f == "filesizeformat" else ["de"])),
            )
        )
    for _ in range(400):
        d = datetime.datetime(
            rng.randint(1900, 2100),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.choice([0, 0, 5, 30, 59]),
            rng.randint(0, 59),
            rng.choice([0, 123456]),
        )
        if rng.random() < 0.3:
            d = d.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=rng.randint(-700, 700))))
        if rng.random() < 0.2:
            d = d.date()
        f = rng.choice(["date", "time", "timesince", "timeuntil"])
        if f in ("date", "time"):
            a = S("".join(rng.choice(FORMAT_CHARS + " :-\\/") for _ in range(rng.randint(1, 6))))
        else:
            a = datetime.datetime(
                rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
            )
            if isinstance(d, datetime.datetime) and d.tzinfo and rng.random() < 0.8:
                a = a.replace(tzinfo=datetime.timezone.utc)
        fcases.append(run(f, d, a, True, host=rng.choice(["default", "tz"])))
    return fcases


for case in random_cases(1):
    case["source"] = "random"
    cases.append(case)


# How plain values render ({{ v }}): localisation of numbers and dates.
def display_case(value: Any, host: str = "default") -> dict[str, Any]:
    """``{{ v }}`` with no filter."""
    overrides: dict[str, Any] = {"USE_THOUSAND_SEPARATOR": True} if host == "grouping" else {}
    if host == "tz":
        overrides.update(USE_TZ=True, TIME_ZONE="Etc/GMT-3")
    from django.test.utils import override_settings

    with override_settings(**overrides), translation.override("de" if host == "de" else "en-us"):
        try:
            rendered = ENGINE.from_string("{{ v }}").render(Context({"v": value}))
        except Exception as exc:  # noqa: BLE001
            return {"filter": None, "value": tag(value), "host": host, "autoescape": True, "error": type(exc).__name__}
    return {
        "filter": None,
        "value": tag(value),
        "host": host,
        "autoescape": True,
        "kind": "display",
        "expected": rendered,
    }


for v in NUMBERS + DATES + STRINGS[:5] + [[1, "a"], {"a": S("<b>")}]:
    cases.append(display_case(v))
for v in TZ_VALUES + [datetime.time(5, 6)]:
    cases.append(display_case(v, "tz"))
for v in [1234567, -1234567.891, Decimal("1234567.891"), 1e16, 0.5, 12]:
    cases.append(display_case(v, "grouping"))
    cases.append(display_case(v, "de"))

FORMAT_NAMES = [
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "FIRST_DAY_OF_WEEK",
    "DECIMAL_SEPARATOR",
    "THOUSAND_SEPARATOR",
    "NUMBER_GROUPING",
]


def host_formats(lang: str, grouping: bool) -> dict[str, str]:
    """The formats a test host must answer, as Django gives them."""
    from django.utils.formats import get_format

    with translation.override(lang):
        formats = {name: str(get_format(name)) for name in FORMAT_NAMES}
    formats["USE_THOUSAND_SEPARATOR"] = str(grouping)
    return formats


hosts = {
    "default": host_formats("en-us", False),
    "grouping": host_formats("en-us", True),
    "de": host_formats("de", False),
    # USE_TZ with TIME_ZONE="Etc/GMT-3": the current and default zone is
    # a fixed UTC+3 named "+03".
    "tz": {**host_formats("en-us", False), "use_tz": True, "zone": [10800, "+03"]},
}


def filter_flags() -> dict[str, dict[str, Any]]:
    """Each built-in filter's registration flags and arity, from Django."""
    import inspect

    from django.template.library import import_library

    flags = {}
    for lib in [
        "django.template.defaultfilters",
        "django.templatetags.tz",
        "django.templatetags.l10n",
        "django.templatetags.i18n",
    ]:
        for name, func in import_library(lib).filters.items():
            params = [p for p in inspect.signature(inspect.unwrap(func)).parameters.values() if p.name != "autoescape"]
            if len(params) == 1:
                arity = "none"
            elif params[1].default is inspect.Parameter.empty:
                arity = "required"
            else:
                arity = "optional"
            flags[name] = {
                "library": lib.rsplit(".", 1)[1],
                "is_safe": bool(getattr(func, "is_safe", False)),
                "needs_autoescape": bool(getattr(func, "needs_autoescape", False)),
                "expects_localtime": bool(getattr(func, "expects_localtime", False)),
                "arity": arity,
            }
    return flags


out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("filter_cases.json"))
doc = {"django": django.get_version(), "hosts": hosts, "filters": filter_flags(), "cases": cases}
out.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
print(f"{len(cases)} cases written to {out}")
