"""Type stubs for the Rust extension module (hand-written; keep in step with py/src)."""

from typing import Any

def version() -> str:
    """The version of the Rust core this extension was built from."""

def json_roundtrip(obj: Any) -> Any:
    """Send plain data (None, bool, int, float, str, list, tuple, dict) through Rust and back."""
