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
from django.template.loader import get_template

from djust import guard
from djust._native import Plan, Planner
from djust.schema import export_schema
from djust.template_access import TemplateAccesses, Unplannable, template_accesses

__all__ = ["Plan", "cache_stats", "clear_cache", "optimize", "plan_context", "plan_for"]

#: Queryset hint set by ``optimize(qs)`` without a template.
MARK = "djust_optimize"


@dataclass
class _Prepared:
    """A plan's Python side, built once per plan and reused on every apply."""

    select_related: tuple[str, ...]
    prefetches: tuple[dict[str, Any], ...]
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


def _template(template: Any) -> TemplateAccesses:
    """Resolve ``template`` (a name, or a loaded template) and extract its accesses."""
    if isinstance(template, str):
        cached = _state.templates.get(template)
        # Outside DEBUG, templates do not change without a restart (Django's cached loader agrees).
        if cached is not None and not settings.DEBUG:
            return cached
        found = get_template(template)
    else:
        found = template
    inner = getattr(found, "template", found)
    if not isinstance(inner, DjangoTemplate):
        raise Unplannable(f"templates of {type(inner).__module__}.{type(inner).__name__} cannot be planned yet")
    accesses = template_accesses(inner, inner.engine)
    if isinstance(template, str):
        _state.templates[template] = accesses
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


def _shape(qs: QuerySet, learned: set[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """What of the user's queryset the plan depends on, and its canonical key."""
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


def _model_label(qs: Any) -> str:
    model = getattr(qs, "model", None)
    if model is None:
        raise TypeError(f"cannot plan a {type(qs).__name__}: djust.optimize needs a QuerySet")
    return model._meta.label


def plan_for(qs: Any, template: Any, name: str) -> Plan:
    """The plan for ``qs`` bound to ``name`` in ``template``; ``str(plan)`` is Python code."""
    planner = _planner()
    label = _model_label(qs)
    try:
        accesses = _template(template)
    except Unplannable as exc:
        return planner.plan((f"unplannable:{exc}", name, label, str(exc)), "{}", json.dumps({"passthrough": str(exc)}))
    learned = _state.learned.get((accesses.fingerprint, name), set())
    shape, shape_key = _shape(qs, learned)
    key = (accesses.fingerprint, name, label, shape_key)
    plan = planner.lookup(key)
    if plan is None:
        tree = accesses.names.get(name)
        tree_json = json.dumps(tree.to_data() if tree is not None else {})
        plan = planner.plan(key, tree_json, json.dumps(shape))
    if plan.prepared is None and plan.passthrough is None:
        plan.prepared = _prepare(plan, accesses, name)
    return plan


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
        return tree.find_origin(segment) if tree is not None else None

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
        prefetches=tuple(root["prefetches"]),
        lookups=frozenset(p["lookup"] for p in root["prefetches"]),
        only=tuple(only) if only is not None else None,
        tag=tag,
    )


def _related_queryset(spec: Mapping[str, Any]) -> QuerySet:
    model = apps.get_model(spec["model"])
    qs = model._default_manager.all()
    if spec["select_related"]:
        qs = qs.select_related(*spec["select_related"])
    if spec["prefetches"]:
        qs = qs.prefetch_related(*(_prefetch(p) for p in spec["prefetches"]))
    if spec["only"] is not None:
        qs = qs.only(*spec["only"])
    return qs


def _prefetch(spec: Mapping[str, Any]) -> Prefetch:
    # Built fresh for each queryset: Django mutates a Prefetch queryset's hints while prefetching.
    return Prefetch(spec["lookup"], queryset=_related_queryset(spec["queryset"]))


def apply_plan(qs: QuerySet, plan: Plan) -> QuerySet:
    """A copy of ``qs`` with ``plan`` applied (the user's own shape kept)."""
    prepared: _Prepared | None = plan.prepared
    if plan.passthrough is not None or prepared is None:
        return qs
    clone = qs._chain()
    if prepared.select_related:
        clone = clone.select_related(*prepared.select_related)
    if prepared.prefetches:
        kept = [
            lookup
            for lookup in clone._prefetch_related_lookups
            if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) not in prepared.lookups
        ]
        clone = clone.prefetch_related(None).prefetch_related(*kept, *(_prefetch(p) for p in prepared.prefetches))
    if prepared.only is not None:
        # The user's deferred fields the template reads are loaded after all.
        clone.query.clear_deferred_loading()
        clone = clone.only(*prepared.only)
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
    return apply_plan(qs, plan_for(qs, template, name))


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
