"""pytest helpers: fail a test on an N+1 or on too many queries, with the report.

::

    from djust.testing import assert_max_queries, assert_no_n_plus_one

    def test_posts_page(client):
        with assert_no_n_plus_one():
            client.get("/posts/")
        with assert_max_queries(3):
            client.get("/posts/")
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from djust.audit.recorder import Recorder
from djust.audit.report import DEFAULT_THRESHOLD, AuditReport, PageReport, page_report


def _label(depth: int) -> str:
    # The caller's `with` line names the block in the report.
    frame = sys._getframe(depth + 1)
    return f"block at {os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


@contextmanager
def _recorded(label: str, threshold: int, using: Sequence[str] | None) -> Iterator[tuple[Recorder, list[PageReport]]]:
    out: list[PageReport] = []
    with Recorder(using) as rec:
        yield rec, out
    out.append(page_report(label, rec.statements, kind="block", threshold=threshold))


@contextmanager
def assert_no_n_plus_one(
    *, threshold: int = DEFAULT_THRESHOLD, using: Sequence[str] | None = None
) -> Iterator[Recorder]:
    """Fail if the block runs an N+1 (the same query shape ``threshold`` or
    more times with different parameters). The recorder is yielded, so the
    block can also inspect ``recorder.statements``."""
    with _recorded(_label(2), threshold, using) as (rec, out):
        yield rec
    page = out[0]
    if page.n_plus_one:
        report = AuditReport(pages=[page], threshold=threshold)
        found = len(page.n_plus_one)
        raise AssertionError(f"{found} N+1 quer{'y' if found == 1 else 'ies'} found:\n\n{report.render_text()}")


@contextmanager
def assert_max_queries(
    n: int, *, threshold: int = DEFAULT_THRESHOLD, using: Sequence[str] | None = None
) -> Iterator[Recorder]:
    """Fail if the block runs more than ``n`` statements; the message is the
    audit report of the block (with any N+1 it contains)."""
    with _recorded(_label(2), threshold, using) as (rec, out):
        yield rec
    page = out[0]
    if page.queries > n:
        report = AuditReport(pages=[page], threshold=threshold)
        raise AssertionError(f"{page.queries} queries, more than {n}:\n\n{report.render_text()}")
