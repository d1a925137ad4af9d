"""The two access extractors agree: djust's parser (vdom AST, in Rust) and the
walk over Django's own node tree (the fallback for templates vdom cannot parse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template import engines

from djust.template_access import AccessTree, template_accesses, vdom_accesses

TEMPLATES = sorted(
    f"library/{p.name}"
    for p in (Path(__file__).resolve().parent.parent / "library" / "templates" / "library").glob("*.html")
    if p.name != "base.html" and not p.name.startswith("surprise_")
)


def _shape(tree: AccessTree) -> dict[str, Any]:
    """A tree without origins (the two parsers attribute lines the same way, but
    Django tokens carry no line for text-only nodes)."""
    return {
        "flags": (tree.iterated, tree.length, tree.truthy, tree.rendered),
        "children": {k: _shape(v) for k, v in tree.children.items()},
    }


@pytest.mark.parametrize("name", TEMPLATES)
def test_vdom_and_django_extraction_agree(name: str) -> None:
    engine = engines["django"].engine
    ours = vdom_accesses(name, engine)
    theirs = template_accesses(engine.get_template(name), engine)
    assert {k: _shape(v) for k, v in ours.names.items() if k != "forloop"} == {
        k: _shape(v) for k, v in theirs.names.items() if k != "forloop"
    }
    assert ours.parser == "vdom"


def test_vdom_origins_name_the_template_line() -> None:
    engine = engines["django"].engine
    accesses = vdom_accesses("library/include.html", engine)
    title = accesses.names["books"].children["[]"].children["title"]
    assert title.origin == ("library/partials/book_row.html", 1)


def test_templates_vdom_cannot_parse_fall_back_to_django_nodes() -> None:
    """A tag library only Django knows (``{% load library_extras %}``): the plan
    still comes from the real parse, Django's."""
    from djust.optimize import _template, clear_cache

    clear_cache()
    accesses = _template("library/surprise_relation.html")
    assert accesses.parser == "django"
    assert "author" in accesses.names["books"].children["[]"].children
