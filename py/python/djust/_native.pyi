"""Type stubs for the Rust extension module (hand-written; keep in step with py/src)."""

from typing import Any

def version() -> str:
    """The version of the Rust core this extension was built from."""

def json_roundtrip(obj: Any) -> Any:
    """Send plain data (None, bool, int, float, str, list, tuple, dict) through Rust and back."""

class LiveTemplate:
    """A compiled template plus one view's rendered slot values (see djust.live)."""

    def __init__(self, template: Any) -> None:
        """Compile a `Template` (from `Environment.get_template`/`from_string`)."""
    def mount(self, context: dict[str, Any], request: Any = None) -> str: ...
    def update(self, context: dict[str, Any], changed: Any = None, request: Any = None) -> bytes | None: ...
    def join_payload(self) -> str: ...
    def html(self) -> str | None: ...
    def stats(self) -> dict[str, int]: ...
