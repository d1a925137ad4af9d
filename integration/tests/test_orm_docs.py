"""docs/orm.md is runnable: its Python blocks execute in order, and the
`text` block after a `print(plan)` is what that plan prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from library.seed import seed

from djust.optimize import clear_cache

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DOC = Path(__file__).resolve().parents[2] / "docs" / "orm.md"
BLOCK = re.compile(r"```(python|text)\n(.*?)```", re.S)


def test_docs_examples_run(db: Any) -> None:
    seed(books=6)
    clear_cache()
    namespace: dict[str, Any] = {}
    printed = ""
    blocks = BLOCK.findall(DOC.read_text())
    assert sum(kind == "python" for kind, _ in blocks) >= 6
    for kind, code in blocks:
        if kind == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 (the doc's own examples)
            printed = out.getvalue()
        else:
            assert printed == code, f"docs/orm.md shows:\n{code}\nbut the example prints:\n{printed}"
