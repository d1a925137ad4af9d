//! The values a view retains between updates: for each slot of the
//! program, what it rendered last (text, the chosen branch, keyed loop
//! items). Evaluating a program produces a new [`Rendered`]; slots whose
//! dependencies did not change are shared with the previous one.
use std::collections::HashSet;
use std::sync::Arc;

use super::compile::{FragId, KeySource, Program, SlotId, SlotKind};
use crate::context::{Binding, Context};
use crate::error::{Error, Result};
use crate::host::Host;
use crate::render::{is_does_not_exist, loop_items, Renderer};
use crate::value::{ObjectKind, Value};

/// The values of one fragment's slots, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct RFrag {
    /// One value per slot of the fragment.
    pub vals: Vec<RVal>,
}

/// What one slot rendered.
#[derive(Clone, Debug, PartialEq)]
pub enum RVal {
    /// Rendered HTML text.
    Text(Arc<str>),
    /// The values of a nested fragment (`with`, include, autoescape).
    Frag(Arc<RFrag>),
    /// The branch taken (index into the `if`'s branches) and its values;
    /// `None` when no branch matched.
    Branch(Option<(u32, Arc<RFrag>)>),
    /// A loop's items.
    List(Arc<RList>),
}

/// A loop's rendered items, in order, with their keys.
#[derive(Clone, Debug, PartialEq)]
pub struct RList {
    /// Unique item keys.
    pub keys: Vec<Arc<str>>,
    /// The item fragments.
    pub items: Vec<Arc<RFrag>>,
    /// The `{% empty %}` fragment's values when there are no items.
    pub empty: Option<Arc<RFrag>>,
}

/// The retained state of a view: the root fragment's values.
pub type Rendered = RFrag;

/// Render the values of `prog` into HTML.
pub fn to_html(prog: &Program, r: &Rendered) -> String {
    let mut out = String::new();
    frag_html(prog, 0, r, &mut out);
    out
}

fn frag_html(prog: &Program, fid: FragId, r: &RFrag, out: &mut String) {
    let frag = prog.frag(fid);
    out.push_str(&frag.statics[0]);
    for (i, (sid, v)) in frag.slots.iter().zip(&r.vals).enumerate() {
        val_html(prog, *sid, v, out);
        out.push_str(&frag.statics[i + 1]);
    }
}

fn val_html(prog: &Program, sid: SlotId, v: &RVal, out: &mut String) {
    match (&prog.slot(sid).kind, v) {
        (_, RVal::Text(t)) => out.push_str(t),
        (SlotKind::With(_, f) | SlotKind::Autoescape(_, f), RVal::Frag(r)) => {
            frag_html(prog, *f, r, out)
        }
        (SlotKind::If(branches), RVal::Branch(Some((b, r)))) => {
            if let Some((_, f)) = branches.get(*b as usize) {
                frag_html(prog, *f, r, out);
            }
        }
        (SlotKind::For { body, empty, .. }, RVal::List(l)) => {
            for item in &l.items {
                frag_html(prog, *body, item, out);
            }
            if let Some(e) = &l.empty {
                frag_html(prog, *empty, e, out);
            }
        }
        _ => {}
    }
}

/// Bytes retained by a rendered tree (text plus bookkeeping).
pub fn retained_bytes(r: &RFrag) -> usize {
    fn frag(r: &RFrag) -> usize {
        if r.vals.is_empty() {
            return 0; // the shared empty fragment
        }
        std::mem::size_of::<RFrag>()
            + r.vals.capacity() * std::mem::size_of::<RVal>()
            + r.vals.iter().map(val).sum::<usize>()
    }
    fn val(v: &RVal) -> usize {
        match v {
            RVal::Text(t) => t.len() + 16,
            RVal::Frag(f) => arc(f),
            RVal::Branch(b) => b.as_ref().map_or(0, |(_, f)| arc(f)),
            RVal::List(l) => {
                std::mem::size_of::<RList>()
                    + l.keys
                        .iter()
                        .zip(&l.items)
                        .map(|(k, item)| key_bytes(k, item))
                        .sum::<usize>()
                    + l.items.iter().map(|i| arc(i)).sum::<usize>()
                    + l.empty.as_ref().map_or(0, |e| frag(e))
            }
        }
    }
    /// An `Arc`'d fragment: the counts plus the fragment (nothing when it
    /// is the shared empty one).
    fn arc(f: &RFrag) -> usize {
        if f.vals.is_empty() {
            0
        } else {
            frag(f) + 16
        }
    }
    /// A key shares its text with the item's `dj-key` slot when it has one.
    fn key_bytes(k: &Arc<str>, item: &RFrag) -> usize {
        let ptr = std::mem::size_of::<Arc<str>>();
        let shared = item
            .vals
            .iter()
            .any(|v| matches!(v, RVal::Text(t) if Arc::ptr_eq(t, k)));
        if shared {
            ptr
        } else {
            ptr + k.len() + 16
        }
    }
    frag(r)
}

/// Evaluates a program's slots against a context.
pub(crate) struct Eval<'p, 'e, 'h> {
    pub(crate) prog: &'p Program,
    pub(crate) r: Renderer<'e>,
    pub(crate) host: &'h dyn Host,
    /// Names known to have changed; `None` re-evaluates every slot.
    pub(crate) changed: Option<&'p HashSet<Arc<str>>>,
    /// Scratch buffer for text slots.
    pub(crate) buf: String,
}

/// The values of a fragment without slots (shared: branches and loop
/// bodies that are all static cost nothing per view).
fn empty_frag() -> Arc<RFrag> {
    static EMPTY: std::sync::OnceLock<Arc<RFrag>> = std::sync::OnceLock::new();
    EMPTY
        .get_or_init(|| Arc::new(RFrag { vals: Vec::new() }))
        .clone()
}

fn shared(f: RFrag) -> Arc<RFrag> {
    if f.vals.is_empty() {
        empty_frag()
    } else {
        Arc::new(f)
    }
}

impl Eval<'_, '_, '_> {
    /// The values of fragment `fid`; slots whose dependencies are not in
    /// `changed` keep their value from `old`.
    pub(crate) fn frag(
        &mut self,
        fid: FragId,
        ctx: &mut Context<'_>,
        old: Option<&RFrag>,
    ) -> Result<RFrag> {
        let prog = self.prog;
        let frag = prog.frag(fid);
        let mut vals = Vec::with_capacity(frag.slots.len());
        for (i, sid) in frag.slots.iter().enumerate() {
            let prev = old.and_then(|o| o.vals.get(i));
            if let (Some(p), Some(ch)) = (prev, self.changed) {
                if !prog.slot(*sid).deps.hits(ch) {
                    vals.push(p.clone());
                    continue;
                }
            }
            vals.push(self.slot(*sid, ctx, prev)?);
        }
        Ok(RFrag { vals })
    }

    fn slot(&mut self, sid: SlotId, ctx: &mut Context<'_>, old: Option<&RVal>) -> Result<RVal> {
        let prog = self.prog;
        let def = prog.slot(sid);
        // Most slots come from the template already current: skip the swap.
        let saved = (!self.r.is_tpl(&def.tpl)).then(|| self.r.swap_tpl(def.tpl.clone()));
        // The slot's tag is the position while its condition, bindings or
        // loop sequence are evaluated; its nodes report their own lines.
        let outer_line = self.r.enter_line(def.span.line);
        let r = match &def.kind {
            SlotKind::Text(nodes) => {
                // Render into a reused buffer: one allocation per slot.
                let mut out = std::mem::take(&mut self.buf);
                out.clear();
                let r = self
                    .r
                    .render_nodes(nodes, ctx, self.host, &mut out)
                    .map(|()| RVal::Text(Arc::from(out.as_str())));
                self.buf = out;
                r
            }
            SlotKind::If(branches) => self.eval_if(branches, ctx, old, def.span),
            SlotKind::With(kwargs, f) => {
                let mut values = Vec::with_capacity(kwargs.len());
                let mut res = Ok(());
                for (k, e) in kwargs {
                    match self.r.resolve_expr(e, ctx, self.host, false) {
                        Ok(v) => values.push((k.clone(), v)),
                        Err(e) => {
                            res = Err(self.r.locate(e, def.span));
                            break;
                        }
                    }
                }
                res.and_then(|()| {
                    ctx.push();
                    for (k, v) in values {
                        ctx.set(&k, Binding::Value(v));
                    }
                    let prev = match old {
                        Some(RVal::Frag(f)) => Some(&**f),
                        _ => None,
                    };
                    let r = self.frag(*f, ctx, prev);
                    ctx.pop();
                    r.map(|f| RVal::Frag(Arc::new(f)))
                })
            }
            SlotKind::Autoescape(on, f) => {
                let was = ctx.autoescape;
                ctx.autoescape = *on;
                let prev = match old {
                    Some(RVal::Frag(f)) => Some(&**f),
                    _ => None,
                };
                let r = self.frag(*f, ctx, prev);
                ctx.autoescape = was;
                r.map(|f| RVal::Frag(Arc::new(f)))
            }
            SlotKind::For { .. } => self.eval_for(sid, ctx),
        };
        let r = r.map_err(|e| self.r.locate(e, def.span));
        self.r.leave_line(outer_line);
        if let Some(saved) = saved {
            self.r.swap_tpl(saved);
        }
        r
    }

    fn eval_if(
        &mut self,
        branches: &[(Option<crate::ast::Cond>, FragId)],
        ctx: &mut Context<'_>,
        old: Option<&RVal>,
        span: crate::error::Span,
    ) -> Result<RVal> {
        for (b, (cond, f)) in branches.iter().enumerate() {
            let matched = match cond {
                None => true,
                Some(c) => match self.r.eval_cond(c, ctx, self.host) {
                    Ok(v) => v.is_true().map_err(|e| self.r.locate(e, span))?,
                    Err(e) if is_does_not_exist(&e) => false,
                    Err(e) => return Err(self.r.locate(e, span)),
                },
            };
            if matched {
                let prev = match old {
                    Some(RVal::Branch(Some((ob, of)))) if *ob as usize == b => Some(&**of),
                    _ => None,
                };
                let r = self.frag(*f, ctx, prev)?;
                return Ok(RVal::Branch(Some((b as u32, shared(r)))));
            }
        }
        Ok(RVal::Branch(None))
    }

    /// A loop, as the engine's `render_for` does it, keeping items apart.
    fn eval_for(&mut self, sid: SlotId, ctx: &mut Context<'_>) -> Result<RVal> {
        let parent = ctx.binding("forloop").cloned();
        ctx.push();
        let r = self.eval_for_inner(sid, parent, ctx);
        ctx.pop();
        r
    }

    fn eval_for_inner(
        &mut self,
        sid: SlotId,
        parent: Option<Binding>,
        ctx: &mut Context<'_>,
    ) -> Result<RVal> {
        let prog = self.prog;
        let SlotKind::For {
            targets,
            iter,
            reversed,
            body,
            empty,
            key,
        } = &prog.slot(sid).kind
        else {
            return Err(Error::render("internal: slot is not a loop"));
        };
        let seq = self.r.resolve_expr(iter, ctx, self.host, true)?;
        let mut items = loop_items(&seq)?;
        if items.is_empty() {
            let e = self.frag(*empty, ctx, None)?;
            return Ok(RVal::List(Arc::new(RList {
                keys: Vec::new(),
                items: Vec::new(),
                empty: Some(shared(e)),
            })));
        }
        if *reversed {
            items.reverse();
        }
        let len = items.len();
        let idx = ctx.enter_loop(len, parent);
        let mut keys = Vec::with_capacity(len);
        let mut out = Vec::with_capacity(len);
        let mut result = Ok(());
        for (i, item) in items.into_iter().enumerate() {
            ctx.loops[idx].index = i;
            let auto_key = match key {
                KeySource::Auto => auto_key(&item, i),
                KeySource::DjKey(_) => None,
            };
            let r = if targets.len() > 1 {
                let len_item = item.len()?.unwrap_or(1);
                if len_item != targets.len() {
                    result = Err(Error::render(format!(
                        "Need {} values to unpack in for loop; got {}. ",
                        targets.len(),
                        len_item
                    )));
                    break;
                }
                let values = item.iterate()?.unwrap_or_default();
                ctx.push();
                for (name, v) in targets.iter().zip(values) {
                    ctx.set(name, Binding::Value(v));
                }
                let r = self.frag(*body, ctx, None);
                ctx.pop();
                r
            } else {
                ctx.set(&targets[0], Binding::Value(item));
                self.frag(*body, ctx, None)
            };
            match r {
                Ok(f) => {
                    let k = match (key, auto_key) {
                        (_, Some(k)) => k,
                        (KeySource::DjKey(j), None) => match f.vals.get(*j) {
                            Some(RVal::Text(t)) => t.clone(),
                            _ => Arc::from(i.to_string()),
                        },
                        (KeySource::Auto, None) => Arc::from(i.to_string()),
                    };
                    keys.push(k);
                    out.push(shared(f));
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        ctx.loops.pop();
        result?;
        if !unique(&keys) {
            // Duplicate keys cannot address items: fall back to positions.
            keys = (0..keys.len()).map(|i| Arc::from(i.to_string())).collect();
        }
        Ok(RVal::List(Arc::new(RList {
            keys,
            items: out,
            empty: None,
        })))
    }
}

/// `pk` for model instances; `None` for anything else (keyed by position).
fn auto_key(item: &Value, i: usize) -> Option<Arc<str>> {
    if let Value::Object(o) = item {
        if o.kind() == ObjectKind::Plain {
            if let Ok(Some(pk)) = o.lookup("pk") {
                if let Ok(t) = pk.to_text() {
                    if !matches!(pk, Value::None | Value::Undefined) {
                        return t.as_str().map(|s| Arc::from(format!("pk{s}")));
                    }
                }
            }
        }
    }
    let _ = i;
    None
}

fn unique(keys: &[Arc<str>]) -> bool {
    let mut seen = HashSet::with_capacity(keys.len());
    keys.iter().all(|k| seen.insert(k))
}
