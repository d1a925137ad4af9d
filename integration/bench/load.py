"""WebSocket load: N concurrent live connections to one server process, each sending events.

    .venv/bin/python integration/bench/load.py --connections 1000 --events 10

Starts uvicorn (one process) serving the browser-test site (integration/browser)
on loopback with a fresh SQLite database, GETs the counter page once per
connection (a real session and join token each), opens every WebSocket, joins,
then each connection sends ``--events`` clicks spaced ``--interval`` seconds
apart (jittered) and times each one from send to its reply frame.

Prints p50/p99/max event-to-patch latency, throughput, and the server's
resident memory per joined connection (VmRSS delta / connections). Bounded:
a fixed number of connections and events, then it stops the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from html import unescape
from pathlib import Path

import websockets

INTEGRATION = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(port: int, db: Path, ws: str, deflate: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "browser.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "PYTHONPATH": str(INTEGRATION),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"], cwd=INTEGRATION, env=env, check=True
    )
    cmd = [sys.executable, "-m", "uvicorn", "browser.asgi:application", "--port", str(port), "--ws", ws]
    cmd += ["--ws-per-message-deflate", str(deflate).lower(), "--log-level", "warning", "--backlog", "4096"]
    proc = subprocess.Popen(cmd, cwd=INTEGRATION, env=env)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/counter/", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def get_page(port: int) -> tuple[str, str]:
    """One GET: the session cookie and the join token of a fresh counter page."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/counter/", timeout=30) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        page = response.read().decode()
    return cookie, unescape(re.search(r'dj-token="([^"]*)"', page).group(1))


async def open_view(port: int, cookie: str, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/djust/ws/",
        additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
        max_size=2**22,
        open_timeout=None,
        ping_interval=None,
    )
    await ws.send(json.dumps({"t": "join", "v": 1, "token": token, "url": "/counter/"}))
    joined = json.loads(await ws.recv())
    if joined["t"] != "joined":
        raise RuntimeError(f"join failed: {joined}")
    return ws


async def drive(ws: websockets.ClientConnection, events: int, interval: float, out: list[float]) -> None:
    for ref in range(1, events + 1):
        await asyncio.sleep(random.uniform(0, 2 * interval))
        start = time.perf_counter()
        await ws.send(json.dumps({"t": "event", "ref": ref, "name": "inc", "value": {}}))
        reply = json.loads(await ws.recv())
        out.append(time.perf_counter() - start)
        if reply.get("t") != "reply" or not ("patch" in reply or "html" in reply):
            raise RuntimeError(f"unexpected reply {reply}")


async def main_async(args: argparse.Namespace, port: int, pid: int) -> None:
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(16)

    async def page() -> tuple[str, str]:
        async with sem:
            return await loop.run_in_executor(None, get_page, port)

    pages = await asyncio.gather(*(page() for _ in range(args.connections)))
    before = rss_kb(pid)
    views = []
    for i in range(0, len(pages), 100):  # join in batches so the accept queue never overflows
        views += await asyncio.gather(*(open_view(port, c, t) for c, t in pages[i : i + 100]))
    after = rss_kb(pid)
    latencies: list[float] = []
    started = time.perf_counter()
    cpu_before = cpu_seconds(pid)
    await asyncio.gather(*(drive(ws, args.events, args.interval, latencies) for ws in views))
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(pid) - cpu_before
    settled = rss_kb(pid)
    await asyncio.gather(*(ws.close() for ws in views))
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    q = statistics.quantiles(ms, n=100)
    deflate = "on" if args.deflate else "off"
    print(f"server                 uvicorn --ws {args.ws}, per-message-deflate {deflate}")
    print(f"connections            {len(views)} (one server process, loopback)")
    print(f"events                 {len(ms)} ({args.events} per connection, mean gap {args.interval:.2f}s)")
    print(f"throughput             {len(ms) / elapsed:.0f} events/s over {elapsed:.1f}s")
    print(f"latency p50/p99/max    {q[49]:.2f} / {q[98]:.2f} / {ms[-1]:.2f} ms")
    # CPU the server spent per event (frames, consumer, handler, render, patch): the capacity
    # of one process is about 1 / this per core, whatever the load generator could offer.
    print(
        f"server CPU             {server_cpu:.1f} s during the events: {1000 * server_cpu / len(ms):.2f} ms per event, "
        f"{100 * server_cpu / elapsed:.0f}% of one core"
    )
    print(
        f"server RSS             {before / 1024:.1f} MiB before joins, {after / 1024:.1f} MiB joined, "
        f"{settled / 1024:.1f} MiB after events"
    )
    print(
        f"memory per connection  {(after - before) / len(views):.1f} KiB joined, "
        f"{(settled - before) / len(views):.1f} KiB after events"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0, help="mean seconds between a connection's events")
    parser.add_argument("--ws", default="websockets-sansio", help="uvicorn's WebSocket implementation")
    parser.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="let uvicorn accept permessage-deflate (browsers and this client offer it); djust's deployment "
        "docs turn it off: patches are tens of bytes and each compressing socket keeps zlib state",
    )
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.connections + 256)), hard))
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, Path(tmp) / "load.sqlite3", args.ws, args.deflate)
        try:
            asyncio.run(main_async(args, port, proc.pid))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
