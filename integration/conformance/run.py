#!/usr/bin/env python
"""Run Django's own template test suite against djust's Rust engine.

    .venv/bin/python integration/conformance/run.py                 # djust, writes CONFORMANCE.md
    .venv/bin/python integration/conformance/run.py --engine django # validates the harness
    .venv/bin/python integration/conformance/run.py --json out.json # machine-readable results

Django's tests (``tests/template_tests/syntax_tests`` and ``filter_tests`` from
the Django source distribution, fetched by ``fetch_django_tests.sh``) run
unmodified: their ``setup()`` decorator builds ``django.template.Engine``
objects, and with ``--engine djust`` every such ``Engine`` is djust's
``ConformanceEngine`` (see ``adapter.py``), which compiles and renders with
the Rust engine using the same loaders, libraries and options.

A test counts as passed for djust only if it passed *and* rendered through
djust at least once; tests that never reach an engine (pure-Python helpers)
are reported separately as "not engine tests".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import unittest
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from pkgutil import walk_packages

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SUITES = ["template_tests.syntax_tests", "template_tests.filter_tests"]
BASELINE = HERE / "baseline.json"
EXCLUSIONS = HERE / "exclusions.json"
REPORT = ROOT / "integration" / "CONFORMANCE.md"


def fetch_tests() -> Path:
    """Path of Django's ``tests/`` directory (downloaded once)."""
    out = subprocess.run(
        ["bash", str(HERE / "fetch_django_tests.sh")],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
    )
    return Path(out.stdout.strip().splitlines()[-1]) / "tests"


def configure_django(tests_dir: Path) -> None:
    """The settings Django's ``runtests.py`` gives the template tests."""
    sys.path.insert(0, str(tests_dir))
    # Django's own settings module sets the process time zone from TIME_ZONE
    # (default America/Chicago); settings.configure() does not, and the
    # timesince/timeuntil tests depend on it.
    os.environ["TZ"] = "America/Chicago"
    time.tzset()
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="django_tests_secret_key",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sites",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.admin.apps.SimpleAdminConfig",
            "django.contrib.staticfiles",
            "template_tests",
        ],
        ROOT_URLCONF="template_tests.urls",
        STATIC_URL="static/",
        LANGUAGE_CODE="en",
        SITE_ID=1,
        USE_TZ=False,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
            }
        ],
        MIGRATION_MODULES={"auth": None, "contenttypes": None, "sessions": None},
        LOGGING_CONFIG=None,
    )
    django.setup()


def test_modules() -> list[str]:
    """Every ``test_*`` module of the suites, in a stable order."""
    names = []
    for suite in SUITES:
        pkg = import_module(suite)
        for info in walk_packages(pkg.__path__, suite + "."):
            if info.name.rsplit(".", 1)[-1].startswith("test_"):
                names.append(info.name)
    return sorted(names)


@dataclass
class ModuleResult:
    """Outcomes of one test module."""

    total: int = 0
    passed: int = 0
    not_engine: int = 0
    fallback: int = 0
    skipped: int = 0
    failures: dict[str, str] = field(default_factory=dict)


class Recorder(unittest.TestResult):
    """Per-test outcomes, and whether the test rendered through the engine under test."""

    def __init__(self, renders: list[int] | None, fallbacks: list[int] | None) -> None:
        super().__init__()
        self.renders = renders
        self.fallbacks = fallbacks
        self.outcome: dict[str, tuple[str, str]] = {}
        self._before = 0
        self._fallbacks_before = 0

    def startTest(self, test: unittest.TestCase) -> None:  # noqa: N802 - unittest API
        super().startTest(test)
        self._before = self.renders[0] if self.renders is not None else 0
        self._fallbacks_before = self.fallbacks[0] if self.fallbacks is not None else 0
        self.outcome[test.id()] = ("pass", "")

    def _fail(self, test: unittest.TestCase, err, kind: str) -> None:
        exc = err[1]
        message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        self.outcome[test.id()] = (kind, message[:300])

    def addError(self, test, err) -> None:  # noqa: N802
        super().addError(test, err)
        self._fail(test, err, "error")

    def addFailure(self, test, err) -> None:  # noqa: N802
        super().addFailure(test, err)
        self._fail(test, err, "fail")

    def addSkip(self, test, reason) -> None:  # noqa: N802
        super().addSkip(test, reason)
        self.outcome[test.id()] = ("skip", reason)

    def addExpectedFailure(self, test, err) -> None:  # noqa: N802
        super().addExpectedFailure(test, err)
        self.outcome[test.id()] = ("pass", "")

    def addUnexpectedSuccess(self, test) -> None:  # noqa: N802
        super().addUnexpectedSuccess(test)
        self.outcome[test.id()] = ("fail", "unexpected success")

    def stopTest(self, test: unittest.TestCase) -> None:  # noqa: N802
        super().stopTest(test)
        kind, message = self.outcome[test.id()]
        if kind == "pass" and self.renders is not None and self.renders[0] == self._before:
            used_django = self.fallbacks is not None and self.fallbacks[0] != self._fallbacks_before
            self.outcome[test.id()] = ("fallback" if used_django else "not_engine", "")


def run(engine: str) -> dict[str, ModuleResult]:
    """Run every module; with ``engine='djust'`` Django's ``Engine`` is djust's."""
    from django.test.utils import setup_test_environment

    setup_test_environment()
    renders = fallbacks = None
    if engine == "djust":
        sys.path.insert(0, str(HERE))
        import adapter

        adapter.install()
        renders = adapter.RENDERS
        fallbacks = adapter.FALLBACKS
    results: dict[str, ModuleResult] = {}
    loader = unittest.TestLoader()
    for name in test_modules():
        module = import_module(name)
        if engine == "djust":
            adapter.patch_module(module)
        recorder = Recorder(renders, fallbacks)
        loader.loadTestsFromModule(module).run(recorder)
        short = name.removeprefix("template_tests.")
        res = results[short] = ModuleResult()
        for test_id, (kind, message) in recorder.outcome.items():
            res.total += 1
            if kind == "pass":
                res.passed += 1
            elif kind == "not_engine":
                res.not_engine += 1
            elif kind == "fallback":
                res.fallback += 1
            elif kind == "skip":
                res.skipped += 1
            else:
                res.failures[test_id.removeprefix("template_tests.")] = message
    return results


def reason_for(test_id: str, message: str, exclusions: dict[str, str]) -> str:
    """The recorded reason for a failing test (longest matching id prefix)."""
    best = ""
    for prefix in exclusions:
        if test_id.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return exclusions[best] if best else f"unclassified: {message}"


def write_report(results: dict[str, ModuleResult], engine: str, django_version: str) -> str:
    exclusions = json.loads(EXCLUSIONS.read_text()) if EXCLUSIONS.exists() else {}
    total = sum(r.total for r in results.values())
    passed = sum(r.passed for r in results.values())
    not_engine = sum(r.not_engine for r in results.values())
    fallback = sum(r.fallback for r in results.values())
    skipped = sum(r.skipped for r in results.values())
    engine_tests = total - not_engine - fallback - skipped
    lines = [
        "# Conformance with Django's template test suite",
        "",
        f"Django {django_version}'s own tests (`tests/template_tests/syntax_tests/` and",
        "`filter_tests/` from the source distribution, run unmodified) against the",
        f"**{engine}** engine. Regenerate with `.venv/bin/python integration/conformance/run.py`;",
        "`integration/tests/test_conformance.py` fails if a module passes fewer tests than",
        "`integration/conformance/baseline.json` records.",
        "",
        f"**{passed} / {engine_tests}** engine tests pass"
        f" ({skipped} skipped by Django itself; {not_engine} never reach a template engine: they"
        f" call filter functions directly; {fallback} pass because djust hands the template to"
        " Django: it uses a tag with its own `Node` class).",
        "",
        "| module | tests | passed | failing | Django fallback | not engine | skipped |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in sorted(results.items()):
        counts = (r.total, r.passed, len(r.failures), r.fallback, r.not_engine, r.skipped)
        lines.append(f"| `{name}` | " + " | ".join(map(str, counts)) + " |")
    lines += ["", "## Remaining exclusions", ""]
    by_reason: dict[str, list[str]] = defaultdict(list)
    for r in results.values():
        for test_id, message in r.failures.items():
            by_reason[reason_for(test_id, message, exclusions)].append(test_id)
    if not by_reason:
        lines.append("None.")
    for reason, ids in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"### {reason} ({len(ids)})")
        lines.append("")
        lines += [f"- `{i}`" for i in sorted(ids)]
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["djust", "django"], default="djust")
    parser.add_argument("--json", type=Path, help="write per-module results as JSON here")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite CONFORMANCE.md")
    parser.add_argument("--update-baseline", action="store_true", help="record these pass counts")
    args = parser.parse_args(argv)

    configure_django(fetch_tests())
    import django

    results = run(args.engine)
    width = max(len(n) for n in results)
    for name, r in sorted(results.items()):
        print(f"{name:<{width}}  {r.passed:>4} / {r.total - r.not_engine - r.fallback - r.skipped:<4}")
    passed = sum(r.passed for r in results.values())
    considered = sum(r.total - r.not_engine - r.fallback - r.skipped for r in results.values())
    print(f"{'TOTAL':<{width}}  {passed:>4} / {considered}")

    if args.json:
        args.json.write_text(
            json.dumps(
                {name: {**vars(r)} for name, r in sorted(results.items())},
                indent=1,
                sort_keys=True,
            )
        )
    if args.engine == "djust" and not args.no_report:
        REPORT.write_text(write_report(results, args.engine, django.__version__))
    if args.update_baseline:
        BASELINE.write_text(
            json.dumps({name: r.passed for name, r in sorted(results.items())}, indent=1, sort_keys=True) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
