"""Django's ``template_debug`` for errors raised by the Rust engine.

The engine reports a template name and a byte span; Django's technical 500
page wants the dict ``Template.get_exception_info`` builds (character
offsets, surrounding lines). Same algorithm, same keys.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pprint import pformat
from typing import Any

from django.conf import settings
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


#: The names every Django ``Context`` starts with (its bottom layer).
CONTEXT_BUILTINS = {"True": True, "False": False, "None": None}


def debug_output(root: Any, scoped: dict[str, Any]) -> str:
    """``{% debug %}``'s text (unescaped), as Django's ``DebugNode`` prints it.

    Django pretty-prints each context layer, innermost first, then
    ``sys.modules``; nothing unless ``settings.DEBUG``. djust's context has
    two layers: the template's own names (``for``, ``with``) over the dict the
    render was given.
    """
    if not settings.DEBUG:
        return ""
    base = {}
    if isinstance(root, Mapping):
        # A flattened Django Context carries the builtins: print them last, as Django does.
        base = {k: v for k, v in root.items() if not (k in CONTEXT_BUILTINS and v is CONTEXT_BUILTINS[k])}
    layers = ([scoped] if scoped else []) + [base, CONTEXT_BUILTINS]
    return "".join(pformat(layer) for layer in layers) + "\n\n" + pformat(sys.modules)
