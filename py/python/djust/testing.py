"""Test helpers for projects using djust.

- :class:`LiveViewTestClient`: mount a live view, send events, read the HTML
  and the patches, without a browser or a server.
- :func:`assert_no_n_plus_one` and :func:`assert_max_queries`: the N+1 audit
  as context managers (implemented in :mod:`djust.audit.assertions`).
"""

from djust.audit.assertions import assert_max_queries, assert_no_n_plus_one
from djust.test_client import LiveViewTestClient

__all__ = ["LiveViewTestClient", "assert_max_queries", "assert_no_n_plus_one"]
