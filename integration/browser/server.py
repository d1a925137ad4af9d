"""A uvicorn server in a subprocess for browser tests: started, killed and restarted at will."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parents[1]

# The WebSocket settings docs/liveview.md recommends (and `make demo` uses):
# the sans-I/O implementation, no permessage-deflate (see "Serving it").
UVICORN_WS = ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
#: Debian's Chromium under Playwright (its own browser download does not work here).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving integration/browser on a fixed port; killable and restartable."""

    def __init__(self, tmp: Path, settings: str, app: str, cwd: Path, probe: str = "/counter/") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app, self.cwd, self.probe = app, cwd, probe
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}",
            "PYTHONPATH": f"{cwd}{os.pathsep}{INTEGRATION}",
        }
        self.log = tmp / "server.log"
        self.proc: subprocess.Popen | None = None
        self.manage("migrate", "--noinput", "-v", "0")

    def manage(self, *args: str) -> None:
        """Run a management command against this server's settings and database."""
        subprocess.run([sys.executable, "-m", "django", *args], cwd=self.cwd, env=self.env, check=True)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", self.app, "--port", str(self.port), *UVICORN_WS],
            cwd=self.cwd,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(600):  # bounded by attempts, not by a clock
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited:\n{self.log.read_text()}")
            try:
                urllib.request.urlopen(self.url + self.probe, timeout=5).read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server never answered")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
