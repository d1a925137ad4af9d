"""Round-trip latency of a trivial query, direct vs through djust-wire.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, user postgres):

    .venv/bin/python integration/bench/wire.py [--rounds 5000] [--results integration/bench/RESULTS.md]

It builds the release binary with cargo, starts it on free ports, then times
`SELECT 1` (execute + fetch, psycopg, autocommit) in turn on a direct and
a proxied connection, so drift on a busy machine hits both alike. When
`socat` is installed it also times a third connection through a plain TCP
relay (`socat ... nodelay`, no parsing at all): the cost of one more hop by
itself, which no proxy can go below. It prints medians and the ratios;
`--results` appends the table to RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.request import urlopen

import psycopg

REPO = Path(__file__).resolve().parents[2]
BINARY = REPO / "target" / "release" / "djust-wire"


def build() -> None:
    subprocess.run(
        ["cargo", "build", "--release", "-p", "djust-planner", "--features", "wire", "--bin", "djust-wire"],
        cwd=REPO,
        check=True,
    )


def round_trip_ns(cur: psycopg.Cursor) -> int:
    start = time.perf_counter_ns()
    cur.execute("SELECT 1")
    cur.fetchone()
    return time.perf_counter_ns() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_relay(host: str, port: int) -> tuple[subprocess.Popen, int] | None:
    """A plain TCP relay to PostgreSQL (socat), or None when socat is not installed."""
    socat = shutil.which("socat")
    if socat is None:
        return None
    listen = free_port()
    relay = subprocess.Popen(
        [socat, f"TCP-LISTEN:{listen},bind=127.0.0.1,reuseaddr,fork,nodelay", f"TCP:{host}:{port},nodelay"]
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()
            return relay, listen
        except OSError:
            time.sleep(0.05)
    relay.kill()
    return None


def percentile(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--results", type=Path, help="append the table to this markdown file")
    args = parser.parse_args()

    build()
    proxy = subprocess.Popen(
        [str(BINARY), "--listen", "127.0.0.1:0", "--stats", "127.0.0.1:0", "--upstream", f"{args.host}:{args.port}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    relay = start_relay(args.host, args.port)
    try:
        assert proxy.stdout is not None
        ready = json.loads(proxy.stdout.readline())
        proxy_host, proxy_port = ready["proxy"].rsplit(":", 1)
        common = {"user": args.user, "dbname": "postgres", "autocommit": True, "sslmode": "disable"}
        with ExitStack() as stack:
            connections = {
                "direct": psycopg.connect(host=args.host, port=args.port, **common),
                "proxied": psycopg.connect(host=proxy_host, port=int(proxy_port), **common),
            }
            if relay is not None:
                connections["tcp relay (socat)"] = psycopg.connect(host="127.0.0.1", port=relay[1], **common)
            cursors = {name: stack.enter_context(conn).cursor() for name, conn in connections.items()}
            for cur in cursors.values():
                for _ in range(500):
                    round_trip_ns(cur)
            samples: dict[str, list[int]] = {name: [] for name in cursors}
            names = list(cursors)
            for i in range(args.rounds):
                # Rotate which goes first, so none always follows another.
                k = i % len(names)
                for name in names[k:] + names[:k]:
                    samples[name].append(round_trip_ns(cursors[name]))
        counted = read_stats(ready["stats"])["total"]["statements"]
    finally:
        proxy.terminate()
        proxy.wait()
        if relay is not None:
            relay[0].terminate()
            relay[0].wait()

    median = {name: statistics.median(s) / 1000 for name, s in samples.items()}
    ratio = median["proxied"] / median["direct"]
    # The same ratio per tenth of the run shows how much the machine's load moved it.
    tenth = max(1, args.rounds // 10)
    block_ratios = [
        statistics.median(samples["proxied"][i : i + tenth]) / statistics.median(samples["direct"][i : i + tenth])
        for i in range(0, args.rounds - tenth + 1, tenth)
    ]
    rows = [
        "| connection | median µs | p90 µs | p99 µs |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {median[name]:.1f} | {percentile(s, 0.9):.1f} | {percentile(s, 0.99):.1f} |"
            for name, s in samples.items()
        ),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    summary = (
        f"ratio proxied/direct (median): **{ratio:.2f}x** (target ≤ 1.3x); "
        f"per tenth of the run: {min(block_ratios):.2f}x to {max(block_ratios):.2f}x; load average {load}"
    )
    relayed = median.get("tcp relay (socat)")
    if relayed is not None:
        summary += (
            f"; a plain TCP relay: {relayed / median['direct']:.2f}x direct, "
            f"djust-wire/relay **{median['proxied'] / relayed:.2f}x**"
        )
    print("\n".join(rows))
    print(summary)
    print(f"statements counted by the watcher: {counted}")
    if args.results:
        write_results(args.results, rows, summary, args.rounds)


def read_stats(address: str) -> dict:
    with urlopen(f"http://{address}/stats") as response:
        return json.load(response)


def write_results(path: Path, rows: list[str], summary: str, rounds: int) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    heading = "## Wire watcher (issue 7)"
    if heading not in text:
        what = "`integration/bench/wire.py`: `SELECT 1` round trip (psycopg), direct vs through `djust-wire`."
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{what}\n"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    block = "\n".join([f"{when}, {rounds} rounds each, {machine}:\n", *rows, "", summary, "", ""])
    # At the end of this section, before the next one.
    after = text.find("\n## ", text.index(heading) + len(heading))
    at = len(text) if after < 0 else after + 1
    head = text[:at].rstrip("\n") + "\n\n"
    path.write_text(head + block + text[at:], encoding="utf-8")


if __name__ == "__main__":
    main()
