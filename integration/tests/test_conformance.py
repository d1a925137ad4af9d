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


def test_conformance_does_not_regress(tmp_path):
    out = tmp_path / "results.json"
    subprocess.run(
        [sys.executable, str(CONFORMANCE / "run.py"), "--engine", "djust", "--no-report", "--json", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    results = json.loads(out.read_text())
    baseline = json.loads((CONFORMANCE / "baseline.json").read_text())
    regressions = {
        module: (results.get(module, {}).get("passed", 0), expected)
        for module, expected in baseline.items()
        if results.get(module, {}).get("passed", 0) < expected
    }
    assert not regressions, f"modules passing fewer tests than recorded (now, baseline): {regressions}"
    assert sum(r["passed"] for r in results.values()) >= sum(baseline.values())
