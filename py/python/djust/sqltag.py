"""Tag SQL with the request that ran it, for djust's wire watcher.

The watcher (``djust-wire``, see docs/wire-watcher.md) counts statements per
request when their SQL carries a comment ``/* djust_request=<id> */``. The
format is defined once, in ``planner/src/wire/tag.rs``; this module mirrors
it, and both are tested against ``planner/tests/fixtures/sqltag.json``.

The id is escaped so the comment is safe wherever the SQL goes: ASCII
letters, digits, ``.``, ``_`` and ``-`` stay; every other byte of its UTF-8
encoding becomes ``~XX`` (upper-case hex). The escaped id therefore never
contains ``*/``, quotes, whitespace, nor ``%``, ``?``, ``:`` or ``$``, which
database drivers would read as placeholders: tagged SQL can still be passed
to ``cursor.execute(sql, params)``.

>>> tag_sql("SELECT 1", "GET /books/")
'SELECT 1 /* djust_request=GET~20~2Fbooks~2F */'
>>> parse_tag(tag_sql("SELECT 1", "GET /books/"))
('GET /books/', 'SELECT 1')

With Django, tag every statement of a block through an execute wrapper:

    with connection.execute_wrapper(request_tagger("req-42")):
        list(Book.objects.all())
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["TAG_PREFIX", "escape_request_id", "parse_tag", "request_tagger", "tag_sql", "unescape_request_id"]

TAG_PREFIX = "/* djust_request="
_TAG_SUFFIX = " */"
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_ESCAPED = re.compile(r"(?:[A-Za-z0-9._-]|~[0-9A-Fa-f]{2})*\Z")


def escape_request_id(request_id: str) -> str:
    """Escape a request id for a tag comment."""
    return "".join(chr(b) if b in _UNRESERVED else f"~{b:02X}" for b in request_id.encode("utf-8"))


def unescape_request_id(escaped: str) -> str | None:
    """Undo :func:`escape_request_id`; ``None`` if ``escaped`` is not a valid escaped id."""
    if not _ESCAPED.match(escaped):
        return None
    out = bytearray()
    i = 0
    while i < len(escaped):
        if escaped[i] == "~":
            out.append(int(escaped[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(ord(escaped[i]))
            i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def tag_sql(sql: str, request_id: str) -> str:
    """Append the tag comment for ``request_id`` to ``sql``."""
    return f"{sql} {TAG_PREFIX}{escape_request_id(request_id)}{_TAG_SUFFIX}"


def parse_tag(sql: str) -> tuple[str, str] | None:
    """The request id in ``sql``'s first tag comment and ``sql`` without it, or ``None``."""
    start = sql.find(TAG_PREFIX)
    if start < 0:
        return None
    value_start = start + len(TAG_PREFIX)
    end = sql.find("*/", value_start)
    if end < 0:
        return None
    request_id = unescape_request_id(sql[value_start:end].rstrip())
    if request_id is None:
        return None
    return request_id, sql[:start].rstrip() + sql[end + 2 :]


def request_tagger(request_id: str) -> Callable[..., Any]:
    """An execute wrapper (``connection.execute_wrapper``) tagging each statement with ``request_id``."""

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        return execute(tag_sql(sql, request_id), params, many, context)

    return wrapper
