"""How integration tests reach real services.

Under CI=true a missing service is a failure, never a skip: the test run must
prove the code against the real thing. Locally, a developer without the
service gets a skip that says how to start it (`make services`).
"""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    if available:
        return
    message = f"{what} is not available; `make services` starts it"
    if IN_CI:
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


def require_postgres() -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
