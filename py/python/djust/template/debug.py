"""Django's ``template_debug`` for errors raised by the Rust engine.

The engine reports a template name and a byte span; Django's technical 500
page wants the dict ``Template.get_exception_info`` builds (character
offsets, surrounding lines). Same algorithm, same keys.
"""

from __future__ import annotations

from typing import Any

from django.template.base import linebreak_iter
from django.utils.html import escape


def char_offset(source: str, byte_offset: int) -> int:
    return len(source.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def exception_info(exception: BaseException, source: str, name: str, start: int, end: int) -> dict[str, Any]:
    """Django's ``Template.get_exception_info`` for a character span of ``source``."""
    context_lines = 10
    line = 0
    upto = 0
    source_lines = []
    before = during = after = ""
    for num, next_ in enumerate(linebreak_iter(source)):
        if start >= upto and end <= next_:
            line = num
            before = escape(source[upto:start])
            during = escape(source[start:end])
            after = escape(source[end:next_])
        source_lines.append((num, escape(source[upto:next_])))
        upto = next_
    total = len(source_lines)
    top = max(1, line - context_lines)
    bottom = min(total, line + 1 + context_lines)
    try:
        message = str(exception.args[0])
    except (IndexError, UnicodeDecodeError):
        message = "(Could not get exception message)"
    return {
        "message": message,
        "source_lines": source_lines[top:bottom],
        "before": before,
        "during": during,
        "after": after,
        "top": top,
        "bottom": bottom,
        "total": total,
        "line": line,
        "name": name,
        "start": start,
        "end": end,
    }


def attach_debug(exception: BaseException, source: str | None, name: str | None) -> None:
    """Set ``exception.template_debug`` from the ``djust_span`` the engine attached."""
    span = getattr(exception, "djust_span", None)
    if span is None or source is None or hasattr(exception, "template_debug"):
        return
    start, end = (char_offset(source, b) for b in span)
    exception.template_debug = exception_info(exception, source, name or "<unknown source>", start, end)
