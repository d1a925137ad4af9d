"""No surprise queries: lazy loads on the objects of a planned queryset.

A planned queryset tags the instances it loads (the rows, and every object
its ``select_related`` joins and prefetches brought along) with a small
:class:`PlanTag`. A few Django entry points are wrapped once, narrowly:

* ``Model.refresh_from_db(fields=[...])`` — how a deferred field is loaded;
* ``ForwardManyToOneDescriptor.get_object`` — a foreign key not joined;
* ``ReverseOneToOneDescriptor.get_queryset(instance=...)`` — a reverse
  one-to-one not joined;
* ``QuerySet._fetch_all`` / ``count`` / ``exists`` of a related manager's
  queryset (its hints name the owning instance) that has no prefetched rows.

Each wrapper costs one attribute lookup when the instance is not tagged.
When it is, the load is a surprise: in strict mode (``DEBUG``, tests, or
``DJUST_PLAN_STRICT = True``) it raises :class:`SurpriseQuery` naming the
template file:line and the missing path; otherwise a warning is logged, the
load goes ahead, and the read is learned so the next plan includes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor, ReverseOneToOneDescriptor

logger = logging.getLogger("djust.optimize")

#: The attribute set on tagged instances.
TAG = "_djust_plan"
#: The queryset hint (copied by every clone) carrying a planned queryset's tag.
HINT = "djust_plan"


class SurpriseQuery(RuntimeError):
    """A planned render loaded a field or relation the plan did not fetch."""


@dataclass(frozen=True)
class PlanTag:
    """What a planned instance knows about the plan that loaded it."""

    template: str
    name: str
    #: Finds the template file:line of a read segment (``None`` if unknown).
    origin: Callable[[str], tuple[str, int] | None]
    #: Records a lazily loaded ``(model label, attribute)`` for widening.
    learn: Callable[[str, str], None]
    #: The plan's select_related and prefetch paths (segments), to tag joined objects.
    paths: tuple[tuple[str, ...], ...]

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # A pickled (cached) instance or queryset leaves its render behind: it
        # unpickles untagged instead of failing on the tag's callables.
        return (_untagged, ())


def _untagged() -> None:
    return None


def strict() -> bool:
    """Raise on a surprise (DEBUG, a test run, or ``DJUST_PLAN_STRICT``)."""
    configured = getattr(settings, "DJUST_PLAN_STRICT", None)
    if configured is not None:
        return bool(configured)
    if settings.DEBUG:
        return True
    from django.test.utils import _TestState  # noqa: PLC0415  (test-only module state)

    return getattr(_TestState, "saved_data", None) is not None


def surprise(instance: Any, attr: str, what: str) -> None:
    """Report a lazy load of ``attr`` on ``instance``, if it belongs to a plan."""
    tag: PlanTag | None = instance.__dict__.get(TAG) if hasattr(instance, "__dict__") else None
    if tag is None:
        return
    model = type(instance)._meta
    origin = tag.origin(attr)
    where = f"{origin[0]}:{origin[1]}" if origin else tag.template
    message = (
        f"{where}: {what} {model.object_name}.{attr} was not in the plan for {tag.name!r} "
        f"(template {tag.template}); it costs one query per row"
    )
    if strict():
        raise SurpriseQuery(message)
    logger.warning("%s; widening the plan for the next render", message)
    tag.learn(model.label, attr)


def tag_instances(objects: Iterable[Any], tag: PlanTag) -> None:
    """Tag ``objects`` and everything reached through the plan's ``paths``."""
    objs = [o for o in objects if isinstance(o, models.Model)]
    for obj in objs:
        obj.__dict__[TAG] = tag
    for path in tag.paths:
        level = objs
        for seg in path:
            nxt: list[Any] = []
            for obj in level:
                cached = obj._state.fields_cache.get(seg, None)
                if cached is not None:
                    nxt.append(cached)
                    continue
                prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(seg)
                if prefetched is not None:
                    nxt.extend(getattr(prefetched, "_result_cache", None) or ())
            for obj in nxt:
                if isinstance(obj, models.Model):
                    obj.__dict__[TAG] = tag
            level = nxt


def _owner(qs: Any) -> Any:
    """The instance whose related manager made ``qs``, when ``qs`` is that
    manager's plain rows (a lazy load). A queryset the code filtered further
    (``self.reviews.filter(...)`` in a model method) is a query of its own,
    which no plan could have prefetched: not a surprise."""
    if qs._result_cache is not None:
        return None
    owner = qs._hints.get("instance")
    if owner is None or len(qs.query.where.children) > 1:
        return None
    return owner


def _manager_attr(owner: Any, qs: Any) -> str:
    target = qs.model._meta.concrete_model
    for rel in owner._meta.get_fields():
        if getattr(rel, "related_model", None) is target and (rel.one_to_many or rel.many_to_many):
            name = rel.get_accessor_name() if getattr(rel, "auto_created", False) and not rel.concrete else rel.name
            if name:
                return name
    return target._meta.model_name


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Wrap the Django entry points once (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True

    refresh = models.Model.refresh_from_db

    def refresh_from_db(self: models.Model, using: Any = None, fields: Any = None, **kwargs: Any) -> None:
        if fields and TAG in self.__dict__:
            by_attname = {f.attname: f.name for f in self._meta.concrete_fields}
            for name in fields:
                surprise(self, by_attname.get(name, name), "deferred field")
        return refresh(self, using=using, fields=fields, **kwargs)

    models.Model.refresh_from_db = refresh_from_db  # type: ignore[method-assign]

    get_object = ForwardManyToOneDescriptor.get_object

    def forward_get_object(self: ForwardManyToOneDescriptor, instance: Any) -> Any:
        surprise(instance, self.field.name, "lazy relation")
        return get_object(self, instance)

    ForwardManyToOneDescriptor.get_object = forward_get_object  # type: ignore[method-assign]

    reverse_qs = ReverseOneToOneDescriptor.get_queryset

    def reverse_get_queryset(self: ReverseOneToOneDescriptor, **hints: Any) -> Any:
        instance = hints.get("instance")
        if instance is not None:
            surprise(instance, self.related.get_accessor_name(), "lazy relation")
        return reverse_qs(self, **hints)

    ReverseOneToOneDescriptor.get_queryset = reverse_get_queryset  # type: ignore[method-assign]

    qs_class = models.QuerySet
    for method in ("_fetch_all", "count", "exists"):
        original = getattr(qs_class, method)

        def wrapper(self: Any, *args: Any, __original: Any = original, __method: str = method, **kwargs: Any) -> Any:
            if __method == "_fetch_all" and self._result_cache is None:
                tag = self._hints.get(HINT)
                if tag is not None:
                    # A planned queryset: load (with its prefetches), then tag the objects.
                    __original(self)
                    tag_instances(self._result_cache, tag)
                    return None
            owner = _owner(self)
            if owner is not None and TAG in owner.__dict__:
                surprise(owner, _manager_attr(owner, self), "lazy related manager")
            return __original(self, *args, **kwargs)

        wrapper.__name__ = method
        setattr(qs_class, method, wrapper)
