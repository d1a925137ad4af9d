"""Filters that read model attributes the template cannot show the planner
(a filter receives the whole object): the "no surprise queries" cases."""

from django import template

register = template.Library()


@register.filter
def blurb(book: object) -> str:
    """The first words of a book's summary (a column the template never names)."""
    return str(book.summary)[:24]  # type: ignore[attr-defined]


@register.filter
def homeland(book: object) -> str:
    """The author's country (a relation the template never names)."""
    return str(book.author.country.name)  # type: ignore[attr-defined]
