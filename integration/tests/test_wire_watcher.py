"""The wire watcher (`djust-wire`) between Django/psycopg and real PostgreSQL.

The watcher counts statements on the server side of the connection, so these
tests check query counts independently of Django's own instrumentation. The
session fixture builds the binary with cargo (a no-op when it is up to date),
so a fresh clone needs nothing more than `make integration`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import psycopg
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djust import _native
from djust.sqltag import request_tagger, tag_sql

from .services import IN_CI, require, require_postgres

pytestmark = [pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
# The debug build: `make test` has already built it for `cargo test --all-features`,
# so this costs nothing, where a release build would add minutes to the suite.
BINARY = REPO / "target" / "debug" / "djust-wire"


@dataclass
class Watcher:
    host: str
    port: int
    stats_url: str

    def stats(self) -> dict[str, Any]:
        with urlopen(f"{self.stats_url}/stats") as response:
            return json.load(response)

    def request(self, request_id: str) -> dict[str, Any]:
        return self.stats()["requests"].get(request_id, {"statements": 0, "fingerprints": {}})

    def connection(self, application_name: str) -> dict[str, Any]:
        found = [c for c in self.stats()["connections"] if c["application_name"] == application_name]
        assert len(found) == 1, found
        return found[0]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def wire_binary() -> Path:
    cargo = shutil.which("cargo")
    if cargo is None and not IN_CI and BINARY.exists():
        return BINARY
    require(cargo is not None, "cargo (to build djust-wire)")
    subprocess.run(
        [cargo, "build", "-p", "djust-planner", "--features", "wire", "--bin", "djust-wire"],
        cwd=REPO,
        check=True,
    )
    return BINARY


def _server() -> tuple[str, int]:
    settings = connection.settings_dict
    return settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)


@pytest.fixture(scope="session")
def watcher(wire_binary: Path) -> Iterator[Watcher]:
    require_postgres()
    host, port = _server()
    process = subprocess.Popen(
        [str(wire_binary), "--listen", "127.0.0.1:0", "--stats", "127.0.0.1:0", "--upstream", f"{host}:{port}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        proxy_host, proxy_port = ready["proxy"].rsplit(":", 1)
        yield Watcher(proxy_host, int(proxy_port), f"http://{ready['stats']}")
    finally:
        process.terminate()
        process.wait()


@pytest.fixture
def through_watcher(watcher: Watcher) -> Iterator[Watcher]:
    """Django's default connection, re-pointed at the watcher for one test."""
    settings = connection.settings_dict
    saved = (settings["HOST"], settings["PORT"])
    connection.close()
    settings["HOST"], settings["PORT"] = watcher.host, str(watcher.port)
    try:
        yield watcher
    finally:
        connection.close()
        settings["HOST"], settings["PORT"] = saved


def psycopg_connect(host: str, port: int, application_name: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=host,
        port=port,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        application_name=application_name,
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_orm_n_plus_one_counted_exactly_per_request(through_watcher):
    for i in range(3):
        User.objects.create_user(f"reader{i}").groups.add(Group.objects.create(name=f"g{i}"))
    request_id = unique("GET /books/")
    with CaptureQueriesContext(connection) as django_side, connection.execute_wrapper(request_tagger(request_id)):
        for user in User.objects.order_by("id"):
            list(user.groups.all())
    counted = through_watcher.request(request_id)
    assert counted["statements"] == 4 == len(django_side.captured_queries)
    assert sorted(counted["fingerprints"].values()) == [1, 3]
    # The watcher groups exactly as the binding fingerprints what Django ran.
    expected: dict[str, int] = {}
    for query in django_side.captured_queries:
        fp = _native.fingerprint(query["sql"], "postgresql")
        expected[fp] = expected.get(fp, 0) + 1
    assert counted["fingerprints"] == expected


@pytest.mark.django_db(transaction=True)
def test_prefetch_removes_the_n_plus_one_on_the_server(through_watcher):
    for i in range(5):
        User.objects.create_user(f"p{i}").groups.add(Group.objects.create(name=f"pg{i}"))
    request_id = unique("prefetch")
    with connection.execute_wrapper(request_tagger(request_id)):
        names = [[g.name for g in u.groups.all()] for u in User.objects.prefetch_related("groups")]
    assert sorted(names) == [[f"pg{i}"] for i in range(5)]
    assert through_watcher.request(request_id)["statements"] == 2


QUERIES = [
    ("SELECT %s::int + 1, %s::text, NULL", (41, "é ☃")),
    ("SELECT g, g * 1.5, md5(g::text) FROM generate_series(1, %s) g", (300,)),
    ("SELECT typname, typlen FROM pg_type WHERE oid < %s ORDER BY oid", (30,)),
    ("SELECT ARRAY[1, 2, NULL], '{\"a\": [1, 2]}'::jsonb, now() - now()", ()),
]


def run_queries(conn: psycopg.Connection) -> list[list[tuple[Any, ...]]]:
    with conn.cursor() as cur:
        results = []
        for sql, params in QUERIES:
            cur.execute(sql, params)
            results.append(cur.fetchall())
        return results


def test_psycopg_results_identical_direct_and_proxied(watcher):
    app = unique("psycopg-same")
    with psycopg_connect(*_server(), "direct") as direct, psycopg_connect(watcher.host, watcher.port, app) as proxied:
        assert run_queries(direct) == run_queries(proxied)
        with pytest.raises(psycopg.errors.DivisionByZero):
            proxied.execute("SELECT 1/0")
        assert proxied.execute("SELECT 'fine after an error'").fetchone() == ("fine after an error",)
    assert watcher.connection(app)["statements"] == len(QUERIES) + 2


def test_psycopg_prepared_statements_count_executions(watcher):
    app = unique("psycopg-prepared")
    with psycopg_connect(watcher.host, watcher.port, app) as conn:
        for i in range(6):
            assert conn.execute("SELECT %s::int * 2", (i,), prepare=True).fetchone() == (2 * i,)
    counted = watcher.connection(app)
    assert counted["statements"] == 6
    assert counted["fingerprints"] == {"SELECT ?::INT * ?": 6}


def test_psycopg_pipeline_counts_every_statement(watcher):
    app = unique("psycopg-pipeline")
    request_id = unique("pipeline")
    with psycopg_connect(watcher.host, watcher.port, app) as conn:
        with conn.pipeline(), conn.cursor() as cur:
            for i in range(10):
                cur.execute(tag_sql("SELECT %s::int", request_id), (i,))
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert watcher.request(request_id)["statements"] == 10
    assert watcher.connection(app)["statements"] == 11


def test_psycopg_copy_and_notify(watcher):
    app = unique("psycopg-copy")
    channel = unique("chan").replace("-", "_")
    with psycopg_connect(watcher.host, watcher.port, app) as conn, psycopg_connect(*_server(), "notifier") as direct:
        conn.execute("CREATE TEMP TABLE wire_copy (id int, name text)")
        rows = [(i, f"name {i}") for i in range(2000)]
        with conn.cursor() as cur:
            with cur.copy("COPY wire_copy FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy("COPY wire_copy TO STDOUT") as copy:
                assert [(int(a), b) for a, b in copy.rows()] == rows
        conn.execute(f"LISTEN {channel}")
        direct.execute("SELECT pg_notify(%s, 'through the watcher')", (channel,))
        note = next(conn.notifies())
        assert (note.channel, note.payload) == (channel, "through the watcher")
    assert watcher.connection(app)["statements"] == 4
