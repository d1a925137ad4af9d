"""The fix for each N+1: the plan ``djust.optimize`` makes, checked by replay.

For a page's template renders (captured with their contexts), every context
name bound to a QuerySet is a candidate. The render is replayed twice with
fresh clones of its querysets: once as is (the baseline, which must show the
N+1 again) and once with that name passed through ``djust.optimize``. An N+1
present in the baseline and gone with the plan is removed by it; its fix is
the plan as Python code (``str(djust.plan_for(...))``). An N+1 that no plan
removes is reported with ``optimize_removes = False`` (fix it by hand); one
the replay cannot reproduce (made outside the template, or by objects the
view built) keeps ``None``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from djust.audit.crawl import PageRun, Render
from djust.audit.recorder import Recorder
from djust.audit.report import Group, analyse

logger = logging.getLogger("djust.audit")

# An N+1 is identified across replays by its shape and the line that ran it.
Site = tuple[str, str, Any]


def _site(group: Group) -> Site:
    return (group.alias, group.fingerprint, group.template_origin or group.python_origin)


def _fresh(context: dict[str, Any]) -> dict[str, Any]:
    # Clones forget the result cache and the related objects cached on its rows.
    return {k: v.all() if isinstance(v, QuerySet) else v for k, v in context.items()}


def _replay(render: Render, context: dict[str, Any], threshold: int) -> set[Site] | None:
    """The N+1 sites of one replay, or None if it failed."""
    with Recorder() as rec:
        try:
            render.render(context)
        except Exception as exc:  # a plan that misses a path raises in strict mode
            logger.debug("replay of %s failed: %s", render.name, exc)
            return None
    return {_site(g) for g in analyse(rec.statements, threshold=threshold)[0]}


def _candidates(run: PageRun) -> Iterator[tuple[Render, str, QuerySet]]:
    seen: set[int] = set()
    for render in run.renders:
        for name, value in render.context.items():
            if isinstance(value, QuerySet) and id(value) not in seen and name.isidentifier():
                seen.add(id(value))
                yield render, name, value


def attach_fixes(run: PageRun, *, threshold: int) -> None:
    """Set ``fix``, ``fix_target`` and ``optimize_removes`` on the page's N+1 groups."""
    groups = run.report.n_plus_one
    if not groups:
        return
    import djust.optimize as optimize  # the planner imports the ORM: only when needed

    pending = {_site(g): g for g in groups}
    reproduced: set[Site] = set()
    baselines: dict[int, set[Site] | None] = {}
    for render, name, qs in _candidates(run):
        if not pending:
            break
        template = render.name or render.template
        if id(render) not in baselines:
            baselines[id(render)] = _replay(render, _fresh(render.context), threshold)
        baseline = baselines[id(render)]
        if baseline is None:
            continue
        reproduced |= baseline & pending.keys()
        try:
            planned = optimize.optimize(qs.all(), template=template, name=name)
        except Exception as exc:  # an unplannable template or queryset
            logger.debug("no plan for %s in %s: %s", name, render.name, exc)
            continue
        after = _replay(render, {**_fresh(render.context), name: planned}, threshold)
        if after is None:
            continue
        for site in (baseline - after) & pending.keys():
            group = pending.pop(site)
            group.fix = str(optimize.plan_for(qs.all(), template=template, name=name))
            group.fix_target = (render.name or "<template>", name)
            group.optimize_removes = True
    for site, group in pending.items():
        if site in reproduced:
            group.optimize_removes = False
