"""`make demo` (the README's first command) serves the demo over ASGI."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, attempts: int = 600) -> bytes:
    # Bounded by attempts, not by a clock: the build step may be slow on a busy machine.
    for _ in range(attempts):
        if proc.poll() is not None:
            raise AssertionError(f"`make demo` exited with {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered")


def test_make_demo_serves_the_index(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    log = open(tmp_path / "demo.log", "wb")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"DEMO_PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", proc).decode()
        assert "djust demo library" in body
        assert "200 books by 8 authors" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/djust/djust.js", timeout=5) as js:
            assert b"export const VERSION" in js.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        log.close()
        print((tmp_path / "demo.log").read_text())
