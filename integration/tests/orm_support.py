"""Helpers for the ORM planner suites: statement capture and column checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection

_COLUMN = re.compile(r'"(\w+)"\."(\w+)"')
_ALIAS = re.compile(r'"(\w+)" (?:AS )?"?(T\d+)"?')


@contextmanager
def capture() -> Iterator[list[str]]:
    """Every SQL statement run on the default connection inside the block."""
    statements: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


def _select_list(sql: str) -> str:
    """The text between the first SELECT and its top-level FROM."""
    depth = 0
    upper = sql.upper()
    start = upper.index("SELECT") + len("SELECT")
    i = start
    while i < len(sql):
        ch = sql[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" FROM ", i):
            return sql[start:i]
        i += 1
    return sql[start:]


def selected_columns(sql: str) -> set[tuple[str, str]]:
    """``(table, column)`` pairs a SELECT loads (join aliases resolved)."""
    aliases = {alias: table for table, alias in _ALIAS.findall(sql)}
    return {(aliases.get(t, t), c) for t, c in _COLUMN.findall(_select_list(sql))}


def key_columns() -> set[tuple[str, str]]:
    """Primary keys, foreign keys and M2M through columns of the library app."""
    keys: set[tuple[str, str]] = set()
    for model in apps.get_app_config("library").get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.primary_key or field.is_relation or model._meta.auto_created:
                keys.add((model._meta.db_table, field.column))
    return keys


def read_columns(reads: dict[str, set[str]]) -> set[tuple[str, str]]:
    """``{"Book": {"title"}}`` → ``{("library_book", "title")}``."""
    out = set()
    for model_name, fields in reads.items():
        model = apps.get_model("library", model_name)
        for name in fields:
            out.add((model._meta.db_table, model._meta.get_field(name).column))
    return out
