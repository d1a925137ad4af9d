"""The audit as one call: what ``manage.py djust_queries`` runs, usable from tests."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from djust.audit.crawl import (
    PageRun,
    audit_environment,
    discover,
    excluded,
    find_user,
    run_template,
    run_urls,
    settings_urls,
)
from djust.audit.errors import AuditError
from djust.audit.report import DEFAULT_THRESHOLD, AuditReport, Skipped


def run_audit(
    *,
    urls: Sequence[str] = (),
    crawl: bool | None = None,
    exclude: Sequence[str] = (),
    user: str | None = None,
    template: str | None = None,
    variables: Sequence[str] = (),
    threshold: int = DEFAULT_THRESHOLD,
    using: Sequence[str] | None = None,
    fixes: bool = True,
) -> AuditReport:
    """Audit pages and return the report.

    - ``template``: render that template with ``variables``
      (``name=app.Model[:field=value,...]``) instead of requesting URLs;
    - ``urls``: request exactly these paths;
    - ``crawl`` (default: when no ``urls``): every URLconf route without
      arguments, plus ``settings.DJUST_AUDIT_URLS``, minus the ``exclude``
      prefixes and ``settings.DJUST_AUDIT_EXCLUDE``;
    - ``user``: a username to log in as (``--user``);
    - ``fixes``: replay each N+1 with ``djust.optimize`` to report the plan
      that removes it.

    Raises :class:`AuditError` when it cannot run as asked.
    """
    if threshold < 2:
        raise AuditError("the N+1 threshold must be at least 2")
    if template is None and variables:
        raise AuditError("--var needs --template")
    if template is not None and (urls or crawl):
        raise AuditError("--template renders one template; it cannot be combined with --url or --crawl")

    with audit_environment():
        account = find_user(user) if user is not None else None
        runs: list[PageRun]
        skipped: list[Skipped] = []
        if template is not None:
            runs = [run_template(template, variables, user=account, threshold=threshold, using=using)]
        else:
            targets = list(urls)
            if crawl or (crawl is None and not urls):
                found, skipped = discover()
                prefixes = [*exclude, *getattr(settings, "DJUST_AUDIT_EXCLUDE", ())]
                targets += [u for u in [*found, *settings_urls()] if u not in targets and not excluded(u, prefixes)]
                skipped = [s for s in skipped if not excluded(s.route, prefixes)]
            runs = run_urls(targets, user=account, threshold=threshold, using=using)
        if fixes:
            from djust.audit.fixes import attach_fixes

            for run in runs:
                attach_fixes(run, threshold=threshold)
    return AuditReport(pages=[r.report for r in runs], skipped=skipped, threshold=threshold)
