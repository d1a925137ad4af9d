"""Django's own template tests, run against djust, must not regress.

Runs ``integration/conformance/run.py`` in its own process (it configures
Django for Django's test suite) and compares each module's pass count with
``integration/conformance/baseline.json``.
"""

import json
import subprocess
import sys
from pathlib import Path

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"


def run(engine: str, out: Path) -> dict:
    subprocess.run(
        [sys.executable, str(CONFORMANCE / "run.py"), "--engine", engine, "--no-report", "--json", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.read_text())


def test_harness_passes_every_test_on_djangos_engine(tmp_path):
    """The harness itself is sound: unpatched, Django passes its whole suite."""
    results = run("django", tmp_path / "django.json")
    failures = {m: r["failures"] for m, r in results.items() if r["failures"]}
    assert not failures
    assert sum(r["passed"] for r in results.values()) > 1000


def test_conformance_does_not_regress(tmp_path):
    results = run("djust", tmp_path / "results.json")
    baseline = json.loads((CONFORMANCE / "baseline.json").read_text())
    regressions = {
        module: (results.get(module, {}).get("passed", 0), expected)
        for module, expected in baseline.items()
        if results.get(module, {}).get("passed", 0) < expected
    }
    assert not regressions, f"modules passing fewer tests than recorded (now, baseline): {regressions}"
    assert sum(r["passed"] for r in results.values()) >= sum(baseline.values())
