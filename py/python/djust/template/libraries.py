"""Django tag libraries described for the Rust engine.

A Django ``Library`` holds filter functions and tag *compile functions*.
Filters cross as they are (with the ``is_safe``/``needs_autoescape``/
``expects_localtime`` flags ``register.filter`` sets). ``simple_tag`` and
``inclusion_tag`` compile functions are recognised by their code object and
their closure gives back the user's function and its signature, already
parsed by Django; any other tag builds its own ``Node`` class, which the Rust
engine cannot run: it is listed as unsupported, and a template using it is
rendered by Django instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.template.library import Library

# Django's own libraries: the Rust engine implements these itself.
DJUST_BUILTIN_MODULES = frozenset(
    {
        "django.template.defaulttags",
        "django.template.defaultfilters",
        "django.template.loader_tags",
    }
)
DJUST_NATIVE_LIBRARIES = {
    "i18n": "django.templatetags.i18n",
    "l10n": "django.templatetags.l10n",
    "tz": "django.templatetags.tz",
    "static": "django.templatetags.static",
}


def _reference_codes() -> tuple[Any, Any]:
    """The code objects of Django's simple_tag and inclusion_tag compile functions."""
    lib = Library()

    @lib.simple_tag
    def simple():  # pragma: no cover - never called
        return ""

    @lib.inclusion_tag("x.html")
    def inclusion():  # pragma: no cover - never called
        return {}

    return lib.tags["simple"].__code__, lib.tags["inclusion"].__code__


SIMPLE_CODE, INCLUSION_CODE = _reference_codes()


def closure_of(func: Callable) -> dict[str, Any]:
    """A function's closure variables by name."""
    code = func.__code__
    cells = func.__closure__ or ()
    return {name: cell.cell_contents for name, cell in zip(code.co_freevars, cells, strict=True)}


def filter_arity(func: Callable) -> str:
    """``none``/``optional``/``required``, by Django's ``args_check`` rule."""
    try:
        spec = inspect.getfullargspec(inspect.unwrap(func))
    except TypeError:
        return "optional"
    args = list(spec.args)
    defaults = len(spec.defaults or ())
    if getattr(func, "needs_autoescape", False) and "autoescape" in args:
        # Passed by keyword, never from the template.
        if args[-1] == "autoescape" and defaults:
            defaults -= 1
        args.remove("autoescape")
    if len(args) <= 1:
        return "none"
    required = len(args) - defaults
    return "required" if required >= 2 else "optional"


def filter_spec(func: Callable) -> dict[str, Any]:
    return {
        "func": func,
        "arity": filter_arity(func),
        "is_safe": bool(getattr(func, "is_safe", False)),
        "needs_autoescape": bool(getattr(func, "needs_autoescape", False)),
        "expects_localtime": bool(getattr(func, "expects_localtime", False)),
    }


def tag_spec(compile_func: Callable) -> dict[str, Any] | None:
    """The function and signature behind a simple/inclusion tag; ``None`` for other tags."""
    code = getattr(compile_func, "__code__", None)
    if code is not SIMPLE_CODE and code is not INCLUSION_CODE:
        return None
    env = closure_of(compile_func)
    template = None
    if code is INCLUSION_CODE:
        template = env["filename"]
        if not isinstance(template, str):
            # A Template object or a list to select from: Django renders these.
            return None
    params = list(env["params"])
    takes_context = bool(env["takes_context"])
    if takes_context:
        if not params or params[0] != "context":
            # Django raises its own TemplateSyntaxError for this at parse time.
            return None
        params = params[1:]
    return {
        "func": env["func"],
        "template": template,
        "params": params,
        "defaults": len(env["defaults"] or ()),
        "varargs": bool(env["varargs"]),
        "varkw": bool(env["varkw"]),
        "kwonly": list(env["kwonly"] or ()),
        "kwonly_defaults": list(env["kwonly_defaults"] or ()),
        "takes_context": takes_context,
    }


def library_spec(library: Library) -> dict[str, Any]:
    """A Django ``Library`` as the plain description ``_native.Environment`` takes."""
    filters = {name: filter_spec(func) for name, func in library.filters.items()}
    tags: dict[str, Any] = {}
    unsupported: list[str] = []
    for name, compile_func in library.tags.items():
        spec = tag_spec(compile_func)
        if spec is None:
            unsupported.append(name)
        else:
            tags[name] = spec
    return {"filters": filters, "tags": tags, "unsupported": sorted(unsupported)}


def django_simple_tags(library: Library) -> dict[str, Any]:
    """The ``simple_tag``s of one of Django's own libraries (``querystring``).

    The Rust engine implements Django's tags natively; the few Django itself
    defines as simple tags are called as Python functions like any other.
    """
    specs = {name: tag_spec(func) for name, func in library.tags.items()}
    return {name: spec for name, spec in specs.items() if spec is not None}


def builtin_specs(engine) -> list[dict[str, Any]]:
    """``engine.template_builtins``: Django's own reduced to their simple tags."""
    specs = []
    for path, lib in zip(engine.builtins, engine.template_builtins, strict=True):
        if path not in DJUST_BUILTIN_MODULES:
            specs.append(library_spec(lib))
            continue
        tags = django_simple_tags(lib)
        if tags:
            specs.append({"filters": {}, "tags": tags, "unsupported": []})
    return specs


def library_specs(engine) -> dict[str, dict[str, Any]]:
    """``{% load %}``-able libraries, exactly the engine's.

    A library the Rust engine implements (``i18n``, ``static``...) is given
    empty: its name is what enables the native tags and filters, since the
    environment is built with ``implicit_libraries=False``.
    """
    specs = {}
    for name, lib in engine.template_libraries.items():
        if DJUST_NATIVE_LIBRARIES.get(name) == engine.libraries.get(name):
            specs[name] = {"filters": {}, "tags": {}, "unsupported": []}
        else:
            specs[name] = library_spec(lib)
    return specs
