"""Turn the strings and JSON values a browser sends into a handler's typed arguments.

The handler's type hints are the contract: ``def add(self, amount: int)`` gets an
``int`` or the event fails with :class:`CoercionError` before the handler runs,
so a bad argument never reaches user code nor changes state.
"""

from __future__ import annotations

import datetime
import decimal
import inspect
import types
import typing
from functools import lru_cache
from typing import Any

from django import forms

_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}


class CoercionError(ValueError):
    """An event argument could not be converted to the handler's declared type."""


def _scalar(value: Any, target: type, name: str) -> Any:
    if isinstance(value, list) and target is not list:
        # A multi-valued form field sent to a scalar parameter: the last value
        # wins, as in Django's QueryDict.__getitem__.
        value = value[-1] if value else ""
    try:
        if target is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(text)
        if target is int:
            if isinstance(value, bool):
                raise ValueError(value)
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
        if target is float:
            return float(value)
        if target is decimal.Decimal:
            result = decimal.Decimal(str(value).strip())
            if not result.is_finite():
                raise ValueError(value)
            return result
        if target is datetime.date:
            return datetime.date.fromisoformat(str(value).strip())
        if target is datetime.datetime:
            return datetime.datetime.fromisoformat(str(value).strip())
        if target is str:
            if isinstance(value, (dict, list)):
                raise ValueError("not a string")
            return "" if value is None else str(value)
    except (ValueError, TypeError, decimal.InvalidOperation) as exc:
        raise CoercionError(f"argument {name!r}: expected {target.__name__}") from exc
    return value


def coerce_value(value: Any, hint: Any, name: str) -> Any:
    """Coerce one value to ``hint`` (a type, ``list[T]``, ``T | None`` or a Form class)."""
    if hint is inspect.Parameter.empty or hint is Any:
        return value
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None or value == "":
            if type(None) in typing.get_args(hint):
                return None
        last: CoercionError | None = None
        for arg in args:
            try:
                return coerce_value(value, arg, name)
            except CoercionError as exc:
                last = exc
        raise last or CoercionError(f"argument {name!r}: no type matched")
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        return [coerce_value(v, item, name) for v in items]
    if inspect.isclass(hint) and issubclass(hint, forms.BaseForm):
        return hint(data=_form_data(value))
    if inspect.isclass(hint):
        return _scalar(value, hint, name)
    return value


def _form_data(value: Any) -> Any:
    from django.utils.datastructures import MultiValueDict

    if not isinstance(value, dict):
        raise CoercionError("a form argument needs the serialized form (an object)")
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in value.items()})


@lru_cache(maxsize=4096)
def _introspect(func: Any) -> tuple[inspect.Signature, dict[str, Any]]:
    # Signatures and hints do not change at run time: read them once per function.
    signature = inspect.signature(func)
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # unresolvable forward references: fall back to raw values
        hints = {}
    return signature, hints


def bind_arguments(func: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Build the keyword arguments for ``func`` from an event's parameters.

    Unknown parameters are ignored (a page may send more than a handler needs,
    e.g. every ``dj-value-*``); a missing parameter without a default is an error.
    A ``**kwargs`` handler receives the remaining parameters uncoerced.
    """
    bound = hasattr(func, "__func__")
    signature, hints = _introspect(func.__func__ if bound else func)
    kwargs: dict[str, Any] = {}
    accepts_rest = False
    for index, (pname, param) in enumerate(signature.parameters.items()):
        if bound and index == 0:
            continue  # self
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            accepts_rest = True
            continue
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        hint = hints.get(pname, inspect.Parameter.empty)
        is_form = inspect.isclass(hint) and issubclass(hint, forms.BaseForm)
        if is_form:
            # A form parameter takes the whole serialized form.
            kwargs[pname] = coerce_value(params, hint, pname)
        elif pname in params:
            kwargs[pname] = coerce_value(params[pname], hint, pname)
        elif param.default is inspect.Parameter.empty:
            raise CoercionError(f"missing argument {pname!r}")
    if accepts_rest:
        for key, value in params.items():
            kwargs.setdefault(key, value)
    return kwargs
