"""djust._native.fingerprint: SQL shapes from the Rust planner."""

import pytest

from djust import _native

DJANGO_PG = (
    'SELECT "auth_user"."id", "auth_user"."username" FROM "auth_user" '
    'WHERE "auth_user"."id" IN (%s, %s, %s) ORDER BY "auth_user"."id" ASC LIMIT 21'
)


def test_values_and_list_lengths_do_not_matter():
    short = 'SELECT "auth_user"."id", "auth_user"."username" FROM "auth_user" WHERE "auth_user"."id" IN (7) ORDER BY "auth_user"."id" ASC LIMIT 5'
    assert _native.fingerprint(DJANGO_PG, "postgresql") == _native.fingerprint(short, "postgresql")
    assert _native.fingerprint(DJANGO_PG, "postgresql") == (
        "SELECT auth_user.id, auth_user.username FROM auth_user WHERE auth_user.id IN (...) ORDER BY auth_user.id ASC LIMIT ?"
    )


def test_vendors_share_fingerprints():
    mysql = DJANGO_PG.replace('"', "`")
    assert _native.fingerprint(mysql, "mysql") == _native.fingerprint(DJANGO_PG, "postgresql")
    assert _native.fingerprint(DJANGO_PG, "sqlite") == _native.fingerprint(DJANGO_PG, "postgresql")


def test_different_columns_differ():
    other = DJANGO_PG.replace('"auth_user"."username"', '"auth_user"."email"')
    assert _native.fingerprint(other, "postgresql") != _native.fingerprint(DJANGO_PG, "postgresql")


@pytest.mark.parametrize("sql", ["", "SELEKT ((( 'x", "\x00\uffff", "%s %s %%", "/* only a comment"])
def test_any_input_gets_a_fingerprint(sql):
    assert isinstance(_native.fingerprint(sql, "postgresql"), str)


def test_unknown_vendor_is_a_value_error():
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        _native.fingerprint("SELECT 1", "oracle")
