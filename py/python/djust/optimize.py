"""The ORM JIT: plan a queryset from the template that renders it.

Three entry points::

    djust.optimize(qs, template="library/books.html", name="books")  # planned QuerySet
    djust.optimize(qs)                  # marked; planned where djust renders it
    djust.plan_for(qs, template="library/books.html", name="books")  # the Plan

A plan is made in Rust (``djust-planner``) from the template's access tree for
``name`` and the schema exported from ``_meta``; it is cached in a bounded LRU
keyed by template fingerprint, name, model, queryset shape and schema
version. Applying it keeps the user's own filters, ordering, slicing,
annotations, ``select_related``, ``prefetch_related`` and ``only`` fields.
``values()``, ``values_list()``, ``raw()``, iterators and combined querysets
(``union`` ...) are passed through untouched, with the reason in the plan.

Settings: ``DJUST_PLAN_CACHE_SIZE`` (default 512 plans), ``DJUST_PLAN_STRICT``
(raise on surprise queries; default ``DEBUG`` or a test run).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.db.models.query import ModelIterable, RawQuerySet
from django.template import Template as DjangoTemplate
from django.template import engines
from django.template.loader import get_template

from djust import guard
from djust._native import Plan, Planner
from djust.schema import export_schema
from djust.template_access import TemplateAccesses, Unplannable, template_accesses, vdom_accesses

__all__ = ["Plan", "cache_stats", "clear_cache", "optimize", "plan_context", "plan_for"]

logger = logging.getLogger("djust.optimize")

#: Queryset hint set by ``optimize(qs)`` without a template.
MARK = "djust_optimize"


@dataclass
class _PrefetchTemplate:
    """One prefetch level: a queryset built once (select_related/only applied),
    cloned for each use, and the nested levels below it."""

    lookup: str
    queryset: QuerySet
    nested: tuple[_PrefetchTemplate, ...]

    def build(self) -> Prefetch:
        # A fresh clone (and fresh hints) per use: Django mutates a Prefetch
        # queryset's hints and sticky flag while prefetching.
        qs = self.queryset._chain()
        qs._hints = {}
        if self.nested:
            qs._prefetch_related_lookups = tuple(n.build() for n in self.nested)
        return Prefetch(self.lookup, queryset=qs)


@dataclass
class _Prepared:
    """A plan's Python side, built once per plan and reused on every apply."""

    select_related: tuple[str, ...]
    prefetches: tuple[_PrefetchTemplate, ...]
    lookups: frozenset[str]
    only: tuple[str, ...] | None
    tag: guard.PlanTag


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.planner: Planner | None = None
        self.templates: dict[str, TemplateAccesses] = {}
        self.learned: dict[tuple[str, str], set[tuple[str, str]]] = {}


_state = _State()


def _planner() -> Planner:
    schema, schema_json = export_schema()
    planner = _state.planner
    if planner is None or planner.schema_version != schema["version"]:
        with _state.lock:
            planner = _state.planner
            if planner is None or planner.schema_version != schema["version"]:
                planner = Planner(schema_json, int(getattr(settings, "DJUST_PLAN_CACHE_SIZE", 512)))
                _state.planner = planner
    return planner


def _source_engine(found: Any) -> Any | None:
    """A Django ``Engine`` whose loaders find this template's sources (and its
    includes and parents): the template's own, its backend's, else the first
    configured engine that has Django's loaders (``DjustTemplates`` takes
    DjangoTemplates' OPTIONS, so DIRS and app directories are the same)."""
    inner = getattr(found, "template", None)
    candidates = (
        getattr(found, "engine", None),  # django.template.Template
        getattr(found, "backend", None),  # a backend's Template (DjangoTemplates, DjustTemplates)
        getattr(found, "djust", None),  # djust.template.engine.Template
        getattr(inner, "engine", None),
        getattr(inner, "djust", None),
    )
    for candidate in candidates:
        engine = getattr(candidate, "engine", candidate)
        if engine is not None and hasattr(engine, "find_template"):
            return engine
    for backend in engines.all():
        engine = getattr(backend, "engine", None)
        if engine is not None and hasattr(engine, "find_template"):
            return engine
    return None


def _template(template: Any) -> TemplateAccesses:
    """Resolve ``template`` (a name, or a loaded template) and extract its accesses."""
    if isinstance(template, str):
        memo_key = template
    else:
        # A loaded template (the djust engine path): keyed by the file it came from.
        origin = getattr(template, "origin", None)
        memo_key = f"file:{origin.name}" if origin is not None and origin.name else None
    # Outside DEBUG, templates do not change without a restart (Django's cached loader agrees).
    if memo_key is not None and not settings.DEBUG:
        cached = _state.templates.get(memo_key)
        if cached is not None:
            return cached
    found = get_template(template) if isinstance(template, str) else template
    inner = getattr(found, "template", found)
    origin = getattr(inner, "origin", None) or getattr(found, "origin", None)
    template_name = getattr(origin, "template_name", None) or (template if isinstance(template, str) else None)
    accesses = None
    engine = _source_engine(found)
    if template_name and engine is not None:
        try:
            # djust's own parser, with sources found by Django's loaders.
            accesses = vdom_accesses(template_name, engine)
        except ValueError as exc:
            if not isinstance(inner, DjangoTemplate):
                raise Unplannable(f"djust's parser cannot read {template_name}: {exc}") from None
            logger.debug("djust parser cannot read %s (%s); walking Django's node tree", template_name, exc)
    if accesses is None:
        if not isinstance(inner, DjangoTemplate):
            raise Unplannable(f"cannot find the source of {type(inner).__name__} {template_name!r}")
        accesses = template_accesses(inner, inner.engine)
    if memo_key is not None:
        _state.templates[memo_key] = accesses
    return accesses


def _passthrough_reason(qs: Any) -> str | None:
    if isinstance(qs, RawQuerySet):
        return "raw() runs the given SQL as written"
    if not isinstance(qs, QuerySet):
        kind = type(qs).__name__
        if kind == "generator":
            return "an iterator (iterator()) is consumed once and cannot be re-planned"
        return f"{kind} is not a QuerySet"
    if qs._iterable_class is not ModelIterable:
        return "values()/values_list() rows are dicts or tuples, not model instances"
    if qs.query.combinator:
        return f"{qs.query.combinator}() querysets take no select_related/prefetch/only"
    return None


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, sub in tree.items():
        path = f"{prefix}__{key}" if prefix else key
        out.append(path)
        out.extend(_flatten(sub, path))
    return out


_PLAIN: dict[str, Any] = {}


def _shape(qs: QuerySet, learned: set[tuple[str, str]] | frozenset[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """What of the user's queryset the plan depends on, and its canonical key."""
    query = qs.query
    if (
        not learned
        and qs._iterable_class is ModelIterable
        and query.select_related is False
        and not qs._prefetch_related_lookups
        and not query.annotations
        and not query.deferred_loading[0]
        and not query.combinator
    ):
        # The common case, kept cheap: it is on every cache hit.
        return _PLAIN, "plain"
    reason = _passthrough_reason(qs)
    if reason is not None:
        return {"passthrough": reason}, reason
    query = qs.query
    fields, defer = query.deferred_loading
    only = sorted(fields) if fields and not defer else []
    sr = query.select_related
    select_related = _flatten(sr) if isinstance(sr, dict) else []
    custom = sorted(
        lookup.prefetch_to
        for lookup in qs._prefetch_related_lookups
        if isinstance(lookup, Prefetch) and (lookup.queryset is not None or lookup.to_attr)
    )
    annotations = sorted(query.annotations)
    shape = {
        "only": only,
        "select_related": select_related,
        "annotations": annotations,
        "custom_prefetches": custom,
        "learned": sorted(learned),
    }
    key = repr((only, select_related, annotations, custom, sr is True, sorted(learned)))
    return shape, key


_labels: dict[type, str] = {}


def _model_label(qs: Any) -> str:
    model = getattr(qs, "model", None)
    if model is None:
        return f"<{type(qs).__name__}>"  # passed through: nothing to plan
    label = _labels.get(model)
    if label is None:
        label = _labels[model] = model._meta.label  # a property that formats a string each time
    return label


def _plan(qs: Any, template: Any, name: str) -> tuple[Plan, TemplateAccesses | None]:
    planner = _planner()
    label = _model_label(qs)
    try:
        accesses = _template(template)
    except Unplannable as exc:
        key = (f"unplannable:{exc}", name, label, str(exc))
        return planner.plan(key, "{}", json.dumps({"passthrough": str(exc)})), None
    learned = _state.learned.get((accesses.fingerprint, name), _NOTHING)
    if not isinstance(qs, QuerySet):
        reason = _passthrough_reason(qs) or "not a QuerySet"
        shape, shape_key = {"passthrough": reason}, reason
    else:
        shape, shape_key = _shape(qs, learned)
    key = (accesses.fingerprint, name, label, shape_key)
    plan = planner.lookup(key)
    if plan is None:
        plan = planner.plan(key, accesses.tree_json(name), json.dumps(shape))
    return plan, accesses


def plan_for(qs: Any, template: Any, name: str) -> Plan:
    """The plan for ``qs`` bound to ``name`` in ``template``; ``str(plan)`` is Python code."""
    return _plan(qs, template, name)[0]


_NOTHING: frozenset[tuple[str, str]] = frozenset()


def _learn(fingerprint: str, name: str, model: str, attr: str) -> None:
    with _state.lock:
        _state.learned.setdefault((fingerprint, name), set()).add((model, attr))
    _planner().invalidate(fingerprint)


def _paths(root: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    """Segments of every join and prefetch (to tag the objects they bring)."""
    out: list[tuple[str, ...]] = [tuple(p.split("__")) for p in root["select_related"]]
    for pre in root["prefetches"]:
        base = tuple(pre["lookup"].split("__"))
        out.append(base)
        out.extend(base + sub for sub in _paths(pre["queryset"]))
    return tuple(out)


def _prepare(plan: Plan, accesses: TemplateAccesses, name: str) -> _Prepared:
    root = plan.root
    tree = accesses.names.get(name)
    files = accesses.files[0] if accesses.files else name

    def origin(segment: str) -> tuple[str, int] | None:
        # Where the segment is read; else where the rows are first used (a filter or
        # tag that received the whole object read it).
        if tree is None:
            return None
        each = tree.children.get("[]")
        return tree.find_origin(segment) or (each.origin if each is not None else None) or tree.origin

    tag = guard.PlanTag(
        template=files,
        name=name,
        origin=origin,
        learn=partial(_learn, accesses.fingerprint, name),
        paths=_paths(root),
    )
    only = root["only"]
    return _Prepared(
        select_related=tuple(root["select_related"]),
        prefetches=tuple(_prefetch_template(p) for p in root["prefetches"]),
        lookups=frozenset(p["lookup"] for p in root["prefetches"]),
        only=tuple(only) if only is not None else None,
        tag=tag,
    )


def _prefetch_template(spec: Mapping[str, Any]) -> _PrefetchTemplate:
    inner = spec["queryset"]
    model = apps.get_model(inner["model"])
    qs = model._default_manager.all()
    if inner["select_related"]:
        qs = qs.select_related(*inner["select_related"])
    if inner["only"] is not None:
        qs = qs.only(*inner["only"])
    nested = tuple(_prefetch_template(p) for p in inner["prefetches"])
    return _PrefetchTemplate(lookup=spec["lookup"], queryset=qs, nested=nested)


def apply_plan(qs: QuerySet, plan: Plan) -> QuerySet:
    """A copy of ``qs`` with ``plan`` applied (the user's own shape kept)."""
    prepared: _Prepared | None = plan.prepared
    if plan.passthrough is not None or prepared is None:
        return qs
    # One clone, then the same Query calls select_related()/only() make.
    clone = qs._chain()
    query = clone.query
    if prepared.select_related:
        query.add_select_related(prepared.select_related)
    if prepared.prefetches:
        kept = tuple(
            lookup
            for lookup in clone._prefetch_related_lookups
            if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) not in prepared.lookups
        )
        clone._prefetch_related_lookups = kept + tuple(p.build() for p in prepared.prefetches)
    if prepared.only is not None:
        # The user's deferred fields the template reads are loaded after all.
        query.clear_deferred_loading()
        query.add_immediate_loading(prepared.only)
    clone._hints = {**clone._hints, guard.HINT: prepared.tag}
    return clone


def optimize(qs: Any, template: Any = None, name: str | None = None) -> Any:
    """Plan ``qs`` for ``template`` (bound to ``name``), or mark it for djust's engine.

    Without ``template`` the queryset is only marked: djust's template engine
    plans it against the template it is rendered in, under the name it is bound
    to. Anything that is not a plannable QuerySet is returned unchanged.
    """
    guard.install()
    if template is None:
        if not isinstance(qs, QuerySet):
            return qs
        marked = qs._chain()
        marked._hints = {**marked._hints, MARK: True}
        return marked
    if name is None:
        raise TypeError("optimize(qs, template=...) also needs name=, the context name the template reads")
    if _passthrough_reason(qs) is not None:
        return qs
    plan, accesses = _plan(qs, template, name)
    if plan.prepared is None and plan.passthrough is None and accesses is not None:
        plan.prepared = _prepare(plan, accesses, name)
    return apply_plan(qs, plan)


def is_marked(value: Any) -> bool:
    """True for a queryset marked by ``optimize(qs)``."""
    return isinstance(value, QuerySet) and bool(value._hints.get(MARK))


def plan_context(context: Mapping[str, Any], template: Any) -> dict[str, Any]:
    """A copy of ``context`` with each marked queryset replaced by its planned version."""
    out = dict(context)
    for key, value in context.items():
        if is_marked(value):
            planned = optimize(value, template=template, name=key)
            if isinstance(planned, QuerySet):
                planned._hints = {k: v for k, v in planned._hints.items() if k != MARK}
            out[key] = planned
    return out


def cache_stats() -> dict[str, int]:
    """Plan cache counters: hits, misses, size, capacity."""
    return _planner().stats()


def clear_cache() -> None:
    """Forget every plan, extracted template and learned read (tests, reloads)."""
    planner = _planner()
    planner.clear()
    with _state.lock:
        _state.templates.clear()
        _state.learned.clear()


class _CallableModule(types.ModuleType):
    """``djust.optimize`` is both this module and the ``optimize()`` function."""

    def __call__(self, qs: Any, template: Any = None, name: str | None = None) -> Any:
        return optimize(qs, template=template, name=name)


sys.modules[__name__].__class__ = _CallableModule
