"""Access extraction from Django's own template node tree.

``djust.optimize(qs, template=..., name=...)`` works with any engine; when the
template is a Django-engine template this module walks its compiled node tree
(``Template.nodelist``: the real parse, not a regex) and records, for every
context name, the tree of attribute paths the page reads, in the format of
``djust_planner::access::AccessNode``.

It follows ``for`` loop variables (with unpacking; ``forloop.parentloop``
carries no objects), ``with``, ``include`` (``with``/``only``, literal names),
``extends``/``block`` (the resolved tree, ``block.super`` included),
``regroup``, ``firstof``, ``cycle``, ``if`` truthiness and the filters that
pass objects through. Any other tag's expressions are recorded as values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template import Template as DjangoTemplate
from django.template.base import FilterExpression, Node, NodeList, TextNode, Variable, VariableNode
from django.template.defaulttags import (
    CycleNode,
    FirstOfNode,
    ForNode,
    IfNode,
    RegroupNode,
    WithNode,
)
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode

from djust.introspect import EACH

#: Filters whose result is the same collection (or object) as their input.
PASS_THROUGH = frozenset({"slice", "default", "default_if_none", "dictsort", "dictsortreversed", "safe", "safeseq"})
#: Filters whose result is one element of the input collection.
ELEMENT = frozenset({"first", "last", "random"})
#: Filters that iterate and print every element.
ITERATE = frozenset({"join", "unordered_list"})
#: Filters that take the input's length.
LENGTH = frozenset({"length", "length_is", "pluralize"})
#: Filters that test truthiness.
TRUTH = frozenset({"yesno", "default", "default_if_none"})


@dataclass
class AccessTree:
    """One node of an access tree (mirrors the Rust ``AccessNode``)."""

    children: dict[str, AccessTree] = field(default_factory=dict)
    iterated: bool = False
    length: bool = False
    truthy: bool = False
    rendered: bool = False
    origin: tuple[str, int] | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AccessTree:
        """The inverse of :meth:`to_data` (trees extracted in Rust)."""
        origin = data.get("origin")
        return cls(
            children={k: cls.from_data(v) for k, v in data.get("children", {}).items()},
            iterated=data.get("iterated", False),
            length=data.get("length", False),
            truthy=data.get("truthy", False),
            rendered=data.get("rendered", False),
            origin=(origin["template"], origin["line"]) if origin else None,
        )

    def child(self, name: str, origin: tuple[str, int] | None) -> AccessTree:
        node = self.children.get(name)
        if node is None:
            node = self.children[name] = AccessTree(origin=origin)
        return node

    def to_data(self) -> dict[str, Any]:
        """Plain data in the Rust ``AccessNode`` JSON format."""
        out: dict[str, Any] = {}
        if self.children:
            out["children"] = {k: v.to_data() for k, v in self.children.items()}
        for flag in ("iterated", "length", "truthy", "rendered"):
            if getattr(self, flag):
                out[flag] = True
        if self.origin is not None:
            out["origin"] = {"template": self.origin[0], "line": self.origin[1]}
        return out

    def find_origin(self, segment: str) -> tuple[str, int] | None:
        """Where a path ending in ``segment`` was first read (depth first)."""
        for name, child in self.children.items():
            if name == segment and child.origin is not None:
                return child.origin
            found = child.find_origin(segment)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Ref:
    """A value reachable from a context name: ``root`` then ``path``."""

    root: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class GroupsRef:
    """The list that ``regroup`` produced over ``items`` grouped by ``key``."""

    items: Ref
    key: tuple[str, ...]


@dataclass(frozen=True)
class GroupRef:
    """One group of a regroup result (``.grouper`` and ``.list``)."""

    items: Ref
    key: tuple[str, ...]


Bound = Ref | GroupsRef | GroupRef | None


@dataclass
class TemplateAccesses:
    """Everything one template (with its includes and parents) reads."""

    names: dict[str, AccessTree]
    fingerprint: str
    files: list[str]
    #: Which parser produced the trees: ``vdom`` (djust's) or ``django`` (the fallback).
    parser: str = "django"
    #: Each name's tree as the planner's JSON (made once, on first use).
    raw: dict[str, str] = field(default_factory=dict)

    def tree_json(self, name: str) -> str:
        """The access tree of ``name`` in the Rust ``AccessNode`` JSON format."""
        cached = self.raw.get(name)
        if cached is None:
            tree = self.names.get(name)
            cached = self.raw[name] = json.dumps(tree.to_data() if tree is not None else {})
        return cached


class _Walker:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.names: dict[str, AccessTree] = {}
        self.hash = hashlib.sha256()
        self.files: list[str] = []
        self.origin: tuple[str, int] | None = None
        self.include_depth = 0
        #: Inside ``include ... only``: names the include does not bind are undefined.
        self.isolated = False

    # -- recording -----------------------------------------------------------
    def node_at(self, ref: Ref) -> AccessTree:
        node = self.names.get(ref.root)
        if node is None:
            node = self.names[ref.root] = AccessTree(origin=self.origin)
        for seg in ref.path:
            node = node.child(seg, self.origin)
        return node

    def lookup(self, env: list[dict[str, Bound]], lookups: Iterable[str]) -> Bound:
        parts = list(lookups)
        head, rest = parts[0], parts[1:]
        bound: Bound = None if self.isolated else Ref(head, ())
        for scope in reversed(env):
            if head in scope:
                bound = scope[head]
                break
        if head == "forloop" and not any("forloop" in s for s in env):
            bound = Ref(head, ())
        for seg in rest:
            bound = self.step(bound, seg)
        return bound

    def step(self, bound: Bound, seg: str) -> Bound:
        if bound is None:
            return None
        if isinstance(bound, Ref):
            return Ref(bound.root, (*bound.path, seg))
        if isinstance(bound, GroupRef):
            if seg == "grouper":
                return Ref(bound.items.root, (*bound.items.path, EACH, *bound.key))
            if seg == "list":
                return bound.items
            return None
        # Attributes of the regroup list itself (length, first...): treat as the items.
        if seg.isdigit() or seg in {"first", "last"}:
            return GroupRef(bound.items, bound.key)
        return None

    # -- expressions ---------------------------------------------------------
    def expr(self, fe: Any, env: list[dict[str, Bound]], use: str | None) -> Bound:
        """Record a FilterExpression; mark its final value with ``use``."""
        if not isinstance(fe, FilterExpression):
            if isinstance(fe, Variable) and fe.lookups is not None:
                bound = self.lookup(env, fe.lookups)
                self.mark(bound, use)
                return bound
            return None
        var = fe.var
        bound: Bound = None
        if isinstance(var, Variable) and var.lookups is not None:
            bound = self.lookup(env, var.lookups)
        for func, args in fe.filters:
            for is_lookup, arg in args:
                if is_lookup and isinstance(arg, Variable) and arg.lookups is not None:
                    self.mark(self.lookup(env, arg.lookups), "rendered")
            name = getattr(func, "_filter_name", getattr(func, "__name__", ""))
            if bound is None:
                continue
            if name in TRUTH:
                self.mark(bound, "truthy")
            if name in {"dictsort", "dictsortreversed"}:
                self.mark(bound, "iterated")
                key = args[0][1] if args else None
                if isinstance(key, str) and isinstance(bound, Ref):
                    self.node_at(Ref(bound.root, (*bound.path, EACH, *key.split("."))))
                continue
            if name in PASS_THROUGH:
                continue
            if name in ELEMENT:
                self.mark(bound, "iterated")
                bound = self.element(bound)
                continue
            if name in ITERATE:
                self.mark(bound, "iterated")
                self.mark(self.element(bound), "rendered")
            elif name in LENGTH:
                self.mark(bound, "length")
            elif name not in TRUTH:
                # Any other filter consumes the value (a model prints through __str__).
                self.mark(bound, "rendered")
            bound = None
        self.mark(bound, use)
        return bound

    def element(self, bound: Bound) -> Bound:
        if isinstance(bound, Ref):
            return Ref(bound.root, (*bound.path, EACH))
        if isinstance(bound, GroupsRef):
            return GroupRef(bound.items, bound.key)
        if isinstance(bound, GroupRef):
            return Ref(bound.items.root, (*bound.items.path, EACH))
        return None

    def mark(self, bound: Bound, use: str | None) -> None:
        if bound is None:
            return
        if isinstance(bound, (GroupsRef, GroupRef)):
            # Using the regroup list (or a group) reads every item and its key.
            self.node_at(bound.items).iterated = True
            self.node_at(Ref(bound.items.root, (*bound.items.path, EACH, *bound.key)))
            return
        node = self.node_at(bound)
        if use is not None:
            setattr(node, use, True)

    def condition(self, cond: Any, env: list[dict[str, Bound]], use: str) -> None:
        value = getattr(cond, "value", None)
        if isinstance(value, FilterExpression):  # TemplateLiteral
            self.expr(value, env, use)
            return
        op = getattr(cond, "id", None)
        inner = "truthy" if op in {"and", "or", "not"} else None
        for side in (getattr(cond, "first", None), getattr(cond, "second", None)):
            if side is not None:
                self.condition(side, env, inner or "rendered")

    # -- nodes ---------------------------------------------------------------
    def nodelist(
        self, nodes: NodeList | Iterable[Node], env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]
    ) -> None:
        for node in nodes:
            self.node(node, env, blocks)

    def set_origin(self, node: Node) -> None:
        token = getattr(node, "token", None)
        origin = getattr(node, "origin", None)
        if token is not None and origin is not None:
            self.origin = (origin.template_name or origin.name, token.lineno)

    def node(self, node: Node, env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]) -> None:
        if isinstance(node, TextNode):
            return
        self.set_origin(node)
        if isinstance(node, VariableNode):
            self.expr(node.filter_expression, env, "rendered")
        elif isinstance(node, ForNode):
            seq = self.expr(node.sequence, env, "iterated")
            item = self.element(seq)
            scope: dict[str, Bound] = {"forloop": None}
            if len(node.loopvars) == 1:
                scope[node.loopvars[0]] = item
            else:
                for i, var in enumerate(node.loopvars):
                    if isinstance(item, GroupRef):
                        scope[var] = self.step(item, "grouper" if i == 0 else "list")
                    else:
                        scope[var] = self.step(item, str(i))
            self.nodelist(node.nodelist_loop, [*env, scope], blocks)
            self.nodelist(node.nodelist_empty, env, blocks)
        elif isinstance(node, IfNode):
            for cond, nodes in node.conditions_nodelists:
                if cond is not None:
                    self.condition(cond, env, "truthy")
                self.nodelist(nodes, env, blocks)
        elif isinstance(node, WithNode):
            scope = {name: self.expr(fe, env, None) for name, fe in node.extra_context.items()}
            self.nodelist(node.nodelist, [*env, scope], blocks)
        elif isinstance(node, RegroupNode):
            target = self.expr(node.target, env, "iterated")
            key = tuple(node.expression.var.lookups[1:]) if isinstance(node.expression.var, Variable) else ()
            if isinstance(target, Ref):
                self.node_at(Ref(target.root, (*target.path, EACH, *key)))
                env[-1][node.var_name] = GroupsRef(target, key)
            else:
                env[-1][node.var_name] = None
        elif isinstance(node, FirstOfNode):
            for fe in node.vars:
                self.expr(fe, env, "truthy")
                self.expr(fe, env, "rendered")
            if node.asvar:
                env[-1][node.asvar] = None
        elif isinstance(node, CycleNode):
            for fe in node.cyclevars:
                self.expr(fe, env, "rendered")
            if node.variable_name:
                env[-1][node.variable_name] = None
        elif isinstance(node, IncludeNode):
            self.include(node, env)
        elif isinstance(node, ExtendsNode):
            self.extends(node, env, blocks)
        elif isinstance(node, BlockNode):
            self.block(node, env, blocks)
        else:
            self.generic(node, env, blocks)

    def generic(self, node: Node, env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]) -> None:
        """Tags the walker does not know: every expression they hold is a value."""
        for value in vars(node).values():
            items = (
                value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
            )
            for item in items:
                if isinstance(item, FilterExpression):
                    self.expr(item, env, "rendered")
        asvar = getattr(node, "asvar", None) or getattr(node, "var_name", None)
        if isinstance(asvar, str):
            env[-1][asvar] = None
        for attr in getattr(node, "child_nodelists", ()):
            nodes = getattr(node, attr, None)
            if nodes:
                self.nodelist(nodes, env, blocks)

    def template(self, name: str) -> DjangoTemplate:
        template = self.engine.get_template(name)
        return getattr(template, "template", template)

    def record(self, template: DjangoTemplate) -> None:
        self.files.append(template.origin.name)
        self.hash.update(template.origin.name.encode())
        self.hash.update(template.source.encode())

    def include(self, node: IncludeNode, env: list[dict[str, Bound]]) -> None:
        name = node.template.var if isinstance(node.template, FilterExpression) else None
        if not isinstance(name, str) or self.include_depth > 20:
            raise Unplannable(f"include of a non-literal template name ({node.template.token})")
        scope = {key: self.expr(fe, env, None) for key, fe in node.extra_context.items()}
        inner_env = [scope] if node.isolated_context else [*env, scope]
        template = self.template(name)
        self.record(template)
        self.include_depth += 1
        saved, was_isolated = self.origin, self.isolated
        self.isolated = self.isolated or node.isolated_context
        self.nodelist(template.nodelist, inner_env, {})
        self.origin, self.isolated = saved, was_isolated
        self.include_depth -= 1

    def extends(self, node: ExtendsNode, env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]) -> None:
        parent_name = node.parent_name.var
        if not isinstance(parent_name, str):
            raise Unplannable(f"extends with a non-literal parent ({node.parent_name.token})")
        # Child blocks override the parent's; a block keeps its chain for block.super.
        merged = {name: [*chain] for name, chain in blocks.items()}
        for name, block in node.blocks.items():
            merged.setdefault(name, []).append(block)
        # Nodes outside blocks in a child template are not rendered, except {% load %}.
        parent = self.template(parent_name)
        self.record(parent)
        self.nodelist(parent.nodelist, env, merged)

    def block(self, node: BlockNode, env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]) -> None:
        chain = [*blocks.get(node.name, []), node]
        self.block_chain(chain, env, blocks)

    def block_chain(
        self, chain: list[BlockNode], env: list[dict[str, Bound]], blocks: dict[str, list[BlockNode]]
    ) -> None:
        # chain[0] is the most derived override; block.super renders chain[1].
        top, rest = chain[0], chain[1:]
        scope: dict[str, Bound] = {"block": None}
        self.set_origin(top)
        self.nodelist(top.nodelist, [*env, scope], blocks)
        if rest and _uses_block_super(top.nodelist):
            self.block_chain(rest, env, blocks)


def _uses_block_super(nodes: NodeList) -> bool:
    for var in nodes.get_nodes_by_type(VariableNode):
        v = var.filter_expression.var
        if isinstance(v, Variable) and v.lookups == ("block", "super"):
            return True
    return False


class Unplannable(Exception):
    """The template reads the context in a way no plan can be made for."""


def vdom_accesses(name: str, engine: Any) -> TemplateAccesses:
    """Parse ``name`` with djust's (vdom) parser and extract in Rust.

    Sources are found through ``engine`` (Django's loaders: DIRS, app
    directories) exactly as ``get_template`` finds them; ``include``d and
    ``extends``-ed templates are loaded on demand. Raises ``ValueError`` when
    vdom cannot parse a template (a tag library it does not know).
    """
    from djust._native import extract_accesses  # noqa: PLC0415  (keeps this module importable without the build)

    sources: dict[str, str] = {name: engine.get_template(name).source}
    for _ in range(256):
        data, missing, fingerprint = extract_accesses(name, sources)
        if data is not None:
            trees = {key: AccessTree.from_data(value) for key, value in json.loads(data).items()}
            origin = engine.get_template(name).origin.name
            return TemplateAccesses(names=trees, fingerprint=fingerprint, files=[origin], parser="vdom")
        for template_name in missing:
            if template_name in sources:
                raise Unplannable(f"template {template_name!r} could not be loaded")
            sources[template_name] = engine.get_template(template_name).source
    raise Unplannable(f"{name!r} includes too many templates")


def template_accesses(template: Any, engine: Any) -> TemplateAccesses:
    """Walk a Django-engine template (and its includes/parents) into access trees."""
    inner = getattr(template, "template", template)
    walker = _Walker(engine)
    walker.record(inner)
    walker.nodelist(inner.nodelist, [{}], {})
    return TemplateAccesses(names=walker.names, fingerprint=walker.hash.hexdigest()[:24], files=walker.files)
