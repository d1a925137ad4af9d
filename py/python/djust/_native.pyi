"""Type stubs for the Rust extension module (hand-written; keep in step with py/src)."""

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
