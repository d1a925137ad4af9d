"""Run Django's template tests through djust: an ``Engine`` whose templates are djust's.

``install()`` replaces ``template_tests.utils.Engine`` (what the tests'
``setup()`` decorator builds) with :class:`ConformanceEngine`;
``patch_module()`` does the same for test modules that build an ``Engine``
themselves. Loaders, libraries, ``string_if_invalid``, ``autoescape`` and
``debug`` are the ones the test configured: ``DjustEngine`` reads them from
the Django ``Engine`` it wraps.
"""

from __future__ import annotations

from types import ModuleType

from django.template import Context
from django.template import base as django_template_base
from django.template import engine as django_engine

from djust.template.engine import DjustEngine

#: How many compiles and renders went through djust (a one-element list, shared by reference).
RENDERS = [0]
#: How many templates djust handed to Django (a tag with its own Node class).
FALLBACKS = [0]

DjangoEngine = django_engine.Engine


class ConformanceEngine(DjangoEngine):
    """A Django ``Engine`` whose ``get_template``/``from_string`` compile with djust."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._djust: dict[bool, DjustEngine] = {}

    def djust(self, autoescape: bool) -> DjustEngine:
        """The djust engine for this autoescape setting (a ``Context`` can override it)."""
        if autoescape not in self._djust:
            if autoescape == self.autoescape:
                self._djust[autoescape] = DjustEngine(self)
            else:
                flipped = DjangoEngine(
                    dirs=self.dirs,
                    app_dirs=self.app_dirs,
                    context_processors=self.context_processors,
                    debug=self.debug,
                    loaders=self.loaders,
                    string_if_invalid=self.string_if_invalid,
                    file_charset=self.file_charset,
                    libraries=self.libraries,
                    builtins=self.builtins[len(self.default_builtins) :],
                    autoescape=autoescape,
                )
                # Share the loaders (the locmem dict a test mutates, the cache).
                flipped.template_loaders = self.template_loaders
                self._djust[autoescape] = DjustEngine(flipped)
        return self._djust[autoescape]

    def from_string(self, template_code):
        return ConformanceTemplate(self, None, template_code, self._compile(None, template_code))

    def get_template(self, template_name):
        return ConformanceTemplate(self, template_name, None, self._compile(template_name, None))

    def _compile(self, name, source):
        """Compile now, as Django does; a djust compile (or compile error) counts as djust's."""
        djust = self.djust(self.autoescape)
        try:
            template = djust.get_template(name) if name is not None else djust.from_string(source)
        except Exception:
            if name in djust._fallbacks:
                FALLBACKS[0] += 1
            else:
                RENDERS[0] += 1
            raise
        if template.uses_django:
            FALLBACKS[0] += 1
        else:
            RENDERS[0] += 1
        return template


class ConformanceTemplate:
    """Django's ``Template.render(Context)`` interface over a djust template."""

    def __init__(self, engine: ConformanceEngine, name: str | None, source: str | None, compiled) -> None:
        self.engine = engine
        self.name = name
        self.source_code = source
        # Compiled once per object, as a Django Template is (an IncludeNode
        # keeps the object it got and renders it again).
        self._by_autoescape: dict[bool, object] = {engine.autoescape: compiled}

    def _compiled(self, autoescape: bool):
        if autoescape not in self._by_autoescape:
            djust = self.engine.djust(autoescape)
            if self.name is not None:
                self._by_autoescape[autoescape] = djust.get_template(self.name)
            else:
                self._by_autoescape[autoescape] = djust.from_string(self.source_code)
        return self._by_autoescape[autoescape]

    def __djust_template__(self):
        """The native template, for ``{% include tmpl %}``/``{% extends tmpl %}`` given this object."""
        return self._compiled(self.engine.autoescape).native

    @property
    def origin(self):
        return self._compiled(self.engine.autoescape).origin

    @property
    def source(self):
        return self._compiled(self.engine.autoescape).source

    def render(self, context: Context | None = None) -> str:
        if context is None:
            context = Context()
        template = self._compiled(context.autoescape)
        if template.uses_django:
            FALLBACKS[0] += 1
        else:
            RENDERS[0] += 1
        return template.render(context.flatten(), getattr(context, "request", None), django_context=context)


DjangoTemplate = django_template_base.Template
_default: list[ConformanceEngine] = []


def default_engine() -> ConformanceEngine:
    """A djust engine with the options of Django's default engine (``Engine.get_default()``)."""
    if not _default:
        base = DjangoEngine.get_default()
        _default.append(
            ConformanceEngine(
                dirs=base.dirs,
                app_dirs=base.app_dirs,
                context_processors=base.context_processors,
                debug=base.debug,
                string_if_invalid=base.string_if_invalid,
                file_charset=base.file_charset,
                libraries=base.libraries,
                builtins=base.builtins[len(base.default_builtins) :],
                autoescape=base.autoescape,
            )
        )
    return _default[0]


class ConformanceStringTemplate:
    """``django.template.Template(source)`` as the tests construct it, compiled by djust."""

    def __init__(self, template_string, origin=None, name=None, engine=None) -> None:
        engine = engine if isinstance(engine, ConformanceEngine) else default_engine()
        self._template = engine.from_string(str(template_string))

    def render(self, context: Context | None = None) -> str:
        return self._template.render(context)


def install() -> None:
    """Make the tests' ``setup()`` build djust engines."""
    import template_tests.utils

    template_tests.utils.Engine = ConformanceEngine


def patch_module(module: ModuleType) -> None:
    """Replace a test module's own references to Django's ``Engine`` and ``Template``."""
    if getattr(module, "Engine", None) is DjangoEngine:
        module.Engine = ConformanceEngine
    if getattr(module, "Template", None) is DjangoTemplate:
        module.Template = ConformanceStringTemplate
