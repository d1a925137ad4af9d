"""Grouping, N+1 and duplicate detection, and the text and JSON reports.

Definitions (per page, i.e. per request or per template render):

- statements are grouped by database alias, SQL fingerprint and the place
  that ran them (the template line, or the Python line outside templates);
- a group of at least ``threshold`` executions whose parameters differ is an
  **N+1**: the same query run once per row of something already loaded;
- the same SQL with the same parameters run more than once, outside an N+1
  group, is an **exact duplicate**, wherever it ran from (an N+1 over rows
  that share a foreign key repeats parameters too; that is reported once, as
  the N+1).

Bulk statements (``executemany``) and transaction control (``BEGIN``,
``SAVEPOINT``, ``RELEASE SAVEPOINT``, ``ROLLBACK``...: Django names each
savepoint anew, so two ``transaction.atomic`` blocks would look like an N+1)
are counted but never grouped.

JSON schema (``schema: "djust.audit/1"``; keys are only ever added)::

    {
      "schema": "djust.audit/1",
      "threshold": 2,
      "totals": {"pages": int, "queries": int, "time_ms": float,
                 "n_plus_one": int, "duplicates": int},
      "pages": [{
        "target": "/posts/" | "app/page.html", "kind": "url" | "template" | "block",
        "status": int | null, "error": str | null,
        "queries": int, "time_ms": float,
        "n_plus_one": [GROUP], "duplicates": [GROUP]
      }],
      "skipped": [{"route": str, "reason": str}],
      "failures": [str]              # limits exceeded (empty without limits)
    }
    GROUP = {
      "fingerprint": str, "alias": str, "count": int, "distinct_params": int,
      "time_ms": float, "example": {"sql": str, "params": any},
      "template_origin": {"template": str, "line": int, "file": str | null} | null,
      "template_origins": [{"template", "line", "file", "count"}],
      "python_origin": {"file": str, "line": int, "function": str} | null,
      "fix": str | null,              # the plan that removes it, as Python code
      "fix_target": {"template": str, "name": str} | null,  # what to optimize
      "optimize_removes": bool | null # verified by re-rendering; null: not checked
    }
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from djust.audit.fingerprint import fingerprint as native_fingerprint
from djust.audit.origin import PythonOrigin, TemplateOrigin
from djust.audit.recorder import Statement

SCHEMA = "djust.audit/1"
DEFAULT_THRESHOLD = 2

Fingerprinter = Callable[[str, str], str]

# Statements that manage the transaction rather than read or write rows.
_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START\s+TRANSACTION|END)\b", re.I)


@dataclass
class Group:
    """A repeated statement shape on one page."""

    kind: str  # "n_plus_one" or "duplicate"
    fingerprint: str
    alias: str
    count: int
    distinct_params: int
    time: float
    example: Statement
    template_origins: list[tuple[TemplateOrigin, int]]
    python_origins: list[tuple[PythonOrigin, int]]
    fix: str | None = None
    #: (template, context name) that ``djust.optimize`` plans to remove it.
    fix_target: tuple[str, str] | None = None
    optimize_removes: bool | None = None

    @property
    def template_origin(self) -> TemplateOrigin | None:
        """The template line that ran this group most often."""
        return self.template_origins[0][0] if self.template_origins else None

    @property
    def python_origin(self) -> PythonOrigin | None:
        """The user frame that ran this group most often."""
        return self.python_origins[0][0] if self.python_origins else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "alias": self.alias,
            "count": self.count,
            "distinct_params": self.distinct_params,
            "time_ms": _ms(self.time),
            "example": {"sql": self.example.sql, "params": self.example.params},
            "template_origin": _template_dict(self.template_origin),
            "template_origins": [{**_template_dict(o), "count": n} for o, n in self.template_origins],
            "python_origin": _python_dict(self.python_origin),
            "fix": self.fix,
            "fix_target": {"template": self.fix_target[0], "name": self.fix_target[1]} if self.fix_target else None,
            "optimize_removes": self.optimize_removes,
        }


@dataclass
class PageReport:
    """What one request (or one template render) ran."""

    target: str
    statements: list[Statement]
    n_plus_one: list[Group]
    duplicates: list[Group]
    kind: str = "url"
    status: int | None = None
    error: str | None = None

    @property
    def queries(self) -> int:
        return len(self.statements)

    @property
    def time(self) -> float:
        return sum(s.duration for s in self.statements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
            "queries": self.queries,
            "time_ms": _ms(self.time),
            "n_plus_one": [g.to_dict() for g in self.n_plus_one],
            "duplicates": [g.to_dict() for g in self.duplicates],
        }


@dataclass(frozen=True)
class Skipped:
    """A route the crawl could not request, and why."""

    route: str
    reason: str


@dataclass(frozen=True)
class Limits:
    """CI limits, per page; ``None`` means no limit."""

    max_queries: int | None = None
    max_n_plus_one: int | None = None


@dataclass
class AuditReport:
    """Every page of one audit run."""

    pages: list[PageReport]
    skipped: list[Skipped] = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD

    @property
    def queries(self) -> int:
        return sum(p.queries for p in self.pages)

    @property
    def time(self) -> float:
        return sum(p.time for p in self.pages)

    @property
    def n_plus_one(self) -> int:
        return sum(len(p.n_plus_one) for p in self.pages)

    @property
    def duplicates(self) -> int:
        return sum(len(p.duplicates) for p in self.pages)

    @property
    def errors(self) -> list[PageReport]:
        """Pages that raised or answered 5xx: the audit could not measure them."""
        return [p for p in self.pages if p.error is not None or (p.status or 0) >= 500]

    def failures(self, limits: Limits) -> list[str]:
        """One line per page and limit exceeded."""
        out = []
        for page in self.pages:
            if limits.max_queries is not None and page.queries > limits.max_queries:
                out.append(f"{page.target}: {page.queries} queries > --max-queries {limits.max_queries}")
            if limits.max_n_plus_one is not None and len(page.n_plus_one) > limits.max_n_plus_one:
                out.append(f"{page.target}: {len(page.n_plus_one)} N+1 > --max-n-plus-one {limits.max_n_plus_one}")
        return out

    def to_dict(self, limits: Limits | None = None) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "threshold": self.threshold,
            "totals": {
                "pages": len(self.pages),
                "queries": self.queries,
                "time_ms": _ms(self.time),
                "n_plus_one": self.n_plus_one,
                "duplicates": self.duplicates,
            },
            "pages": [p.to_dict() for p in self.pages],
            "skipped": [{"route": s.route, "reason": s.reason} for s in self.skipped],
            "failures": self.failures(limits) if limits else [],
        }

    def to_json(self, limits: Limits | None = None) -> str:
        return json.dumps(self.to_dict(limits), indent=2)

    def render_text(self, limits: Limits | None = None) -> str:
        return render_text(self, limits)


def analyse(
    statements: Sequence[Statement],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    fingerprint: Fingerprinter = native_fingerprint,
) -> tuple[list[Group], list[Group]]:
    """The N+1 groups and the exact duplicates among ``statements``.

    An N+1 group is one fingerprint run from one place: the template line
    (or, outside templates, the Python line). Two template lines that load
    the same table are two N+1s, because each has its own fix.
    """
    by_site: dict[tuple[str, str, Any], list[Statement]] = {}
    for st in statements:
        if not st.many and not _TRANSACTION_CONTROL.match(st.sql):
            site = st.template or st.python
            by_site.setdefault((st.alias, fingerprint(st.sql, st.vendor), site), []).append(st)

    n_plus_one: list[Group] = []
    rest: dict[tuple[str, str, str], list[Statement]] = {}
    for (alias, fp, _site), group in by_site.items():
        # Inlined literals differ in the SQL itself, so both count.
        distinct = len({(st.sql, st.params_key) for st in group})
        if len(group) >= threshold and distinct >= 2:
            n_plus_one.append(_group("n_plus_one", fp, alias, group, distinct))
            continue
        for st in group:
            rest.setdefault((alias, fp, st.sql + "\0" + st.params_key), []).append(st)

    duplicates = [_group("duplicate", fp, alias, same, 1) for (alias, fp, _key), same in rest.items() if len(same) >= 2]
    n_plus_one.sort(key=lambda g: -g.count)
    duplicates.sort(key=lambda g: -g.count)
    return n_plus_one, duplicates


def page_report(
    target: str,
    statements: Sequence[Statement],
    *,
    kind: str = "url",
    status: int | None = None,
    error: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    fingerprint: Fingerprinter = native_fingerprint,
) -> PageReport:
    """Analyse one page's statements."""
    n_plus_one, duplicates = analyse(statements, threshold=threshold, fingerprint=fingerprint)
    return PageReport(
        target=target,
        statements=list(statements),
        n_plus_one=n_plus_one,
        duplicates=duplicates,
        kind=kind,
        status=status,
        error=error,
    )


def _group(kind: str, fp: str, alias: str, group: list[Statement], distinct: int) -> Group:
    return Group(
        kind=kind,
        fingerprint=fp,
        alias=alias,
        count=len(group),
        distinct_params=distinct,
        time=sum(st.duration for st in group),
        example=group[0],
        template_origins=_most_common(st.template for st in group),
        python_origins=_most_common(st.python for st in group),
    )


def _most_common(origins: Iterable[Any]) -> list[tuple[Any, int]]:
    # Counter.most_common keeps first-seen order among equal counts.
    return Counter(o for o in origins if o is not None).most_common()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _template_dict(origin: TemplateOrigin | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"template": origin.name, "line": origin.line, "file": origin.file}


def _python_dict(origin: PythonOrigin | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"file": origin.file, "line": origin.line, "function": origin.function}


# --- text --------------------------------------------------------------------


def render_text(report: AuditReport, limits: Limits | None = None) -> str:
    """The readable report: a table of pages, then each problem with its fix."""
    lines: list[str] = []
    header = ("page", "status", "queries", "time ms", "N+1", "dup")
    rows = [
        (
            p.target,
            "-" if p.status is None else str(p.status),
            str(p.queries),
            f"{p.time * 1000:.1f}",
            str(len(p.n_plus_one)),
            str(len(p.duplicates)),
        )
        for p in report.pages
    ]
    total = (
        f"total ({len(report.pages)} pages)",
        "",
        str(report.queries),
        f"{report.time * 1000:.1f}",
        str(report.n_plus_one),
        str(report.duplicates),
    )
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines += [fmt(header), rule, *(fmt(r) for r in rows), rule, fmt(total)]

    for page in report.pages:
        if page.error:
            lines += ["", f"{page.target}: ERROR {page.error}"]
        if not page.n_plus_one and not page.duplicates:
            continue
        lines += ["", f"{page.target}"]
        for g in page.n_plus_one:
            lines += _group_lines(g, f"N+1: {g.count} queries, {g.distinct_params} different parameter sets")
        for g in page.duplicates:
            lines += _group_lines(g, f"duplicate: the same query {g.count} times")
        # Each plan once per page: one plan usually removes several N+1s.
        plans = {g.fix_target: g.fix for g in page.n_plus_one if g.fix_target is not None and g.fix}
        for (template, name), fix in plans.items():
            lines += ["", f"  plan for {name!r} in {template} (djust.optimize applies it):"]
            lines += [f"    {line}".rstrip() for line in fix.strip().splitlines()]

    if report.skipped:
        lines += ["", "Not requested (the route needs arguments: pass --url or set DJUST_AUDIT_URLS):"]
        lines += [f"  {s.route}" for s in report.skipped]

    if limits is not None:
        failures = report.failures(limits)
        if failures:
            lines += ["", "Limits exceeded:"] + [f"  {f}" for f in failures]
    return "\n".join(lines) + "\n"


def _group_lines(g: Group, title: str) -> list[str]:
    out = [f"  {title} ({g.time * 1000:.1f} ms)"]
    if g.template_origins:
        where = ", ".join(f"{o} ({n}x)" if len(g.template_origins) > 1 else str(o) for o, n in g.template_origins[:3])
        out.append(f"    template: {where}")
    if g.python_origin is not None:
        out.append(f"    python:   {g.python_origin}")
    out.append(f"    example:  {_one_line(g.example.sql)}")
    out.append(f"    params:   {g.example.params!r}")
    if g.fix_target is not None:
        template, name = g.fix_target
        out.append(f'    fix:      djust.optimize({name}, template="{template}", name="{name}")  (plan below)')
    elif g.fix is not None:
        out.append(f"    fix:      {g.fix.strip()}")
    elif g.optimize_removes is False:
        out.append("    fix:      djust.optimize does not remove it: fix it by hand")
    return out


def _one_line(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
