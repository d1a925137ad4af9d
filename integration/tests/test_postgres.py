"""The integration suite really runs against PostgreSQL."""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from .services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_orm_query_runs_on_real_postgresql():
    require_postgres()
    User.objects.create_user("ada", password="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (server_version,) = cursor.fetchone()
    assert server_version.startswith("PostgreSQL")
    assert list(User.objects.filter(username__startswith="a").values_list("username", flat=True)) == ["ada"]
