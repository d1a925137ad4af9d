"""Translations, formats and time zones reach the Rust engine through DjangoHost: same output as Django."""

import datetime
import decimal

import pytest
from _template_settings import configure

configure()

from django.template.backends.django import DjangoTemplates  # noqa: E402
from django.utils import translation  # noqa: E402

from djust.template.backends import DjustTemplates  # noqa: E402

PARAMS = {"NAME": "x", "DIRS": [], "APP_DIRS": True, "OPTIONS": {}}
DJANGO = DjangoTemplates(dict(PARAMS))
DJUST = DjustTemplates(dict(PARAMS))
CONTEXT = {
    "n": 1234.5,
    "dec": decimal.Decimal("1234.50"),
    "d": datetime.date(2026, 11, 26),
    "dt": datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.timezone.utc),
    "i": 1234567,
}
SOURCES = [
    "{% load i18n %}{% language 'de' %}{{ n }} {{ dec }} {{ d }} {{ dt }}{% endlanguage %} {{ n }}",
    "{% load tz %}{% timezone 'Europe/Paris' %}{{ dt }}{% endtimezone %} {{ dt|timezone:'Asia/Tokyo' }}",
    "{% load l10n %}{{ n|unlocalize }} {% localize off %}{{ dec }}{% endlocalize %} {{ dec }}",
    "{% load i18n %}{% translate 'Yes' %}"
    " {% blocktranslate count c=i %}one{% plural %}{{ c }} many{% endblocktranslate %}",
    "{{ i|floatformat:'2g' }} {{ d|date:'l jS F Y' }} {{ dt|time:'H:i e' }} {{ d|date }}",
    "{% load i18n %}{% get_current_language as l %}{{ l }} {% get_current_language_bidi as b %}{{ b }}",
    "{% load static %}{% static 'a.css' %} {% get_static_prefix %}",
]


@pytest.mark.parametrize("language", ["en", "fr", "de", "ar"])
@pytest.mark.parametrize("source", SOURCES)
def test_same_as_django(language, source):
    with translation.override(language):
        assert DJUST.from_string(source).render(CONTEXT) == DJANGO.from_string(source).render(CONTEXT)
