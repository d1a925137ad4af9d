//! Rendering an AST into one `String`, with Django's semantics: variable
//! resolution, filters, autoescape, and the per-render state Django keeps in
//! `render_context` (cycles, `ifchanged`, the block chain of `extends`).
mod ops;
mod overlay;
pub mod position;
mod tags;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{
    BlockNode, CompareOp, Cond, ExtendsNode, FilterExpr, FilterRef, Node, NodeKind, Operand,
    OperandKind,
};
use crate::context::{Binding, Changed, Context};
use crate::env::{EnvInner, Template};
use crate::error::{Error, ErrorKind, Result};
use crate::escape::escape_into;
use crate::filters::{self, FilterCtx};
use crate::host::Host;
use crate::value::{python_str_repr, Value};

pub(crate) use ops::py_eq;
pub(crate) use overlay::Overlay;

/// How deeply node bodies may nest during one render (across includes and
/// extends) before it stops with an error instead of exhausting the stack.
pub const MAX_RENDER_DEPTH: usize = 256;

/// Where the nodes being rendered come from (for error locations).
#[derive(Clone, Debug)]
pub(crate) struct Tpl {
    name: Option<Arc<str>>,
    origin: Option<Arc<str>>,
    source: Arc<str>,
}

impl Tpl {
    pub(crate) fn of(t: &Template) -> Tpl {
        Tpl {
            name: t.name_arc().cloned(),
            origin: t.origin_arc().cloned(),
            source: t.source_arc().clone(),
        }
    }
}

/// A block in the `extends` chain, with the template it came from.
#[derive(Clone)]
struct BlockEntry {
    node: Arc<BlockNode>,
    tpl: Tpl,
}

/// Django's `render_context` frame: state of one template render
/// (includes get a fresh one, `extends` shares it).
#[derive(Default)]
struct Frame {
    cycles: Vec<(usize, usize)>,
    changed: Vec<(usize, Changed)>,
    blocks: Option<HashMap<Arc<str>, Vec<BlockEntry>>>,
    history: Vec<Arc<str>>,
}

/// The state of one render.
pub(crate) struct Renderer<'e> {
    env: &'e Arc<EnvInner>,
    frames: Vec<Frame>,
    depth: usize,
    includes: usize,
    /// The template and line being rendered (errors are attributed to it,
    /// and [`position::current`] reports it).
    pos: position::Tracker,
    stack_base: usize,
    /// `USE_THOUSAND_SEPARATOR` is off: integers display as plain digits
    /// whatever the localisation (Django's `numberformat.format`).
    plain_ints: bool,
}

/// Render a whole template.
pub(crate) fn render_template(
    env: &Arc<EnvInner>,
    template: &Template,
    root: Value,
    host: &dyn Host,
) -> Result<String> {
    let mut ctx = Context::new(root, env.options.autoescape);
    let mut r = Renderer::new(env, template, host);
    let mut out = String::with_capacity(template.source().len() + template.source().len() / 2);
    r.render_nodes(&template.ast().nodes, &mut ctx, host, &mut out)?;
    Ok(out)
}

/// The node lists directly inside a node (Django's `child_nodelists`).
pub(crate) fn children(kind: &NodeKind) -> Vec<&[Node]> {
    match kind {
        NodeKind::If(branches) => branches.iter().map(|(_, b)| b.as_slice()).collect(),
        NodeKind::For(f) => vec![&f.body, &f.empty],
        NodeKind::Block(b) => vec![&b.body],
        NodeKind::Extends(e) => vec![&e.body],
        NodeKind::IfChanged(c) => vec![&c.body, &c.otherwise],
        NodeKind::With(_, b)
        | NodeKind::Autoescape(_, b)
        | NodeKind::Filter(_, b)
        | NodeKind::Spaceless(b)
        | NodeKind::Language(_, b)
        | NodeKind::Localize(_, b)
        | NodeKind::LocalTime(_, b)
        | NodeKind::Timezone(_, b) => vec![b.as_slice()],
        _ => Vec::new(),
    }
}

/// Every `{% block %}` in `nodes`, at any depth (Django's
/// `get_nodes_by_type(BlockNode)`).
pub(crate) fn collect_blocks(nodes: &[Node], out: &mut Vec<Arc<BlockNode>>) {
    for n in nodes {
        if let NodeKind::Block(b) = &n.node {
            out.push(b.clone());
        }
        for c in children(&n.node) {
            collect_blocks(c, out);
        }
    }
}

/// The error Django's `VariableDoesNotExist` becomes.
fn does_not_exist(text: &str) -> Error {
    Error::render(format!("Failed lookup for key [{text}]"))
}

pub(crate) fn is_does_not_exist(e: &Error) -> bool {
    e.kind() == ErrorKind::Render && e.detail().starts_with("Failed lookup for key [")
}

/// Python's `str.replace("%", "%%")`.
fn double_percent(s: &str) -> String {
    s.replace('%', "%%")
}

impl<'e> Renderer<'e> {
    /// A renderer for `template` (the live evaluator renders slot by slot
    /// with one of these).
    pub(crate) fn new(env: &'e Arc<EnvInner>, template: &Template, host: &dyn Host) -> Self {
        Renderer {
            env,
            frames: vec![Frame::default()],
            depth: 0,
            includes: 0,
            pos: position::Tracker::enter(Tpl::of(template)),
            stack_base: crate::parser::stack_position(),
            plain_ints: host.format("USE_THOUSAND_SEPARATOR").as_deref() != Some("True"),
        }
    }

    /// Swap the template errors are attributed to; returns the previous one.
    pub(crate) fn swap_tpl(&mut self, tpl: Tpl) -> Tpl {
        self.pos.swap_tpl(tpl)
    }

    /// Report `line` of the current template as the one being rendered;
    /// returns the previous line.
    #[inline]
    pub(crate) fn enter_line(&self, line: u32) -> u32 {
        let outer = self.pos.line();
        self.pos.set_line(line);
        outer
    }

    /// Back to `line` (from [`Renderer::enter_line`]).
    #[inline]
    pub(crate) fn leave_line(&self, line: u32) {
        self.pos.set_line(line);
    }

    /// Whether errors are currently attributed to `tpl`.
    pub(crate) fn is_tpl(&self, tpl: &Tpl) -> bool {
        Arc::ptr_eq(&self.pos.tpl().source, &tpl.source)
    }

    /// Attach the current template and `span` to an error.
    pub(crate) fn locate(&self, e: Error, span: crate::error::Span) -> Error {
        let tpl = self.pos.tpl();
        e.at(tpl.name.as_ref(), span, Some(&tpl.source))
    }

    /// Django's `render_value_in_context` into `out`.
    pub(crate) fn write_value(
        &self,
        v: &Value,
        autoescape: bool,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let shown;
        let text = match v {
            // Plain strings need no localisation.
            Value::Str(_) | Value::SafeStr(_) => v,
            Value::Int(i) if self.plain_ints => {
                use std::fmt::Write as _;
                let _ = write!(out, "{i}");
                return Ok(());
            }
            _ => {
                shown = filters::display(v, host)?;
                &shown
            }
        };
        let s = text.as_str().unwrap_or_default();
        if autoescape && !text.is_safe() {
            escape_into(s, out);
        } else {
            out.push_str(s);
        }
        Ok(())
    }

    fn frame(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::default());
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    pub(crate) fn render_nodes(
        &mut self,
        nodes: &[Node],
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_RENDER_DEPTH
            || crate::parser::stack_used(self.stack_base) > crate::parser::STACK_BUDGET
        {
            self.depth -= 1;
            return Err(Error::render(format!(
                "Templates are nested too deeply (more than {MAX_RENDER_DEPTH} levels)."
            )));
        }
        let mut result = Ok(());
        // Each node is the position while it renders; the parent's again after.
        let outer_line = self.pos.line();
        for node in nodes {
            if let NodeKind::Text(t) = &node.node {
                out.push_str(t); // runs nothing: no position to report
                continue;
            }
            self.pos.set_line(node.span.line);
            if let Err(e) = self.render_node(node, ctx, host, out) {
                result = Err(self.locate(e, node.span));
                break;
            }
        }
        self.pos.set_line(outer_line);
        self.depth -= 1;
        result
    }

    /// Render a body into a new string.
    fn render_to_string(
        &mut self,
        nodes: &[Node],
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<String> {
        let mut s = String::new();
        self.render_nodes(nodes, ctx, host, &mut s)?;
        Ok(s)
    }

    fn render_node(
        &mut self,
        node: &Node,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        match &node.node {
            NodeKind::Text(t) => out.push_str(t),
            NodeKind::Var(e) => {
                let v = self.resolve_expr(e, ctx, host, false)?;
                self.write_value(&v, ctx.autoescape, host, out)?;
            }
            NodeKind::If(branches) => {
                for (cond, body) in branches {
                    let matched = match cond {
                        None => true,
                        Some(c) => match self.eval_cond(c, ctx, host) {
                            Ok(v) => v.is_true()?,
                            Err(e) if is_does_not_exist(&e) => false,
                            Err(e) => return Err(e),
                        },
                    };
                    if matched {
                        return self.render_nodes(body, ctx, host, out);
                    }
                }
            }
            NodeKind::For(f) => self.render_for(f, ctx, host, out)?,
            NodeKind::Block(b) => self.render_block(b, ctx, host, out)?,
            NodeKind::Extends(e) => self.render_extends(e, ctx, host, out)?,
            NodeKind::With(kwargs, body) => {
                let values = self.resolve_kwargs(kwargs, ctx, host)?;
                ctx.push();
                for (k, v) in values {
                    ctx.set(&k, Binding::Value(v));
                }
                let r = self.render_nodes(body, ctx, host, out);
                ctx.pop();
                r?;
            }
            NodeKind::Autoescape(on, body) => {
                let old = ctx.autoescape;
                ctx.autoescape = *on;
                let r = self.render_nodes(body, ctx, host, out);
                ctx.autoescape = old;
                r?;
            }
            NodeKind::Comment | NodeKind::Load => {}
            NodeKind::Verbatim(t) => out.push_str(t),
            NodeKind::TemplateTag(t) => out.push_str(t),
            NodeKind::Spaceless(body) => {
                let s = self.render_to_string(body, ctx, host)?;
                ops::strip_spaces_between_tags(s.trim_matches(crate::lexer::is_py_space), out);
            }
            _ => self.render_tag(node, ctx, host, out)?,
        }
        Ok(())
    }

    /// A `{% for %}` loop.
    fn render_for(
        &mut self,
        f: &crate::ast::ForNode,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let parent = ctx.binding("forloop").cloned();
        ctx.push();
        let r = self.render_for_inner(f, parent, ctx, host, out);
        ctx.pop();
        r
    }

    fn render_for_inner(
        &mut self,
        f: &crate::ast::ForNode,
        parent: Option<Binding>,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let seq = self.resolve_expr(&f.iter, ctx, host, true)?;
        let mut items = loop_items(&seq)?;
        if items.is_empty() {
            return self.render_nodes(&f.empty, ctx, host, out);
        }
        if f.reversed {
            items.reverse();
        }
        let len = items.len();
        let idx = ctx.enter_loop(len, parent);
        let unpack = f.targets.len() > 1;
        let mut result = Ok(());
        for (i, item) in items.into_iter().enumerate() {
            ctx.loops[idx].index = i;
            if unpack {
                let len_item = item.len()?.unwrap_or(1);
                if len_item != f.targets.len() {
                    result = Err(Error::render(format!(
                        "Need {} values to unpack in for loop; got {}. ",
                        f.targets.len(),
                        len_item
                    )));
                    break;
                }
                let values = item.iterate()?.unwrap_or_default();
                ctx.push();
                for (name, v) in f.targets.iter().zip(values) {
                    ctx.set(name, Binding::Value(v));
                }
                let r = self.render_nodes(&f.body, ctx, host, out);
                ctx.pop();
                if let Err(e) = r {
                    result = Err(e);
                    break;
                }
            } else {
                ctx.set(&f.targets[0], Binding::Value(item));
                if let Err(e) = self.render_nodes(&f.body, ctx, host, out) {
                    result = Err(e);
                    break;
                }
            }
        }
        ctx.loops.pop();
        result
    }

    /// `{% block %}`: the most derived override in the `extends` chain.
    fn render_block(
        &mut self,
        node: &Arc<BlockNode>,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let chained = self.frame().blocks.is_some();
        ctx.push();
        let r = if !chained {
            ctx.set(
                &Arc::from("block"),
                Binding::Block {
                    name: node.name.clone(),
                    chained: false,
                },
            );
            self.render_nodes(&node.body, ctx, host, out)
        } else {
            let entry = BlockEntry {
                node: node.clone(),
                tpl: self.pos.tpl().clone(),
            };
            self.render_block_chain(&node.name, entry, ctx, host, out)
        };
        ctx.pop();
        r
    }

    /// Pop the block called `name`, render it (or `fallback`), push it back.
    fn render_block_chain(
        &mut self,
        name: &Arc<str>,
        fallback: BlockEntry,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let popped = self
            .frame()
            .blocks
            .as_mut()
            .and_then(|b| b.get_mut(name))
            .and_then(Vec::pop);
        let block = popped.clone().unwrap_or(fallback);
        ctx.set(
            &Arc::from("block"),
            Binding::Block {
                name: name.clone(),
                chained: true,
            },
        );
        let saved = self.swap_tpl(block.tpl.clone());
        let r = self.render_nodes(&block.node.body, ctx, host, out);
        self.swap_tpl(saved);
        if let Some(p) = popped {
            if let Some(list) = self
                .frame()
                .blocks
                .as_mut()
                .map(|b| b.entry(name.clone()).or_default())
            {
                list.push(p);
            }
        }
        r
    }

    /// `{{ block.super }}`.
    fn block_super(
        &mut self,
        name: &Arc<str>,
        chained: bool,
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Value> {
        if !chained {
            return Err(Error::syntax(
                "'BlockNode' object has no attribute 'context'. Did you use {{ block.super }} in a base template?",
            ));
        }
        let next = self
            .frame()
            .blocks
            .as_ref()
            .and_then(|b| b.get(name))
            .and_then(|l| l.last())
            .cloned();
        let Some(next) = next else {
            return Ok(Value::from(""));
        };
        let mut s = String::new();
        ctx.push();
        let r = self.render_block_chain(name, next, ctx, host, &mut s);
        ctx.pop();
        r?;
        Ok(Value::SafeStr(Arc::from(s)))
    }

    /// `{% extends %}`: register this template's blocks, render the parent.
    fn render_extends(
        &mut self,
        node: &ExtendsNode,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let parent_value = self.resolve_expr(&node.parent, ctx, host, false)?;
        if !parent_value.is_true()? {
            let mut msg = format!(
                "Invalid template name in 'extends' tag: {}.",
                parent_value.repr()?
            );
            if !node.parent.filters.is_empty()
                || matches!(node.parent.head.kind, OperandKind::Path(_))
            {
                msg.push_str(&format!(
                    " Got this from the '{}' variable.",
                    node.parent.token
                ));
            }
            return Err(Error::syntax(msg));
        }
        if let Some(parent) = crate::env::TemplateRef::from_value(&parent_value) {
            return self.render_parent(node, parent, ctx, host, out);
        }
        let name = parent_value.to_text()?;
        let name = name.as_str().unwrap_or_default().to_owned();
        let own_origin = {
            let tpl = self.pos.tpl();
            tpl.origin
                .clone()
                .or_else(|| tpl.name.clone())
                .unwrap_or_else(|| Arc::from(""))
        };
        let frame = self.frame();
        if frame.history.is_empty() {
            frame.history.push(own_origin);
        }
        let history = frame.history.clone();
        let parent = self.load_skipping(&name, &history)?;
        self.render_parent(node, parent, ctx, host, out)
    }

    /// Register the child's blocks, then render `parent`.
    fn render_parent(
        &mut self,
        node: &ExtendsNode,
        parent: Arc<Template>,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        let parent_origin = parent
            .origin_arc()
            .or_else(|| parent.name_arc())
            .cloned()
            .unwrap_or_else(|| Arc::from(""));
        let this_tpl = self.pos.tpl().clone();
        let parent_tpl = Tpl::of(&parent);
        let frame = self.frame();
        frame.history.push(parent_origin);
        let blocks = frame.blocks.get_or_insert_with(HashMap::new);
        let mut mine = Vec::new();
        collect_blocks(&node.body, &mut mine);
        add_blocks(blocks, mine, &this_tpl);
        let first_tag = parent
            .ast()
            .nodes
            .iter()
            .find(|n| !matches!(n.node, NodeKind::Text(_)));
        if let Some(first) = first_tag {
            if !matches!(first.node, NodeKind::Extends(_)) {
                let mut theirs = Vec::new();
                collect_blocks(&parent.ast().nodes, &mut theirs);
                add_blocks(blocks, theirs, &parent_tpl);
            }
        }
        let saved = self.swap_tpl(parent_tpl);
        let r = self.render_nodes(&parent.ast().nodes, ctx, host, out);
        self.swap_tpl(saved);
        r
    }

    /// A template by name, passing over origins already in the chain.
    fn load_skipping(&self, name: &str, skip: &[Arc<str>]) -> Result<Arc<Template>> {
        let cached = crate::env::get_template(self.env, name, &[])?;
        let origin = cached
            .origin_arc()
            .cloned()
            .or_else(|| cached.name_arc().cloned());
        if origin.is_some_and(|o| skip.contains(&o)) {
            return crate::env::get_template(self.env, name, skip);
        }
        Ok(cached)
    }

    /// Render another template with `ctx` in a fresh render-context frame
    /// (Django's `Template.render(context)` from inside a render).
    pub(crate) fn render_nested(
        &mut self,
        template: &Template,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        out: &mut String,
    ) -> Result<()> {
        if self.includes >= self.env.options.max_include_depth {
            return Err(Error::render(format!(
                "Maximum include depth ({}) exceeded; is an include recursive?",
                self.env.options.max_include_depth
            )));
        }
        self.includes += 1;
        self.frames.push(Frame::default());
        let saved = self.swap_tpl(Tpl::of(template));
        let r = self.render_nodes(&template.ast().nodes, ctx, host, out);
        self.swap_tpl(saved);
        self.frames.pop();
        self.includes -= 1;
        r
    }

    /// Django's `FilterExpression.resolve(context, ignore_failures)`.
    pub(crate) fn resolve_expr(
        &mut self,
        e: &FilterExpr,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        ignore_failures: bool,
    ) -> Result<Value> {
        let obj = match self.resolve_operand(&e.head, ctx, host)? {
            Some(v) => v,
            None if ignore_failures => Value::None,
            None => {
                let sii = &self.env.options.string_if_invalid;
                if !sii.is_empty() {
                    return Ok(Value::from(sii.replace("%s", &e.head.text)));
                }
                Value::from("")
            }
        };
        self.apply_filters(e, obj, ctx, host)
    }

    /// Run the filters of `e` on `obj`.
    pub(crate) fn apply_filters(
        &mut self,
        e: &FilterExpr,
        mut obj: Value,
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Value> {
        for f in &e.filters {
            let arg = match &f.arg {
                None => None,
                Some(op) => match self.resolve_operand(op, ctx, host)? {
                    Some(v) => Some(v),
                    None => return Err(does_not_exist(&op.text)),
                },
            };
            obj = match &f.filter {
                // `apply` does Django's localtime and is_safe handling.
                FilterRef::Builtin(b) => filters::apply(
                    b,
                    &FilterCtx {
                        autoescape: ctx.autoescape,
                        host,
                    },
                    obj,
                    arg,
                )?,
                FilterRef::Custom(c) => {
                    if c.expects_localtime() {
                        obj = template_localtime(obj, host)?;
                    }
                    let was_safe = obj.is_safe();
                    let new = c.call(obj, arg, ctx.autoescape)?;
                    if c.is_safe() && was_safe {
                        mark_safe(new)?
                    } else {
                        new
                    }
                }
            };
        }
        Ok(obj)
    }

    /// Django's `Variable.resolve`: `Ok(None)` is `VariableDoesNotExist`.
    pub(crate) fn resolve_operand(
        &mut self,
        op: &Operand,
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Option<Value>> {
        let value = match &op.kind {
            OperandKind::Literal(v) => v.clone(),
            OperandKind::Path(path) => match self.lookup_path(path, ctx, host)? {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        if op.translate {
            return Ok(Some(translate(&value, None, host)));
        }
        Ok(Some(value))
    }

    /// Resolve a dotted path through the scopes and the root.
    fn lookup_path(
        &mut self,
        path: &[Arc<str>],
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Option<Value>> {
        let Some(first) = path.first() else {
            return Ok(None);
        };
        let mut rest = &path[1..];
        let mut current = match ctx.binding(first) {
            Some(Binding::Value(v)) => v.clone(),
            Some(Binding::Loop(i)) => {
                let i = *i;
                match rest.first().and_then(|k| ctx.loop_attr(i, k)) {
                    Some(v) => {
                        rest = &rest[1..];
                        v
                    }
                    None => ctx.loop_value(i),
                }
            }
            Some(Binding::Block { name, chained }) => {
                let (name, chained) = (name.clone(), *chained);
                match rest.first().map(|s| &**s) {
                    Some("super") => {
                        rest = &rest[1..];
                        self.block_super(&name, chained, ctx, host)?
                    }
                    _ => ctx.binding_value(&Binding::Block { name, chained }),
                }
            }
            None => match ctx.root.get_attr(first)? {
                Some(v) => v,
                None => match &**first {
                    "True" => Value::Bool(true),
                    "False" => Value::Bool(false),
                    "None" => Value::None,
                    _ => return Ok(None),
                },
            },
        };
        for seg in rest {
            current = match current.get_attr(seg)? {
                Some(v) => v,
                None => match builtin_attr(&current, seg) {
                    Some(v) => v,
                    None => return Ok(None),
                },
            };
        }
        Ok(Some(current))
    }

    /// Evaluate an `{% if %}` condition (Django's smartif `eval`).
    pub(crate) fn eval_cond(
        &mut self,
        c: &Cond,
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Value> {
        Ok(match c {
            Cond::Value(e) => self.resolve_expr(e, ctx, host, true)?,
            Cond::Not(x) => Value::Bool(match self.eval_cond(x, ctx, host) {
                Ok(v) => !v.is_true().unwrap_or(true),
                Err(_) => false,
            }),
            Cond::And(x, y) => match self.eval_and_or(x, y, ctx, host, true) {
                Ok(v) => v,
                Err(_) => Value::Bool(false),
            },
            Cond::Or(x, y) => match self.eval_and_or(x, y, ctx, host, false) {
                Ok(v) => v,
                Err(_) => Value::Bool(false),
            },
            Cond::Compare(op, x, y) => {
                let r = (|| -> Result<bool> {
                    let a = self.eval_cond(x, ctx, host)?;
                    let b = self.eval_cond(y, ctx, host)?;
                    Ok(match op {
                        CompareOp::Eq => ops::py_eq(&a, &b),
                        CompareOp::Ne => !ops::py_eq(&a, &b),
                        CompareOp::Is => ops::py_is(&a, &b),
                        CompareOp::IsNot => !ops::py_is(&a, &b),
                        CompareOp::In => ops::py_in(&a, &b).ok_or_else(type_error)?,
                        CompareOp::NotIn => !ops::py_in(&a, &b).ok_or_else(type_error)?,
                        CompareOp::Lt => ops::py_cmp(&a, &b).ok_or_else(type_error)?.is_lt(),
                        CompareOp::Le => ops::py_cmp(&a, &b).ok_or_else(type_error)?.is_le(),
                        CompareOp::Gt => ops::py_cmp(&a, &b).ok_or_else(type_error)?.is_gt(),
                        CompareOp::Ge => ops::py_cmp(&a, &b).ok_or_else(type_error)?.is_ge(),
                    })
                })();
                match r {
                    Ok(b) => Value::Bool(b),
                    Err(_) => Value::Bool(false),
                }
            }
        })
    }

    fn eval_and_or(
        &mut self,
        x: &Cond,
        y: &Cond,
        ctx: &mut Context<'_>,
        host: &dyn Host,
        is_and: bool,
    ) -> Result<Value> {
        let a = self.eval_cond(x, ctx, host)?;
        if a.is_true()? == is_and {
            self.eval_cond(y, ctx, host)
        } else {
            Ok(a)
        }
    }

    fn resolve_kwargs(
        &mut self,
        kwargs: &[crate::ast::Kwarg],
        ctx: &mut Context<'_>,
        host: &dyn Host,
    ) -> Result<Vec<(Arc<str>, Value)>> {
        let mut out = Vec::with_capacity(kwargs.len());
        for (k, e) in kwargs {
            out.push((k.clone(), self.resolve_expr(e, ctx, host, false)?));
        }
        Ok(out)
    }

    /// `{% cycle %}` state for this render frame.
    fn next_cycle(&mut self, key: usize, len: usize) -> usize {
        let frame = self.frame();
        match frame.cycles.iter_mut().find(|(k, _)| *k == key) {
            Some((_, i)) => {
                let cur = *i;
                *i = (cur + 1) % len.max(1);
                cur
            }
            None => {
                frame.cycles.push((key, 1 % len.max(1)));
                0
            }
        }
    }

    fn reset_cycle(&mut self, key: usize) {
        let frame = self.frame();
        frame.cycles.retain(|(k, _)| *k != key);
    }

    /// Swap in a new `ifchanged` state, returning whether it changed.
    fn changed(&mut self, key: usize, value: Changed, ctx: &mut Context<'_>) -> bool {
        let store = match ctx.current_loop() {
            Some(i) => &mut ctx.loops[i].changed,
            None => &mut self.frame().changed,
        };
        match store.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) => {
                let same = match (&*old, &value) {
                    (Changed::Text(a), Changed::Text(b)) => a == b,
                    (Changed::Values(a), Changed::Values(b)) => {
                        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| py_eq(x, y))
                    }
                    _ => false,
                };
                if !same {
                    *old = value;
                }
                !same
            }
            None => {
                store.push((key, value));
                true
            }
        }
    }
}

fn add_blocks(
    blocks: &mut HashMap<Arc<str>, Vec<BlockEntry>>,
    nodes: Vec<Arc<BlockNode>>,
    tpl: &Tpl,
) {
    // Django's BlockContext.add_blocks: later (parent) blocks go first.
    let mut seen: HashMap<Arc<str>, Arc<BlockNode>> = HashMap::new();
    let mut order = Vec::new();
    for b in nodes {
        if !seen.contains_key(&b.name) {
            order.push(b.name.clone());
        }
        seen.insert(b.name.clone(), b);
    }
    for name in order {
        if let Some(node) = seen.remove(&name) {
            blocks.entry(name).or_default().insert(
                0,
                BlockEntry {
                    node,
                    tpl: tpl.clone(),
                },
            );
        }
    }
}

fn type_error() -> Error {
    Error::render("TypeError")
}

/// What `{% for %}` visits: nothing for `None` or an invalid variable (as
/// Django), the items of anything iterable, else Python's TypeError text.
pub(crate) fn loop_items(seq: &Value) -> Result<Vec<Value>> {
    match seq {
        Value::None | Value::Undefined => Ok(Vec::new()),
        other => other
            .iterate()?
            .ok_or_else(|| Error::render(format!("'{}' object is not iterable", type_name(other)))),
    }
}

/// Python's type name for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Undefined | Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Decimal(_) => "decimal.Decimal",
        Value::Str(_) | Value::SafeStr(_) => "str",
        Value::List(_) => "list",
        Value::Map(_) => "dict",
        Value::Date(_) => "datetime.date",
        Value::Time(_) => "datetime.time",
        Value::DateTime(_) => "datetime.datetime",
        Value::Object(_) => "object",
    }
}

/// Attributes Python objects have that `Value::get_attr` does not model:
/// the parts of dates and times, and indexing into strings.
fn builtin_attr(v: &Value, key: &str) -> Option<Value> {
    let int = |n: i64| Some(Value::Int(n));
    match (v, key) {
        (Value::Date(d), "year") => int(i64::from(d.year)),
        (Value::Date(d), "month") => int(i64::from(d.month)),
        (Value::Date(d), "day") => int(i64::from(d.day)),
        (Value::DateTime(d), "year") => int(i64::from(d.date.year)),
        (Value::DateTime(d), "month") => int(i64::from(d.date.month)),
        (Value::DateTime(d), "day") => int(i64::from(d.date.day)),
        (Value::DateTime(d), "hour") => int(i64::from(d.time.hour)),
        (Value::DateTime(d), "minute") => int(i64::from(d.time.minute)),
        (Value::DateTime(d), "second") => int(i64::from(d.time.second)),
        (Value::DateTime(d), "microsecond") => int(i64::from(d.time.microsecond)),
        (Value::DateTime(d), "date") => Some(Value::Date(d.date)),
        (Value::Time(t), "hour") => int(i64::from(t.hour)),
        (Value::Time(t), "minute") => int(i64::from(t.minute)),
        (Value::Time(t), "second") => int(i64::from(t.second)),
        (Value::Time(t), "microsecond") => int(i64::from(t.microsecond)),
        (Value::Str(s) | Value::SafeStr(s), k) => {
            let i: i64 = k.parse().ok()?;
            let n = s.chars().count() as i64;
            let i = if i < 0 { i + n } else { i };
            s.chars()
                .nth(usize::try_from(i).ok()?)
                .map(|c| Value::from(c.to_string()))
        }
        _ => None,
    }
}

/// Django's `mark_safe` on a filter result.
fn mark_safe(v: Value) -> Result<Value> {
    Ok(match v {
        Value::Str(s) => Value::SafeStr(s),
        Value::SafeStr(_) | Value::Object(_) => v,
        other => match other.to_text()? {
            Value::Str(s) | Value::SafeStr(s) => Value::SafeStr(s),
            t => t,
        },
    })
}

/// `template_localtime(value, use_tz)`.
fn template_localtime(v: Value, host: &dyn Host) -> Result<Value> {
    match &v {
        Value::DateTime(dt) if dt.time.tz.is_some() && host.use_tz() => {
            Ok(Value::DateTime(host.localtime(dt, None)?))
        }
        _ => Ok(v),
    }
}

/// Translate a string value as `Variable.resolve` does for `_()`.
pub(crate) fn translate(value: &Value, context: Option<&str>, host: &dyn Host) -> Value {
    let Some(text) = value.as_str() else {
        return value.clone();
    };
    let msgid = double_percent(text);
    let translated = match context {
        Some(c) => host.pgettext(c, &msgid),
        None => host.gettext(&msgid),
    };
    if value.is_safe() {
        Value::SafeStr(Arc::from(translated))
    } else {
        Value::Str(Arc::from(translated))
    }
}

/// `render_value_in_context` as a value (`SafeStr` when escaped).
pub(crate) fn value_in_context(v: &Value, autoescape: bool, host: &dyn Host) -> Result<Value> {
    let text = match v {
        Value::Str(_) | Value::SafeStr(_) => v.clone(),
        _ => filters::display(v, host)?,
    };
    if autoescape {
        crate::escape::conditional_escape(&text)
    } else {
        Ok(text)
    }
}

/// `repr()` for messages.
pub(crate) fn repr_text(s: &str) -> String {
    python_str_repr(s)
}
