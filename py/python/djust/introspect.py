"""What model properties and methods read, from their Python source.

A template may print ``{{ book.display_title }}`` where ``display_title`` is a
property reading ``self.author.name``. The planner must know that to fetch
the author, so each project-defined property, ``cached_property`` and
argument-less method is parsed with :mod:`ast` and its ``self.<path>`` reads
are recorded. When the source cannot be analysed (no source, ``self`` passed
around, ``getattr``, its own query), the result says why and the planner is
conservative for that model.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cached_property, partialmethod
from typing import Any, TypedDict

#: Calls on a related manager that run a new query whatever was prefetched.
QUERY_METHODS = frozenset(
    {"filter", "exclude", "order_by", "get", "aggregate", "annotate", "values", "values_list", "latest", "earliest"}
)
#: Segment meaning "every element of this collection".
EACH = "[]"
#: Segment meaning "read in ways that cannot be followed" (planner loads every column).
ANY = "*"


class AttributeInfo(TypedDict):
    """One analysed attribute, as it crosses to the planner."""

    kind: str
    reads: list[list[str]] | None
    reason: str | None


class Unanalysable(Exception):
    """The source reads ``self`` in a way the planner cannot follow."""


def _chain(node: ast.AST) -> list[str] | None:
    """``self.a.b`` → ``["a", "b"]``; None when not rooted at ``self``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "self":
        return list(reversed(parts))
    return None


class _Reads(ast.NodeVisitor):
    def __init__(self) -> None:
        self.reads: list[list[str]] = []
        #: ``self.<rel>.filter(...)``-style calls: queries of their own.
        self.own_queries: list[str] = []

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            path = _chain(func.value)
            if path is not None:
                method = func.attr
                if method in QUERY_METHODS and path:
                    # A new query from the related manager: it starts from the prefetched
                    # queryset when there is one, so those rows must be loaded whole.
                    self.own_queries.append(f"self.{'.'.join(path)}.{method}()")
                    self.reads.append([*path, "all", EACH, ANY])
                elif method == "all":
                    self.reads.append([*path, "all", EACH, ANY])
                elif method in {"count", "exists"}:
                    self.reads.append([*path, method])
                else:
                    self.reads.append([*path, method])
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    self.visit(arg)
                return
        if isinstance(func, ast.Name) and func.id in {"getattr", "setattr", "vars", "hasattr"}:
            if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self":
                raise Unanalysable(f"calls {func.id}(self, ...)")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = _chain(node)
        if path is not None:
            self.reads.append(path)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "self":
            raise Unanalysable("uses self other than by attribute access")


def _function_reads(func: Any) -> tuple[list[list[str]], str | None]:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError) as exc:
        raise Unanalysable(f"no source: {exc}") from None
    tree = ast.parse(textwrap.dedent(source))
    defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defs:
        raise Unanalysable("no function definition in its source")
    visitor = _Reads()
    for stmt in defs[0].body:
        visitor.visit(stmt)
    unique: list[list[str]] = []
    for read in visitor.reads:
        if read and read not in unique:
            unique.append(read)
    reason = f"runs its own query ({', '.join(visitor.own_queries)})" if visitor.own_queries else None
    return unique, reason


def _analyse(kind: str, func: Any) -> AttributeInfo:
    try:
        reads, reason = _function_reads(func)
        return {"kind": kind, "reads": reads, "reason": reason}
    except (Unanalysable, SyntaxError) as exc:
        return {"kind": kind, "reads": None, "reason": str(exc)}


def _takes_no_arguments(func: Any) -> bool:
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in params[1:]
        if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return not required


def analyse_model(model: type) -> dict[str, AttributeInfo]:
    """Every property and template-callable method the project defined on ``model``."""
    out: dict[str, AttributeInfo] = {}
    for klass in reversed(inspect.getmro(model)):
        module = getattr(klass, "__module__", "") or ""
        if klass is object or module.startswith("django."):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name != "__str__":
                continue
            if isinstance(value, property) and value.fget is not None:
                out[name] = _analyse("property", value.fget)
            elif isinstance(value, cached_property):
                out[name] = _analyse("cached_property", value.func)
            elif isinstance(value, partialmethod):
                field = value.keywords.get("field")
                if name.startswith("get_") and name.endswith("_display") and field is not None:
                    out[name] = {"kind": "display", "reads": [[field.name]], "reason": None}
            elif inspect.isfunction(value) and _takes_no_arguments(value):
                out[name] = _analyse("method", value)
    # Django adds get_FOO_display to the model class itself (module of the model).
    for name, value in vars(model).items():
        if isinstance(value, partialmethod) and name not in out:
            field = value.keywords.get("field")
            if field is not None:
                out[name] = {"kind": "display", "reads": [[field.name]], "reason": None}
    return out
