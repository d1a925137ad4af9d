"""Template sources for the Rust engine, from a Django engine's loaders.

The Rust engine asks for source text by name and compiles it itself, so the
loaders are asked for *sources* (``get_template_sources`` + ``get_contents``,
as ``Loader.get_template`` does) and Django never parses the template. The
Rust environment caches compiled templates; ``cacheable`` says whether the
Django configuration caches too (a ``cached.Loader``), which is when that is
Django's behaviour.
"""

from __future__ import annotations

import threading

from django.template import TemplateDoesNotExist
from django.template.base import Origin
from django.template.loaders.cached import Loader as CachedLoader


class EngineLoader:
    """``load(name, skip) -> (name, origin, source) | None`` over ``engine.template_loaders``."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        # Origin key -> (Origin, source): for `skip`, template_debug and `.origin`.
        self.origins: dict[str, tuple[Origin, str]] = {}
        # Template name -> what was tried, for TemplateDoesNotExist.
        self.tried: dict[str, list] = {}
        # Template name -> origin key of its last load.
        self.names: dict[str, str] = {}

    @property
    def cacheable(self) -> bool:
        return any(isinstance(loader, CachedLoader) for loader in self.engine.template_loaders)

    def __call__(self, name: str, skip: list[str]) -> tuple[str, str, str] | None:
        skipped = [self.origins[key][0] for key in skip if key in self.origins]
        tried = []
        for loader in self.engine.template_loaders:
            for origin in loader.get_template_sources(name):
                if origin in skipped:
                    tried.append((origin, "Skipped to avoid recursion"))
                    continue
                try:
                    source = origin.loader.get_contents(origin)
                except TemplateDoesNotExist:
                    tried.append((origin, "Source does not exist"))
                    continue
                key = str(origin.name)
                with self._lock:
                    self.origins[key] = (origin, source)
                    self.names[name] = key
                    self.tried.pop(name, None)
                return name, key, source
        with self._lock:
            self.tried[name] = tried
        return None

    def origin(self, key: str | None) -> Origin | None:
        found = self.origins.get(key) if key else None
        return found[0] if found else None

    def source(self, key: str | None) -> str | None:
        found = self.origins.get(key) if key else None
        return found[1] if found else None

    def key_for(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.names.get(name, name)

    def reset(self) -> None:
        with self._lock:
            self.names.clear()
            self.origins.clear()
            self.tried.clear()
