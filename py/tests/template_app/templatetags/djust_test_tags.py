"""Tags and filters for djust's backend tests (registered the usual Django way)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(is_safe=True)
def wrap_stars(value):
    return f"*{value}*"


@register.filter(needs_autoescape=True)
def bold(value, autoescape=True):
    esc = conditional_escape if autoescape else (lambda x: x)
    return mark_safe(f"<b>{esc(value)}</b>")


@register.filter
def times(value, arg):
    return value * arg


@register.simple_tag
def greet(name, greeting="Hello"):
    return f"{greeting}, {name}!"


@register.simple_tag(takes_context=True)
def who(context):
    return context["user_name"]


@register.simple_tag
def raw_html():
    return "<i>x</i>"


@register.inclusion_tag("djust_tests/list.html")
def show_list(*items):
    return {"items": items}


class LegacyNode(template.Node):
    def render(self, context):
        return "legacy:" + str(context.get("name", ""))


@register.tag
def legacy_node(parser, token):
    return LegacyNode()


@register.filter(expects_localtime=True)
def hour_of(value):
    return value.hour


@register.simple_tag
def number():
    return 1234.5
