"""The N+1 audit: record every statement a page runs, group them by SQL
fingerprint, and report N+1 queries and exact duplicates with the template
line that caused them and the plan that removes them.

``manage.py djust_queries`` and :mod:`djust.testing` are thin layers over
:func:`run_audit`, :class:`Recorder` and :func:`page_report`.
"""

from typing import Any

from djust.audit.errors import AuditError
from djust.audit.recorder import Recorder, Statement
from djust.audit.report import AuditReport, Group, Limits, PageReport, page_report

__all__ = [
    "AuditError",
    "AuditReport",
    "Group",
    "Limits",
    "PageReport",
    "Recorder",
    "Statement",
    "page_report",
    "run_audit",
]


def __getattr__(name: str) -> Any:
    # run_audit pulls in the test client and the URLconf: import it on use.
    if name == "run_audit":
        from djust.audit.runner import run_audit

        return run_audit
    raise AttributeError(name)
