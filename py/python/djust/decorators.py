"""``@event_handler``: the allowlist of methods a browser may call.

A LiveView method is callable from the client only when it carries this mark;
everything else (``mount``, helpers, Django's own methods) is unreachable from
the wire, whatever name a client sends.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "_djust_event_handler"


def event_handler(func: F | None = None, *, name: str | None = None) -> Any:
    """Mark a LiveView method as an event the client may send.

    ``@event_handler`` uses the method name as the event name;
    ``@event_handler(name="save-draft")`` publishes it under another name.
    Arguments are coerced from the method's type hints (see ``djust.coerce``).
    """

    def mark(f: F) -> F:
        setattr(f, _MARK, name or f.__name__)
        return f

    if func is not None:
        return mark(func)
    return mark


@lru_cache(maxsize=1024)
def handler_names(cls: type) -> dict[str, str]:
    """Map each published event name of ``cls`` to its method name (MRO-aware; cached per class)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            event = getattr(value, _MARK, None)
            if isinstance(event, str):
                found[event] = attr
    return found
