"""Test helpers for projects using djust.

- :func:`assert_no_n_plus_one` and :func:`assert_max_queries`: the N+1 audit
  as context managers (implemented in :mod:`djust.audit.assertions`).
"""

from djust.audit.assertions import assert_max_queries, assert_no_n_plus_one

__all__ = ["assert_max_queries", "assert_no_n_plus_one"]
"""Helpers for testing djust views in plain pytest."""

from djust.test_client import LiveViewTestClient  # noqa: F401
