"""Type stubs for the Rust extension module (hand-written; keep in step with py/src)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

def version() -> str:
    """The version of the Rust core this extension was built from."""

def json_roundtrip(obj: Any) -> Any:
    """Send plain data (None, bool, int, float, str, list, tuple, dict) through Rust and back."""

def fingerprint(sql: str, vendor: str) -> str:
    """The fingerprint of ``sql``: its shape without values, as readable SQL.

    ``vendor`` is Django's ``connection.vendor`` ("postgresql", "sqlite" or
    "mysql"); an unknown vendor raises ``ValueError``. Literals and
    placeholders (``%s``, ``$1``, ``?``, ``:name``) become ``?``, ``IN``
    lists and multi-row ``VALUES`` collapse, identifier quoting and
    whitespace are normalised. SQL the parser cannot read is normalised
    token by token: this never fails on the SQL itself.
    """

class Plan:
    """A query plan for one context name; ``str(plan)`` is the equivalent Python code."""

    model: str
    passthrough: str | None
    notes: list[str]
    root: dict[str, Any]
    prepared: Any
    def to_json(self) -> str: ...

class Planner:
    """The schema graph (from ``djust.schema.export_schema``) and the bounded plan cache."""

    schema_version: str
    def __init__(self, schema_json: str, capacity: int) -> None: ...
    def lookup(self, key: tuple[str, str, str, str]) -> Plan | None: ...
    def plan(self, key: tuple[str, str, str, str], accesses_json: str, shape_json: str) -> Plan: ...
    def invalidate(self, template: str) -> int: ...
    def clear(self) -> None: ...
    def resize(self, capacity: int) -> None: ...
    def stats(self) -> dict[str, int]: ...

def extract_accesses(name: str, sources: dict[str, str]) -> tuple[str | None, list[str], str]:
    """Access trees of template ``name`` parsed by vdom from ``sources``: ``(json, missing, fingerprint)``."""

# --- Template engine (py/src/template.rs, errors.rs) -------------------------

class TemplateUnsupported(Exception):
    """The template uses a tag the Rust engine cannot run (its own ``Node`` class); render it with Django."""

    djust_template: str | None
    djust_line: int | None
    djust_column: int | None
    djust_span: tuple[int, int] | None

class EnginePanic(RuntimeError):
    """A bug in djust's Rust engine (a panic), raised instead of aborting the process."""

class Environment:
    """Loads, compiles and caches templates; configured once, shared without locks.

    ``loader(name, skip)`` returns ``(name, origin, source)`` or ``None``; ``builtins``
    and ``libraries`` hold library descriptions made by ``djust.template.libraries``.
    """

    def __init__(
        self,
        loader: Callable[[str, list[str]], tuple[str, str, str] | None],
        *,
        autoescape: bool = True,
        string_if_invalid: str = "",
        debug: bool = False,
        builtins: Sequence[Mapping[str, Any]] | None = None,
        libraries: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None: ...
    def get_template(self, name: str) -> Template:
        """The named template, compiled once (raises TemplateDoesNotExist / TemplateSyntaxError)."""
    def from_string(self, source: str, name: str | None = None) -> Template:
        """A template compiled from source text (not cached)."""
    def clear_cache(self) -> None:
        """Forget every compiled template."""

class Template:
    """A compiled template."""

    @property
    def name(self) -> str | None: ...
    @property
    def origin(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    def render(self, context: dict[str, Any], request: Any = None) -> str:
        """Render with a context dict (read lazily, never modified)."""

def resolve_variable(context: dict[str, Any], path: str, default: Any = None) -> Any:
    """Resolve a dotted variable against a context dict with the template lookup rules."""

def value_roundtrip(obj: Any) -> Any:
    """Convert an object into an engine value and back (test hook)."""

def host_call(service: str, *args: Any, request: Any = None) -> Any:
    """Call one host service (gettext, format, localtime, reverse, ...) as a render would."""

def current_template_position() -> tuple[str, int, str | None] | None:
    """The template line being rendered on this thread: ``(name, line, origin)``.

    ``name`` is the name the template was loaded by (``"<unknown source>"`` for a
    template string), ``line`` is 1-based, ``origin`` is the file the loader found
    (or None). None outside a render. Read by the N+1 audit for each statement.
    """

# --- Live rendering (py/src/live.rs) ------------------------------------------

class LiveTemplate:
    """A compiled template plus one view's rendered slot values (see ``djust.live``)."""

    def __init__(self, template: Template) -> None:
        """Compile ``template`` into statics and dependency-tracked slots."""
    def mount(self, context: dict[str, Any], request: Any = None) -> str:
        """Render the page, retain the slot values, return the HTML."""
    def update(self, context: dict[str, Any], changed: Any = None, request: Any = None) -> bytes | None:
        """The patch message for the new context, or None when nothing visible changed."""
    def join_payload(self) -> str:
        """The JSON the client needs once to apply patches."""
    def html(self) -> str | None:
        """The HTML of the retained state."""
    def stats(self) -> dict[str, int]:
        """Retained bytes, static bytes, slot and fragment counts, protocol version."""
