"""Helpers for testing djust views in plain pytest."""

from djust.test_client import LiveViewTestClient  # noqa: F401
