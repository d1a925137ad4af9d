"""``djust.template.backends.DjustTemplates``: the Rust engine as a Django backend.

Configure it like ``DjangoTemplates``, with the same OPTIONS::

    TEMPLATES = [{
        "BACKEND": "djust.template.backends.DjustTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": [...], "builtins": [...], "libraries": {...}},
    }]

It subclasses ``DjangoTemplates``: the private ``django.template.Engine`` it
builds provides loaders, library discovery, context processors and the
fallback for templates the Rust engine cannot run, and code that looks for a
``DjangoTemplates`` backend (the admin's system check, the template
autoreloader) finds one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import DjangoTemplates, reraise
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.utils.autoreload import file_changed

from djust.template.engine import DjustEngine
from djust.template.engine import Template as EngineTemplate


class DjustTemplates(DjangoTemplates):
    """Django's template language rendered by djust's Rust engine."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.djust = DjustEngine(self.engine)

    def from_string(self, template_code: str) -> Template:
        return Template(self.djust.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        try:
            return Template(self.djust.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)

    def reset(self) -> None:
        """Forget compiled templates (Django's loaders and djust's cache)."""
        for loader in self.engine.template_loaders:
            loader.reset()
        self.djust.reset()


class Template:
    """A compiled template, with Django's backend ``Template`` interface."""

    def __init__(self, template: EngineTemplate, backend: DjustTemplates) -> None:
        self.template = template
        self.backend = backend

    @property
    def origin(self):
        return self.template.origin

    def __djust_template__(self) -> Any:
        """The native template, for ``{% include tmpl %}`` given this object."""
        return self.template.__djust_template__()

    def render(self, context: dict[str, Any] | None = None, request=None) -> str:
        """Render; ``context`` is read, never modified."""
        if context is not None and not isinstance(context, dict):
            raise TypeError(f"context must be a dict rather than {context.__class__.__name__}.")
        data: dict[str, Any] = {}
        if request is not None:
            for processor in self.backend.engine.template_context_processors:
                data.update(processor(request))
            data["csrf_input"] = csrf_input_lazy(request)
            data["csrf_token"] = csrf_token_lazy(request)
        if context:
            data.update(context)
            data = _plan_marked(data, self)
        try:
            return self.template.render(data, request)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)


def _plan_marked(data: dict[str, Any], template: Template) -> dict[str, Any]:
    """Plan each ``djust.optimize(qs)``-marked queryset against the template it is rendered in."""
    from djust.optimize import is_marked, plan_context  # the ORM JIT loads Django's ORM: only when used

    if any(is_marked(value) for value in data.values()):
        return plan_context(data, template)
    return data


def _template_changed(sender, file_path: Path, **kwargs) -> None:
    """In DEBUG with the autoreloader, an edited template resets djust's cache too.

    Django's own receiver resets the loaders of every DjangoTemplates backend
    (this one included) and tells the reloader not to restart.
    """
    if file_path.suffix == ".py":
        return
    cwd = Path.cwd()
    for backend in engines.all():
        if not isinstance(backend, DjustTemplates):
            continue
        dirs = {cwd / Path(d) for d in backend.engine.dirs if d}
        for loader in backend.engine.template_loaders:
            if hasattr(loader, "get_dirs"):
                dirs.update(cwd / Path(d) for d in loader.get_dirs() if d)
        if any(d in file_path.parents for d in dirs):
            backend.djust.reset()


file_changed.connect(_template_changed, dispatch_uid="djust_template_changed")
