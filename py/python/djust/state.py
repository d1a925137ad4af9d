"""A LiveView's state: its public attributes, what changed, and how to roll back.

Public state is every instance attribute whose name does not start with ``_``
(plus public class-level defaults declared on the user's subclass). Private
names never reach a template context or the client.

Change detection is assignment plus a cheap in-place check for containers: a
shallow copy of each list, dict and set is compared after the handler. A value
mutated deep inside an object is not seen; reassign it (``self.x = x``).
"""

from __future__ import annotations

import copy
import datetime
import decimal
from typing import Any

_IMMUTABLE = (str, bytes, int, float, bool, decimal.Decimal, datetime.date, datetime.time, tuple, frozenset, type(None))
_CONTAINERS = (list, dict, set)


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
        self._shallow = {k: copy.copy(v) for k, v in self._state.items() if isinstance(v, _CONTAINERS)}
        self._deep: dict[str, Any] = {}
        for name, value in self._instance.items():
            # Framework plumbing (the request, the renderer, the outbox) is not
            # state and is never changed by a handler: restore it by reference.
            if isinstance(value, _IMMUTABLE) or name in framework or name.startswith("_djust"):
                continue
            try:
                self._deep[name] = copy.deepcopy(value)
            except Exception:  # not copyable (a connection, a lock): restore by reference
                self._deep[name] = value

    def changed(self, view: Any) -> set[str]:
        """Names of public state whose value was reassigned, added, removed or mutated in place."""
        now = public_state(view, self._framework)
        changed = {n for n in self._state if n not in now}
        for name, value in now.items():
            if name not in self._state:
                changed.add(name)
                continue
            old = self._state[name]
            if name in self._shallow:
                if value is not old or not _same(self._shallow[name], value):
                    changed.add(name)
            elif value is old:
                continue
            elif isinstance(value, _IMMUTABLE) and isinstance(old, _IMMUTABLE):
                if type(value) is not type(old) or not _same(old, value):
                    changed.add(name)
            else:
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


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
