"""The lazy Python-object adapter: Django's `Variable._resolve_lookup` rules, conversions."""

import datetime
import decimal
import enum
import zoneinfo

import pytest
from _template_settings import configure

configure()

from django.utils.safestring import SafeString, mark_safe  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from djust import _native  # noqa: E402

MISSING = object()


def resolve(context, path):
    return _native.resolve_variable(context, path, MISSING)


class Plain:
    title = "Dune"

    def __init__(self):
        self.touched = []

    def method(self):
        return "called"

    def needs_arg(self, x):
        return x

    def raises_type_error(self):
        raise TypeError("inside the method")

    def delete(self):
        self.touched.append("delete")

    delete.alters_data = True

    @property
    def broken(self):
        raise AttributeError("a bug inside a property")

    @property
    def boom(self):
        raise RuntimeError("boom")


class SilentError(Exception):
    silent_variable_failure = True


class Silent:
    @property
    def value(self):
        raise SilentError


class Callable:
    do_not_call_in_templates = True

    def __call__(self):
        raise AssertionError("must not be called")

    label = "kept"


class Status(enum.IntEnum):
    DRAFT = 1

    @property
    def label(self):
        return "Draft"


def test_dict_key_then_attribute_then_index():
    ctx = {"d": {"a": 1, "items": "key wins"}, "e": {"x": 1}, "l": [10, 20, 30], "t": ("a", "b")}
    assert resolve(ctx, "d.a") == 1
    assert resolve(ctx, "d.items") == "key wins"
    # No such key: the dict method is read and called.
    assert sorted(resolve(ctx, "e.items")) == [("x", 1)]
    assert resolve(ctx, "l.1") == 20
    assert resolve(ctx, "t.0") == "a"
    assert resolve(ctx, "l.5") is MISSING
    assert resolve(ctx, "l.nope") is MISSING
    assert resolve(ctx, "missing") is MISSING
    # A dict with integer keys answers `d.1` through the int() fallback.
    assert resolve({"d": {1: "one"}}, "d.1") == "one"


def test_context_answers_keys_not_dict_attributes():
    assert resolve({}, "items") is MISSING
    assert resolve({"f": lambda: "called"}, "f") == "called"


def test_callables_follow_django():
    obj = Plain()
    ctx = {"o": obj, "c": Callable()}
    assert resolve(ctx, "o.title") == "Dune"
    assert resolve(ctx, "o.method") == "called"
    assert resolve(ctx, "o.needs_arg") is MISSING
    assert resolve(ctx, "o.delete") is MISSING
    assert obj.touched == []
    with pytest.raises(TypeError, match="inside the method"):
        resolve(ctx, "o.raises_type_error")
    # do_not_call_in_templates: the object itself, then its attributes.
    assert isinstance(resolve(ctx, "c"), Callable)
    assert resolve(ctx, "c.label") == "kept"


def test_exceptions_propagate_unchanged_unless_silent():
    ctx = {"o": Plain(), "s": Silent()}
    with pytest.raises(RuntimeError, match="boom") as info:
        resolve(ctx, "o.boom")
    assert type(info.value) is RuntimeError
    # An AttributeError from inside a property is a real error (it is in dir()).
    with pytest.raises(AttributeError, match="a bug inside a property"):
        resolve(ctx, "o.broken")
    assert resolve(ctx, "s.value") is MISSING


def test_underscore_names_are_refused():
    ctx = {"o": Plain(), "d": {"_secret": 1}}
    assert resolve(ctx, "o.__class__") is MISSING
    assert resolve(ctx, "d._secret") is MISSING


def test_unused_attributes_are_never_touched():
    class Trap:
        name = "ok"

        @property
        def trap(self):
            raise AssertionError("read eagerly")

    assert resolve({"t": Trap()}, "t.name") == "ok"


def test_scalars_cross_by_value():
    rt = _native.value_roundtrip
    assert rt("x") == "x" and type(rt("x")) is str
    assert type(rt(mark_safe("<b>"))) is SafeString
    assert rt(True) is True
    assert rt(2**70) == 2**70
    assert rt(1.5) == 1.5
    assert rt(decimal.Decimal("1.50")) == decimal.Decimal("1.50")
    assert str(rt(decimal.Decimal("1.50"))) == "1.50"
    assert rt(None) is None
    assert rt(datetime.date(2026, 11, 26)) == datetime.date(2026, 11, 26)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    aware = datetime.datetime(2026, 7, 1, 9, 30, 5, 12, tzinfo=paris)
    back = rt(aware)
    assert back == aware and back.utcoffset() == aware.utcoffset()
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    assert rt(fixed) == fixed
    assert rt(datetime.time(9, 5)) == datetime.time(9, 5)


def test_lazy_translations_and_html_objects():
    assert rt_type(gettext_lazy("Hello")) is str
    assert _native.value_roundtrip(gettext_lazy("Hello")) == "Hello"
    assert type(_native.value_roundtrip(mark_safe(gettext_lazy("<b>")))) is SafeString

    class Html(str):
        def __html__(self):
            return "<i>safe</i>"

    assert _native.value_roundtrip(Html("x")) == "<i>safe</i>"


def rt_type(obj):
    return type(_native.value_roundtrip(obj))


def test_objects_cross_by_reference():
    obj = Plain()
    assert _native.value_roundtrip(obj) is obj
    data = {"a": [1]}
    assert _native.value_roundtrip(data) is data


def test_choices_members_keep_their_attributes():
    assert resolve({"s": Status.DRAFT}, "s.label") == "Draft"
    assert resolve({"s": Status.DRAFT}, "s") is Status.DRAFT
