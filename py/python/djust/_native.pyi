"""Type stubs for the Rust extension module (hand-written; keep in step with py/src)."""

from typing import Any

def version() -> str:
    """The version of the Rust core this extension was built from."""

def json_roundtrip(obj: Any) -> Any:
    """Send plain data (None, bool, int, float, str, list, tuple, dict) through Rust and back."""

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
