"""``manage.py djust_queries``: find N+1 queries, page by page.

Exit codes:

- 0: the audit ran (and, with ``--fail``, every page is within the limits);
- 1: ``--fail`` and a page exceeds ``--max-queries`` or ``--max-n-plus-one``;
- 2: the audit could not run (bad arguments, unknown user, model or template);
- 3: ``--fail`` and a page raised or answered 5xx, so it was not measured.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from djust.audit import AuditError, Limits, run_audit

EXIT_LIMITS = 1
EXIT_USAGE = 2
EXIT_PAGE_ERROR = 3


class Command(BaseCommand):
    help = (
        "Request every page (or --url, or render --template) with every SQL statement "
        "recorded, and report N+1 queries and exact duplicates with the template line "
        "that caused them and the plan that removes them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        pages = parser.add_argument_group("what to audit")
        pages.add_argument(
            "--url", action="append", default=[], dest="urls", metavar="URL", help="a path to GET (repeatable)"
        )
        pages.add_argument(
            "--crawl",
            action="store_true",
            help="with --url: also every route without arguments (the default without --url)",
        )
        pages.add_argument(
            "--exclude", action="append", default=[], metavar="PREFIX", help="skip crawled paths with this prefix"
        )
        pages.add_argument("--user", metavar="USERNAME", help="log in as this user")
        pages.add_argument("--template", metavar="NAME", help="render this template instead of requesting URLs")
        pages.add_argument(
            "--var",
            action="append",
            default=[],
            dest="variables",
            metavar="NAME=APP.MODEL[:FIELD=VALUE,...]",
            help="a queryset in the --template context (repeatable)",
        )
        pages.add_argument("--database", action="append", dest="databases", help="record only these aliases")
        out = parser.add_argument_group("report")
        out.add_argument("--format", choices=["text", "json"], default="text")
        out.add_argument(
            "--threshold", type=int, default=2, help="executions of one query shape that make an N+1 (default 2)"
        )
        out.add_argument("--no-fixes", action="store_true", help="do not replay N+1s with djust.optimize")
        gate = parser.add_argument_group("CI gate")
        gate.add_argument("--fail", action="store_true", help="exit non-zero when a limit is exceeded")
        gate.add_argument("--max-queries", type=int, metavar="N", help="statements allowed per page")
        gate.add_argument(
            "--max-n-plus-one", type=int, metavar="N", help="N+1 groups allowed per page (default with --fail: 0)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = run_audit(
                urls=options["urls"],
                crawl=options["crawl"] or None,
                exclude=options["exclude"],
                user=options["user"],
                template=options["template"],
                variables=options["variables"],
                threshold=options["threshold"],
                using=options["databases"],
                fixes=not options["no_fixes"],
            )
        except AuditError as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from exc

        max_n_plus_one = options["max_n_plus_one"]
        if max_n_plus_one is None and options["fail"]:
            max_n_plus_one = 0
        limits = Limits(max_queries=options["max_queries"], max_n_plus_one=max_n_plus_one)
        if options["format"] == "json":
            self.stdout.write(report.to_json(limits))
        else:
            self.stdout.write(report.render_text(limits), ending="")

        if not options["fail"]:
            return
        if report.errors:
            pages = ", ".join(p.target for p in report.errors)
            raise CommandError(f"pages not measured (error or 5xx): {pages}", returncode=EXIT_PAGE_ERROR)
        failures = report.failures(limits)
        if failures:
            raise CommandError(f"{len(failures)} limit(s) exceeded", returncode=EXIT_LIMITS)
