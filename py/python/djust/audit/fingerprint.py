"""SQL fingerprints: the shape of a statement without its values.

The normaliser is the Rust one (``djust._native.fingerprint``, sqlparser-based:
literals and placeholders become ``?``, ``IN`` lists collapse), shared with the
wire watcher so both count the same groups. This module is the audit's only
door to it.
"""

from __future__ import annotations

from functools import lru_cache

from djust import _native


@lru_cache(maxsize=4096)
def fingerprint(sql: str, vendor: str) -> str:
    """The fingerprint of ``sql`` as ``vendor`` (Django's ``connection.vendor``) speaks it.

    Cached: an N+1 runs the same SQL text many times with different parameters.
    Vendors the normaliser has no dialect for (Oracle, SQL Server...) are read
    as PostgreSQL, the closest to standard SQL; what it cannot parse is still
    normalised token by token.
    """
    if vendor not in _KNOWN_VENDORS:
        vendor = "postgresql"
    return _native.fingerprint(sql, vendor)


_KNOWN_VENDORS = frozenset({"postgresql", "sqlite", "mysql"})
