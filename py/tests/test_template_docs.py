"""The Python examples in docs/templates.md run."""

import re
from pathlib import Path

from _template_settings import configure

configure()

DOC = Path(__file__).resolve().parents[2] / "docs" / "templates.md"


def test_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 2
    for block in blocks:
        namespace = {"BASE_DIR": Path("/srv/site")}
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
