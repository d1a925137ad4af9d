"""Record every SQL statement with its timing and origins.

A :class:`Recorder` installs a ``connection.execute_wrapper`` on each database
connection of the current thread, so it sees exactly what Django sends (after
the ORM, before the driver), including statements run by template rendering.
"""

from __future__ import annotations

import datetime
import decimal
import sys
import uuid
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from django.db import connections

from djust.audit.origin import PythonOrigin, TemplateOrigin, find_origins, recording_scope


@dataclass(frozen=True)
class Statement:
    """One executed statement.

    ``params`` is a JSON-safe copy of the parameters; ``params_key`` compares
    parameter sets exactly (it is the ``repr`` of the values Django passed).
    """

    sql: str
    params: Any
    params_key: str
    vendor: str
    alias: str = "default"
    duration: float = 0.0
    many: bool = False
    template: TemplateOrigin | None = None
    python: PythonOrigin | None = None


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps`` accepts, readable in a report."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, datetime.timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    return repr(value)


class Recorder:
    """A context manager that records statements on the given databases.

    ``using`` is a list of aliases (default: every configured database)::

        with Recorder() as rec:
            client.get("/posts/")
        rec.statements  # [Statement, ...]
    """

    def __init__(self, using: Iterable[str] | None = None) -> None:
        self.using = list(using) if using is not None else list(connections)
        self.statements: list[Statement] = []
        self._stack: ExitStack | None = None

    def __enter__(self) -> Recorder:
        stack = ExitStack()
        stack.enter_context(recording_scope())
        for alias in self.using:
            stack.enter_context(connections[alias].execute_wrapper(self._wrapper(alias)))
        self._stack = stack
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.statements.clear()

    def _wrapper(self, alias: str):  # noqa: ANN202 - Django's wrapper signature
        def record(execute, sql, params, many, context):  # noqa: ANN001, ANN202
            # Origins are read before executing: the stack is the caller's.
            template, python = find_origins(sys._getframe(1))
            start = perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.statements.append(
                    Statement(
                        sql=sql,
                        params=json_safe(params),
                        params_key=repr(params),
                        vendor=context["connection"].vendor,
                        alias=alias,
                        duration=perf_counter() - start,
                        many=many,
                        template=template,
                        python=python,
                    )
                )

        return record
