"""docs/liveview.md's examples run: the counter view and its test, as printed."""

import re
import sys
import types
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "liveview.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def block_with(text: str) -> str:
    (found,) = [b for b in python_blocks() if text in b]
    return found


@pytest.fixture
def counter_module():
    # A real module, so the join token's dotted path imports it.
    module = types.ModuleType("docs_counter_views")
    sys.modules[module.__name__] = module
    exec(compile(block_with("class Counter(LiveView)"), str(DOC), "exec"), module.__dict__)
    yield module
    del sys.modules[module.__name__]


@pytest.mark.django_db
def test_the_documented_counter_and_its_test_pass(counter_module):
    namespace = {"Counter": counter_module.Counter}
    exec(compile(block_with("def test_counter"), str(DOC), "exec"), namespace)
    namespace["test_counter"]()


def test_the_documented_asgi_module_builds_an_application():
    from channels.routing import ProtocolTypeRouter

    namespace: dict = {}
    exec(compile(block_with("live_application(http_app"), str(DOC), "exec"), namespace)
    assert isinstance(namespace["application"], ProtocolTypeRouter)
