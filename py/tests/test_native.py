"""The extension module loads and calls into Rust."""

import djust
from djust import _native


def test_core_version_matches_distribution():
    assert _native.version() == djust.core_version()
    assert djust.__version__.startswith(_native.version())


def test_plain_data_round_trips_through_rust():
    data = {"name": "djust", "n": 3, "ratio": 0.5, "ok": True, "none": None, "items": [1, "two", (3,)]}
    assert _native.json_roundtrip(data) == {**data, "items": [1, "two", [3]]}


def test_unconvertible_data_is_a_type_error():
    import pytest

    with pytest.raises(TypeError, match="cannot convert"):
        _native.json_roundtrip(object())
    with pytest.raises(TypeError, match="str keys"):
        _native.json_roundtrip({1: "a"})
