"""DjangoHost: the engine's host services answered by Django."""

import datetime
import zoneinfo

import pytest
from _template_settings import configure

configure()

from django.test import override_settings  # noqa: E402
from django.urls import NoReverseMatch, path  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from djust import _native  # noqa: E402

call = _native.host_call


def view(request):  # pragma: no cover - never requested
    raise AssertionError


urlpatterns = [path("books/<int:pk>/", view, name="book"), path("about/", view, name="about")]


def test_translation_functions_use_the_active_language():
    with translation.override("fr"):
        assert call("language") == "fr"
        assert call("gettext", "Yes") == "Oui"
        assert call("ngettext", "%(num)d year", "%(num)d years", 2) != ""
        assert call("pgettext", "abbrev. month", "March") == "mars"
    with translation.override("ar"):
        assert call("language_bidi") is True
    assert call("language") == "en-us"
    assert call("gettext", "no such message") == "no such message"
    assert call("ngettext", "one", "many", 1) == "one"
    assert call("npgettext", "ctx", "one", "many", 3) == "many"


def test_formats_follow_language_and_settings():
    assert call("format", "DATE_FORMAT") == "N j, Y"
    assert call("format", "NO_SUCH_FORMAT") is None
    with translation.override("de"):
        assert call("format", "DECIMAL_SEPARATOR") == ","
        assert call("format", "DATE_FORMAT") == "j. F Y"
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert call("format", "USE_THOUSAND_SEPARATOR") == "True"
    assert call("format", "USE_THOUSAND_SEPARATOR") == "False"
    assert call("format", "NUMBER_GROUPING") == "3"


def test_time_zones():
    assert call("use_tz") is True
    with override_settings(USE_TZ=False):
        assert call("use_tz") is False
        assert call("now").tzinfo is None
    utc = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone.utc)
    paris = call("localtime", utc, "Europe/Paris")
    assert paris.hour == 14 and paris.utcoffset() == datetime.timedelta(hours=2)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        local = call("localtime", utc)
        assert local.hour == 8
        assert call("now").utcoffset() == datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York")).utcoffset()
    naive = datetime.datetime(2026, 7, 1, 12, 0)
    assert call("localtime", naive, "Europe/Paris") == naive


@override_settings(ROOT_URLCONF=__name__)
def test_reverse_and_static():
    assert call("reverse", "book", [], {"pk": 3}) == "/books/3/"
    assert call("reverse", "book", [4]) == "/books/4/"
    assert call("reverse", "about") == "/about/"
    with pytest.raises(NoReverseMatch):
        call("reverse", "nope")
    assert call("static_url", "css/app.css") == "/static/css/app.css"
