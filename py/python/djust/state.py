"""A LiveView's state: its public attributes, what changed, and how to roll back.

Public state is every instance attribute whose name does not start with ``_``
(plus public class-level defaults declared on the user's subclass). Private
names never reach a template context or the client.

Change detection compares each public value with the deep copy taken before
the handler (the same copy that rollback restores), so a change anywhere inside
a value is seen: ``self.rows[3]["name"] = "x"`` or ``self.book.title = "x"``
marks ``rows`` / ``book`` as changed without reassigning. Model instances are
compared by their loaded field values, not only by primary key (Django's
``==``), and plain objects by their attributes. A value that cannot be deep
copied (a connection, a lock) is compared by identity only.
"""

from __future__ import annotations

import copy
import datetime
import decimal
from typing import Any

from django.db.models import QuerySet

_IMMUTABLE = (str, bytes, int, float, bool, decimal.Decimal, datetime.date, datetime.time, tuple, frozenset, type(None))


def is_public(name: str) -> bool:
    """Whether an attribute name may be state (and so reach the client)."""
    return not name.startswith("_")


def public_state(view: Any, framework: frozenset[str]) -> dict[str, Any]:
    """The view's public state: class-level defaults below the framework, then instance attributes."""
    state: dict[str, Any] = {}
    for klass in reversed(type(view).__mro__):
        if klass.__dict__.get("_djust_framework_class"):
            continue
        for name, value in vars(klass).items():
            if is_public(name) and name not in framework and not callable(value) and not _is_descriptor(value):
                state[name] = value
    for name, value in vars(view).items():
        if is_public(name) and name not in framework:
            state[name] = value
    return state


def _is_descriptor(value: Any) -> bool:
    return isinstance(value, (property, staticmethod, classmethod)) or hasattr(value, "__get__")


class Snapshot:
    """The state before a handler runs: enough to tell what changed and to undo it."""

    def __init__(self, view: Any, framework: frozenset[str]) -> None:
        self._framework = framework
        self._instance = dict(vars(view))
        self._state = public_state(view, framework)
        self._deep: dict[str, Any] = {}
        # Names whose deep copy failed: the "copy" is the object itself.
        self._uncopied: set[str] = set()
        for name, value in self._instance.items():
            # Framework plumbing (the request, the renderer, the outbox) is not
            # state and is never changed by a handler: restore it by reference.
            if isinstance(value, _IMMUTABLE) or name in framework or name.startswith("_djust"):
                continue
            try:
                self._deep[name] = copy.deepcopy(value)
            except Exception:  # not copyable (a connection, a lock): restore by reference
                self._deep[name] = value
                self._uncopied.add(name)
        # Class-level public defaults are not instance attributes; copy them too
        # so an in-place change to a shared default is seen.
        self._before = {
            name: self._copy_of(name, value) for name, value in self._state.items() if not isinstance(value, _IMMUTABLE)
        }

    def _copy_of(self, name: str, value: Any) -> Any:
        if isinstance(value, QuerySet):  # comparing would run it; a new one is a reassignment
            return None
        if name in self._deep and self._instance.get(name) is value:
            return None if name in self._uncopied else self._deep[name]
        try:
            return copy.deepcopy(value)
        except Exception:
            return None

    def changed(self, view: Any) -> set[str]:
        """Names of public state whose value was reassigned, added, removed or mutated in place."""
        now = public_state(view, self._framework)
        changed = {n for n in self._state if n not in now}
        for name, value in now.items():
            if name not in self._state:
                changed.add(name)
                continue
            old = self._state[name]
            if isinstance(value, _IMMUTABLE) and isinstance(old, _IMMUTABLE):
                if type(value) is not type(old) or not _same(old, value):
                    changed.add(name)
            elif value is not old:
                changed.add(name)
            else:
                # Without a copy (not copyable, or a lazy QuerySet) identity is
                # all we know, and it is the same object.
                before = self._before.get(name)
                if before is not None and not same_value(before, value):
                    changed.add(name)
        return changed

    def restore(self, view: Any) -> None:
        """Put every instance attribute (public and private) back as it was."""
        current = vars(view)
        for name in list(current):
            if name not in self._instance:
                del current[name]
        for name, value in self._instance.items():
            current[name] = self._deep.get(name, value)


def same_value(a: Any, b: Any, _depth: int = 0) -> bool:
    """Deep equality for change detection: containers item by item, models by field values.

    Django's ``Model.__eq__`` compares primary keys only, so a model edited in
    place would look unchanged; here its loaded fields (``__dict__`` without
    Django's ``_state`` and caches) are compared. Objects without their own
    ``__eq__`` compare by attributes. Anything else uses ``==``.
    """
    if a is b:
        return True
    if _depth > 64:  # a pathological or cyclic structure: assume changed
        return False
    if type(a) is not type(b):
        return False
    depth = _depth + 1
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y, depth) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k], depth) for k in a)
    if isinstance(a, _IMMUTABLE) or isinstance(a, (set, frozenset)):
        return _same(a, b)
    if type(a).__eq__ is object.__eq__ or _is_model(a):
        fields_a, fields_b = _fields(a), _fields(b)
        if fields_a is None or fields_b is None:
            return _same(a, b)
        return same_value(fields_a, fields_b, depth)
    return _same(a, b)


def _is_model(value: Any) -> bool:
    return hasattr(value, "_meta") and hasattr(value, "_state") and hasattr(value, "pk")


def _fields(value: Any) -> dict[str, Any] | None:
    """An object's own attributes; for a model its loaded fields and cached related objects."""
    try:
        attrs = vars(value)
    except TypeError:  # __slots__ or a C type
        return None
    if not _is_model(value):
        return dict(attrs)
    fields = {k: v for k, v in attrs.items() if k not in ("_state", "_prefetched_objects_cache")}
    # select_related objects live in _state.fields_cache: book.author.name = "x" is a change of book.
    fields["_state.fields_cache"] = dict(getattr(value._state, "fields_cache", {}))
    return fields


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
