"""The Rust engine behind a configured ``django.template.Engine``.

:class:`DjustEngine` takes a Django ``Engine`` (loaders, libraries, options)
and compiles and renders its templates with djust's Rust engine. Templates
that use something the Rust engine cannot run (a third-party tag with its own
``Node`` class) are rendered by the Django engine instead: same output, and a
log line once per template saying why.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.template import Context, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import Origin
from django.template.base import Template as DjangoTemplate
from django.template.context import make_context
from django.template.engine import Engine
from django.utils.safestring import SafeString

from djust import _native
from djust.template.debug import attach_debug
from djust.template.libraries import builtin_specs, library_specs
from djust.template.loading import EngineLoader

logger = logging.getLogger("djust.template")


class DjustEngine:
    """Compile and render a Django engine's templates with the Rust engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.loader = EngineLoader(engine)
        self.env = _native.Environment(
            self.loader,
            autoescape=engine.autoescape,
            string_if_invalid=engine.string_if_invalid,
            debug=engine.debug,
            builtins=builtin_specs(engine),
            libraries=library_specs(engine),
            # Exactly the engine's libraries: `{% load i18n %}` fails where Django's would.
            implicit_libraries=False,
        )
        self._lock = threading.Lock()
        # Template name (or None for strings) -> why Django renders it.
        self._fallbacks: dict[str | None, str] = {}

    # Loading -----------------------------------------------------------------

    def get_template(self, name: str) -> Template:
        """The template called ``name``; raises ``TemplateDoesNotExist`` like Django."""
        if not self.loader.cacheable:
            # No cached.Loader configured: Django re-reads sources each time.
            self.env.clear_cache()
        if name in self._fallbacks:
            return Template(self, None, name=name, django=self.django_template(name, None))
        try:
            native = self.env.get_template(name)
        except _native.TemplateUnsupported as exc:
            self._note_fallback(name, exc)
            # Compile with Django now, so its errors come from get_template as they would.
            return Template(self, None, name=name, django=self.django_template(name, None))
        except TemplateDoesNotExist as exc:
            raise self.not_found(exc) from None
        except TemplateSyntaxError as exc:
            self.add_debug(exc)
            raise
        return Template(self, native, name=name)

    def select_template(self, names: list[str] | tuple[str, ...]) -> Template:
        if isinstance(names, str):
            raise TypeError(
                "select_template() takes an iterable of template names but got a "
                f"string: {names!r}. Use get_template() if you want to load a single template by name."
            )
        chain = []
        for name in names:
            try:
                return self.get_template(name)
            except TemplateDoesNotExist as exc:
                chain.append(exc)
        if names:
            raise TemplateDoesNotExist(", ".join(names), chain=chain)
        raise TemplateDoesNotExist("No template names provided")

    def from_string(self, source: str) -> Template:
        try:
            native = self.env.from_string(source)
        except _native.TemplateUnsupported as exc:
            logger.info("djust: rendering a template string with Django: %s", exc)
            return Template(self, None, source=source, django=self.django_template(None, source))
        except TemplateSyntaxError as exc:
            self.add_debug(exc, source=source)
            raise
        return Template(self, native, source=source)

    def reset(self) -> None:
        """Forget compiled templates and fallbacks (a source changed)."""
        self.env.clear_cache()
        self.loader.reset()
        with self._lock:
            self._fallbacks.clear()

    # Errors ------------------------------------------------------------------

    def not_found(self, exc: TemplateDoesNotExist) -> TemplateDoesNotExist:
        """The engine's TemplateDoesNotExist with what the loaders tried, as Django reports it."""
        name = exc.args[0] if exc.args else ""
        if getattr(exc, "tried", None):
            return exc
        new = TemplateDoesNotExist(name, tried=self.loader.tried.get(name, []))
        if hasattr(exc, "template_debug"):
            new.template_debug = exc.template_debug
        else:
            self.add_debug(exc)
            if hasattr(exc, "template_debug"):
                new.template_debug = exc.template_debug
        return new

    def add_debug(self, exc: BaseException, source: str | None = None) -> None:
        """Attach Django's ``template_debug`` so the technical 500 page shows the line."""
        if not self.engine.debug:
            return
        name = getattr(exc, "djust_template", None)
        if source is None:
            source = self.loader.source(self.loader.key_for(name))
        attach_debug(exc, source, name)

    def _note_fallback(self, name: str | None, exc: BaseException) -> None:
        with self._lock:
            first = name not in self._fallbacks
            self._fallbacks[name] = str(exc)
        if first:
            logger.info("djust: rendering %s with Django: %s", name or "a template string", exc)

    def django_template(self, name: str | None, source: str | None):
        """Django's own compiled template, for the fallback.

        Called through ``Engine`` itself: ``self.engine`` may be a subclass
        whose ``get_template`` comes back here (the conformance adapter).
        """
        if name is not None:
            return Engine.get_template(self.engine, name)
        return Engine.from_string(self.engine, source)


def _instrumented() -> bool:
    """Whether Django's test environment is set up (the test client records templates)."""
    return DjangoTemplate._render.__name__ == "instrumented_test_render"


def _announce(template: Template, context: dict[str, Any]) -> None:
    """Send ``template_rendered`` as Django's instrumented render does, for
    ``response.templates``, ``response.context`` and ``assertTemplateUsed``.
    Only the template rendered is announced, not those it includes or extends.
    """
    from django.test.signals import template_rendered

    template_rendered.send(sender=template, template=template, context=Context(context))


class Template:
    """A template compiled by the Rust engine (or, as a fallback, by Django)."""

    def __init__(
        self,
        djust: DjustEngine,
        native: Any,
        name: str | None = None,
        source: str | None = None,
        django: Any = None,
    ) -> None:
        self.djust = djust
        self.native = native
        self.name = name
        self._source = source
        self._django = django

    @property
    def source(self) -> str:
        if self.native is not None:
            return self.native.source
        return self._django_template().source

    @property
    def origin(self) -> Origin:
        if self.native is not None and self.native.origin:
            origin = self.djust.loader.origin(self.native.origin)
            if origin is not None:
                return origin
        if self.native is None:
            return self._django_template().origin
        return Origin(name=self.name or "<unknown source>", template_name=self.name)

    def __djust_template__(self) -> Any:
        """The native template, so ``{% include tmpl %}``/``{% extends tmpl %}`` render it (None: Django's)."""
        return self.native

    @property
    def uses_django(self) -> bool:
        """Whether Django renders this template (it needs a tag djust cannot run)."""
        return self.native is None

    def _django_template(self):
        if self._django is None:
            self._django = self.djust.django_template(self.name, self._source)
        return self._django

    def render(self, context: dict[str, Any], request=None, django_context: Context | None = None) -> str:
        """Render with a flat context dict (never modified).

        ``django_context`` is what the Django fallback renders with; by default
        one is made from ``context`` and ``request`` as Django's backend does.
        """
        if self.native is not None:
            try:
                if _instrumented():
                    _announce(self, context)
                # A SafeString, as Django's Template.render returns: tags that
                # render a template and return the result rely on it.
                return SafeString(self.native.render(context, request))
            except _native.TemplateUnsupported as exc:
                # An included or extended template needs Django.
                self.djust._note_fallback(self.name, exc)
                self.native = None
            except TemplateDoesNotExist as exc:
                raise self.djust.not_found(exc) from None
            except TemplateSyntaxError as exc:
                self.djust.add_debug(exc)
                raise
        if django_context is None:
            django_context = make_context(context, request, autoescape=self.djust.engine.autoescape)
        return self._django_template().render(django_context)
