//! Compiling a template (with `extends` and literal `include`s resolved)
//! into a [`Program`]: a tree of fragments, each a list of statics around
//! dynamic slots, every slot carrying the context names it reads.
//!
//! Anything whose output depends on render-order state (`cycle`,
//! `ifchanged`, tags that set a variable for their later siblings,
//! `spaceless`, host tags) is kept as an *opaque* slot: its nodes are
//! rendered by the engine as one piece and re-evaluated on every update,
//! which keeps partial updates exact at the cost of some work.
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::ast::{BlockNode, Cond, FilterExpr, Kwarg, Node, NodeKind, Operand, OperandKind};
use crate::env::{EnvInner, Template};
use crate::error::{Result, Span};
use crate::render::{children, collect_blocks, Tpl};

/// Index of a slot in [`Program::slots`]; stable for a compiled template.
pub type SlotId = u32;
/// Index of a fragment in [`Program::frags`]; the root is 0.
pub type FragId = u32;

/// How deeply literal includes are inlined before they become opaque.
const MAX_INLINE_DEPTH: usize = 16;

/// The context names a slot reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deps {
    /// Unknown or stateful: re-evaluate on every update.
    All,
    /// These top-level names (loop variables and aliases already mapped
    /// back to the names they come from).
    Names(BTreeSet<Arc<str>>),
}

impl Deps {
    fn none() -> Deps {
        Deps::Names(BTreeSet::new())
    }

    fn add(&mut self, other: &Deps) {
        match (&mut *self, other) {
            (Deps::All, _) => {}
            (_, Deps::All) => *self = Deps::All,
            (Deps::Names(a), Deps::Names(b)) => a.extend(b.iter().cloned()),
        }
    }

    /// Whether any of `changed` is among these names.
    pub fn hits(&self, changed: &std::collections::HashSet<Arc<str>>) -> bool {
        match self {
            Deps::All => true,
            Deps::Names(n) => n.iter().any(|x| changed.contains(x)),
        }
    }
}

/// A run of statics with slots between them: `statics.len() ==
/// slots.len() + 1`.
#[derive(Debug)]
pub struct Frag {
    /// The literal HTML around the slots.
    pub statics: Vec<Arc<str>>,
    /// The slots, in document order.
    pub slots: Vec<SlotId>,
}

/// Where a loop item's key comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The value of the `dj-key` attribute slot at this index of the body
    /// fragment.
    DjKey(usize),
    /// The model pk when items have one, else the position.
    Auto,
}

/// What a slot is.
#[derive(Debug)]
pub enum SlotKind {
    /// Nodes the engine renders to text (`{{ var }}`, or an opaque run).
    Text(Vec<Node>),
    /// `{% if %}`: one fragment per branch, `None` condition is `else`.
    If(Vec<(Option<Cond>, FragId)>),
    /// `{% for %}`: keyed items of `body`, or `empty`.
    For {
        /// The loop variables.
        targets: Vec<Arc<str>>,
        /// The sequence expression.
        iter: FilterExpr,
        /// `reversed`.
        reversed: bool,
        /// The item fragment.
        body: FragId,
        /// The `{% empty %}` fragment.
        empty: FragId,
        /// How items are keyed.
        key: KeySource,
    },
    /// `{% with %}` or a literal `{% include … with %}`: bindings then a
    /// fragment.
    With(Vec<Kwarg>, FragId),
    /// `{% autoescape %}` around a fragment.
    Autoescape(bool, FragId),
}

/// One dynamic slot.
#[derive(Debug)]
pub struct SlotDef {
    /// What it renders.
    pub kind: SlotKind,
    /// What it reads.
    pub deps: Deps,
    /// The template its nodes come from (for error locations).
    pub(crate) tpl: Tpl,
    /// Where it is in that template.
    pub span: Span,
}

/// A compiled template: fragments and slots; fragment 0 is the page.
#[derive(Debug)]
pub struct Program {
    /// All fragments.
    pub frags: Vec<Frag>,
    /// All slots.
    pub slots: Vec<SlotDef>,
}

impl Program {
    /// The slot with this id.
    pub fn slot(&self, id: SlotId) -> &SlotDef {
        &self.slots[id as usize]
    }

    /// The fragment with this id.
    pub fn frag(&self, id: FragId) -> &Frag {
        &self.frags[id as usize]
    }

    /// Bytes of static HTML held by the program (shared by every view).
    pub fn static_bytes(&self) -> usize {
        self.frags
            .iter()
            .flat_map(|f| f.statics.iter())
            .map(|s| s.len())
            .sum()
    }
}

/// Compile `template` into a [`Program`].
pub(crate) fn compile(env: &Arc<EnvInner>, template: &Arc<Template>) -> Result<Program> {
    let mut c = Compiler {
        env,
        prog: Program {
            frags: Vec::new(),
            slots: Vec::new(),
        },
        scopes: Vec::new(),
        loops: Vec::new(),
        tpl: Tpl::of(template),
        depth: 0,
    };
    c.prog.frags.push(Frag {
        statics: Vec::new(),
        slots: Vec::new(),
    });
    let mut acc = Acc::default();
    if has_stateful(&template.ast().nodes) || !c.resolvable(template) {
        let span = template
            .ast()
            .nodes
            .first()
            .map(|n| n.span)
            .unwrap_or_default();
        c.opaque(&mut acc, template.ast().nodes.clone(), span);
    } else {
        c.template_into(template, &HashMap::new(), &mut acc)?;
    }
    let root = acc.finish();
    c.prog.frags[0] = root;
    Ok(c.prog)
}

/// The statics and slots of a fragment being built.
#[derive(Default)]
struct Acc {
    statics: Vec<String>,
    slots: Vec<SlotId>,
    deps: Option<Deps>,
}

impl Acc {
    fn text(&mut self, t: &str) {
        if self.statics.is_empty() {
            self.statics.push(String::new());
        }
        if let Some(last) = self.statics.last_mut() {
            last.push_str(t);
        }
    }

    fn slot(&mut self, id: SlotId, deps: &Deps) {
        if self.statics.is_empty() {
            self.statics.push(String::new());
        }
        self.slots.push(id);
        self.statics.push(String::new());
        self.deps.get_or_insert_with(Deps::none).add(deps);
    }

    fn finish(self) -> Frag {
        let mut statics: Vec<Arc<str>> = self.statics.into_iter().map(Arc::from).collect();
        if statics.is_empty() {
            statics.push(Arc::from(""));
        }
        Frag {
            statics,
            slots: self.slots,
        }
    }
}

/// Block overrides along an `extends` chain: the most derived body wins.
type Overrides = HashMap<Arc<str>, (Arc<BlockNode>, Tpl)>;

struct Compiler<'e> {
    env: &'e Arc<EnvInner>,
    prog: Program,
    /// Local names (loop targets, `with` aliases) and what they read.
    scopes: Vec<(Arc<str>, Deps)>,
    /// The dependencies of the enclosing loops' sequences (`forloop`).
    loops: Vec<Deps>,
    tpl: Tpl,
    depth: usize,
}

impl Compiler<'_> {
    /// Whether the `extends` chain of `template` can be inlined: literal
    /// parents that load, and no `{{ block.super }}`/`block` reads.
    fn resolvable(&self, template: &Arc<Template>) -> bool {
        let mut t = template.clone();
        for _ in 0..MAX_INLINE_DEPTH {
            if reads_name(&t.ast().nodes, "block") {
                return false;
            }
            let Some(ext) = extends_of(&t) else {
                return true;
            };
            let Some(name) = literal_name(&ext.parent) else {
                return false;
            };
            match crate::env::get_template(self.env, &name, &[]) {
                Ok(p) if has_stateful(&p.ast().nodes) => return false,
                Ok(p) => t = p,
                Err(_) => return false,
            }
        }
        false
    }

    /// Inline `template` (following `extends`) into `acc`.
    fn template_into(
        &mut self,
        template: &Arc<Template>,
        overrides: &Overrides,
        acc: &mut Acc,
    ) -> Result<()> {
        let saved = std::mem::replace(&mut self.tpl, Tpl::of(template));
        let r = match extends_of(template) {
            Some(ext) => {
                let mut merged = overrides.clone();
                let mut mine = Vec::new();
                collect_blocks(&ext.body, &mut mine);
                for b in mine {
                    merged
                        .entry(b.name.clone())
                        .or_insert_with(|| (b, self.tpl.clone()));
                }
                let name = literal_name(&ext.parent).unwrap_or_default();
                let parent = crate::env::get_template(self.env, &name, &[])?;
                self.template_into(&parent, &merged, acc)
            }
            None => self.nodes_into(&template.ast().nodes, overrides, acc),
        };
        self.tpl = saved;
        r
    }

    fn new_slot(&mut self, kind: SlotKind, deps: Deps, span: Span) -> SlotId {
        let id = self.prog.slots.len() as SlotId;
        self.prog.slots.push(SlotDef {
            kind,
            deps,
            tpl: self.tpl.clone(),
            span,
        });
        id
    }

    fn opaque(&mut self, acc: &mut Acc, nodes: Vec<Node>, span: Span) {
        let id = self.new_slot(SlotKind::Text(nodes), Deps::All, span);
        acc.slot(id, &Deps::All);
    }

    /// Compile `nodes` into a new fragment; returns it and its deps.
    fn fragment(&mut self, nodes: &[Node], overrides: &Overrides) -> Result<(FragId, Deps)> {
        let id = self.prog.frags.len() as FragId;
        self.prog.frags.push(Frag {
            statics: Vec::new(),
            slots: Vec::new(),
        });
        let mut acc = Acc::default();
        self.nodes_into(nodes, overrides, &mut acc)?;
        let deps = acc.deps.clone().unwrap_or_else(Deps::none);
        self.prog.frags[id as usize] = acc.finish();
        Ok((id, deps))
    }

    fn nodes_into(&mut self, nodes: &[Node], overrides: &Overrides, acc: &mut Acc) -> Result<()> {
        for (i, node) in nodes.iter().enumerate() {
            if sets_variable(&node.node) {
                // Later siblings may read the variable: keep them together.
                self.opaque(acc, nodes[i..].to_vec(), node.span);
                return Ok(());
            }
            self.node_into(node, overrides, acc)?;
        }
        Ok(())
    }

    fn node_into(&mut self, node: &Node, overrides: &Overrides, acc: &mut Acc) -> Result<()> {
        match &node.node {
            NodeKind::Text(t) | NodeKind::Verbatim(t) => acc.text(t),
            NodeKind::TemplateTag(t) => acc.text(t),
            NodeKind::Comment | NodeKind::Load => {}
            NodeKind::Var(e) => {
                let deps = self.expr_deps(e);
                let id = self.new_slot(SlotKind::Text(vec![node.clone()]), deps.clone(), node.span);
                acc.slot(id, &deps);
            }
            NodeKind::If(branches) => {
                let mut deps = Deps::none();
                let mut out = Vec::new();
                for (cond, body) in branches {
                    if let Some(c) = cond {
                        deps.add(&self.cond_deps(c));
                    }
                    let (f, d) = self.fragment(body, overrides)?;
                    deps.add(&d);
                    out.push((cond.clone(), f));
                }
                let id = self.new_slot(SlotKind::If(out), deps.clone(), node.span);
                acc.slot(id, &deps);
            }
            NodeKind::For(f) => {
                let iter_deps = self.expr_deps(&f.iter);
                let mut loop_deps = iter_deps.clone();
                if let Some(outer) = self.loops.last() {
                    // `forloop.parentloop` reads the outer loop.
                    loop_deps.add(&outer.clone());
                }
                let mark = self.scopes.len();
                for t in &f.targets {
                    self.scopes.push((t.clone(), iter_deps.clone()));
                }
                self.scopes.push((Arc::from("forloop"), loop_deps.clone()));
                self.loops.push(loop_deps);
                let body = self.fragment(&f.body, overrides);
                self.loops.pop();
                self.scopes.truncate(mark);
                let (body, body_deps) = body?;
                let (empty, empty_deps) = self.fragment(&f.empty, overrides)?;
                let mut deps = iter_deps;
                deps.add(&body_deps);
                deps.add(&empty_deps);
                let key = dj_key_slot(self.prog.frag(body));
                let kind = SlotKind::For {
                    targets: f.targets.clone(),
                    iter: f.iter.clone(),
                    reversed: f.reversed,
                    body,
                    empty,
                    key,
                };
                let id = self.new_slot(kind, deps.clone(), node.span);
                acc.slot(id, &deps);
            }
            NodeKind::With(kwargs, body) => {
                self.with_into(kwargs, body, overrides, node.span, acc)?;
            }
            NodeKind::Autoescape(on, body) => {
                let (f, deps) = self.fragment(body, overrides)?;
                let id = self.new_slot(SlotKind::Autoescape(*on, f), deps.clone(), node.span);
                acc.slot(id, &deps);
            }
            NodeKind::Block(b) => {
                // Inline the most derived body (extends is resolved here).
                match overrides.get(&b.name) {
                    Some((ob, tpl)) => {
                        let saved = std::mem::replace(&mut self.tpl, tpl.clone());
                        let r = self.nodes_into(&ob.body, overrides, acc);
                        self.tpl = saved;
                        r?;
                    }
                    None => self.nodes_into(&b.body, overrides, acc)?,
                }
            }
            NodeKind::Include(inc) if !inc.only && self.depth < MAX_INLINE_DEPTH => {
                let loaded = literal_name(&inc.template)
                    .and_then(|n| crate::env::get_template(self.env, &n, &[]).ok());
                match loaded {
                    Some(t) if !has_stateful(&t.ast().nodes) && self.resolvable(&t) => {
                        self.depth += 1;
                        let r = self.include_into(&t, &inc.with, node.span, acc);
                        self.depth -= 1;
                        r?;
                    }
                    _ => self.opaque(acc, vec![node.clone()], node.span),
                }
            }
            _ => self.opaque(acc, vec![node.clone()], node.span),
        }
        Ok(())
    }

    fn with_into(
        &mut self,
        kwargs: &[Kwarg],
        body: &[Node],
        overrides: &Overrides,
        span: Span,
        acc: &mut Acc,
    ) -> Result<()> {
        let (mut deps, mark) = self.bind_kwargs(kwargs);
        let r = self.fragment(body, overrides);
        self.scopes.truncate(mark);
        let (f, d) = r?;
        deps.add(&d);
        let id = self.new_slot(SlotKind::With(kwargs.to_vec(), f), deps.clone(), span);
        acc.slot(id, &deps);
        Ok(())
    }

    /// Open a scope binding each `with` / `include … with` keyword to the
    /// dependencies of its expression. Returns the dependencies of all the
    /// expressions and the scope depth to truncate back to.
    fn bind_kwargs(&mut self, kwargs: &[Kwarg]) -> (Deps, usize) {
        let mut deps = Deps::none();
        let mut bound = Vec::new();
        for (k, e) in kwargs {
            let d = self.expr_deps(e);
            deps.add(&d);
            bound.push((k.clone(), d));
        }
        let mark = self.scopes.len();
        self.scopes.extend(bound);
        (deps, mark)
    }

    fn include_into(
        &mut self,
        t: &Arc<Template>,
        kwargs: &[Kwarg],
        span: Span,
        acc: &mut Acc,
    ) -> Result<()> {
        // Compile the included template's (resolved) nodes as the body of
        // a `with` slot binding the include's `with` arguments.
        let (mut deps, mark) = self.bind_kwargs(kwargs);
        let id = self.prog.frags.len() as FragId;
        self.prog.frags.push(Frag {
            statics: Vec::new(),
            slots: Vec::new(),
        });
        let mut inner = Acc::default();
        let r = self.template_into(t, &HashMap::new(), &mut inner);
        self.scopes.truncate(mark);
        r?;
        if let Some(d) = &inner.deps {
            deps.add(d);
        }
        self.prog.frags[id as usize] = inner.finish();
        let sid = self.new_slot(SlotKind::With(kwargs.to_vec(), id), deps.clone(), span);
        acc.slot(sid, &deps);
        Ok(())
    }

    fn name_deps(&self, name: &Arc<str>) -> Deps {
        match self.scopes.iter().rev().find(|(n, _)| n == name) {
            Some((_, d)) => d.clone(),
            None => Deps::Names(BTreeSet::from([name.clone()])),
        }
    }

    fn operand_deps(&self, op: &Operand, deps: &mut Deps) {
        if let OperandKind::Path(p) = &op.kind {
            if let Some(first) = p.first() {
                deps.add(&self.name_deps(first));
            }
        }
    }

    fn expr_deps(&self, e: &FilterExpr) -> Deps {
        let mut deps = Deps::none();
        self.operand_deps(&e.head, &mut deps);
        for f in &e.filters {
            if let crate::ast::FilterRef::Custom(_) = f.filter {
                // A host filter may read anything (e.g. the time).
                return Deps::All;
            }
            if let Some(a) = &f.arg {
                self.operand_deps(a, &mut deps);
            }
        }
        deps
    }

    fn cond_deps(&self, c: &Cond) -> Deps {
        match c {
            Cond::Value(e) => self.expr_deps(e),
            Cond::Not(x) => self.cond_deps(x),
            Cond::And(x, y) | Cond::Or(x, y) | Cond::Compare(_, x, y) => {
                let mut d = self.cond_deps(x);
                d.add(&self.cond_deps(y));
                d
            }
        }
    }
}

fn extends_of(t: &Template) -> Option<&crate::ast::ExtendsNode> {
    t.ast().nodes.iter().find_map(|n| match &n.node {
        NodeKind::Extends(e) => Some(&**e),
        _ => None,
    })
}

/// The name in `{% extends "x" %}` / `{% include "x" %}` when it is a
/// plain string literal.
fn literal_name(e: &FilterExpr) -> Option<String> {
    match (&e.head.kind, e.filters.is_empty(), e.head.translate) {
        (OperandKind::Literal(v), true, false) => v.as_str().map(str::to_owned),
        _ => None,
    }
}

/// Tags whose output depends on what rendered before them in the same
/// render (state the engine keeps per render, not per slot).
fn has_stateful(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| {
        matches!(
            n.node,
            NodeKind::Cycle(_) | NodeKind::ResetCycle(_) | NodeKind::IfChanged(_)
        ) || children(&n.node).into_iter().any(has_stateful)
    })
}

/// Tags that bind a variable in the current scope for later siblings.
fn sets_variable(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Firstof(_, v)
        | NodeKind::Now(_, v)
        | NodeKind::WidthRatio(_, v)
        | NodeKind::Static(_, v)
        | NodeKind::Prefix(_, v) => v.is_some(),
        NodeKind::Url(u) => u.asvar.is_some(),
        NodeKind::Translate(t) => t.asvar.is_some(),
        NodeKind::BlockTranslate(t) => t.asvar.is_some(),
        NodeKind::Custom(c) => c.asvar.is_some(),
        NodeKind::Regroup(_) | NodeKind::I18nGet(_) | NodeKind::GetCurrentTimezone(_) => true,
        _ => false,
    }
}

/// Whether any variable path in `nodes` starts with `name` (a cheap,
/// conservative scan over the node kinds that hold expressions).
fn reads_name(nodes: &[Node], name: &str) -> bool {
    fn expr(e: &FilterExpr, name: &str) -> bool {
        let op = |o: &Operand| matches!(&o.kind, OperandKind::Path(p) if p.first().is_some_and(|f| &**f == name));
        op(&e.head) || e.filters.iter().any(|f| f.arg.as_ref().is_some_and(op))
    }
    fn cond(c: &Cond, name: &str) -> bool {
        match c {
            Cond::Value(e) => expr(e, name),
            Cond::Not(x) => cond(x, name),
            Cond::And(x, y) | Cond::Or(x, y) | Cond::Compare(_, x, y) => {
                cond(x, name) || cond(y, name)
            }
        }
    }
    nodes.iter().any(|n| {
        let here = match &n.node {
            NodeKind::Var(e) => expr(e, name),
            NodeKind::If(b) => b
                .iter()
                .any(|(c, _)| c.as_ref().is_some_and(|c| cond(c, name))),
            NodeKind::For(f) => expr(&f.iter, name),
            NodeKind::With(kw, _) => kw.iter().any(|(_, e)| expr(e, name)),
            NodeKind::Include(i) => i.with.iter().any(|(_, e)| expr(e, name)),
            // Other tags are opaque slots: the engine renders them whole.
            _ => false,
        };
        here || children(&n.node).into_iter().any(|c| reads_name(c, name))
    })
}

/// The index of the slot holding the value of a `dj-key="…"` attribute in
/// a loop body, if the body has one at its top level.
fn dj_key_slot(frag: &Frag) -> KeySource {
    for (i, s) in frag.statics.iter().enumerate().take(frag.slots.len()) {
        let t = s.trim_end();
        if (t.ends_with("dj-key=\"") || t.ends_with("dj-key='"))
            && frag.statics[i + 1].starts_with(['"', '\''])
        {
            return KeySource::DjKey(i);
        }
    }
    KeySource::Auto
}
