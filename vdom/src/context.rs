//! The variable scopes of one render: Django's `Context` stack.
//!
//! Names bound by `for`, `with`, `include … with`, `{% cycle … as %}` and
//! friends live in a flat vector of bindings with frame marks (lookups scan
//! from the innermost binding, which is a handful of entries); anything not
//! bound there is read from the root value (the host's context dict) and
//! finally from Django's builtins `True`, `False`, `None`.
use std::sync::Arc;

use crate::value::{Map, Value};

/// What a name is bound to.
#[derive(Clone, Debug)]
pub(crate) enum Binding {
    /// A plain value.
    Value(Value),
    /// `forloop` of the loop at this index in [`Context::loops`].
    Loop(usize),
    /// `block` inside `{% block name %}`; `chained` when rendering through
    /// `extends` (so `block.super` works).
    Block { name: Arc<str>, chained: bool },
}

/// A `{% for %}` loop's counters, and the `{% ifchanged %}` state Django
/// keeps in the loop's `forloop` dict.
#[derive(Debug)]
pub(crate) struct LoopState {
    pub(crate) index: usize,
    pub(crate) len: usize,
    /// The `forloop` visible when the loop started (its `parentloop`).
    pub(crate) parent: Option<Binding>,
    pub(crate) changed: Vec<(usize, Changed)>,
}

/// What an `{% ifchanged %}` compares against.
#[derive(Debug, Clone)]
pub(crate) enum Changed {
    Values(Vec<Value>),
    Text(String),
}

/// The context of one render: scopes over a root value.
#[derive(Debug)]
pub struct Context<'a> {
    pub(crate) root: Value,
    pub(crate) vars: Vec<(Arc<str>, Binding)>,
    pub(crate) frames: Vec<usize>,
    pub(crate) loops: Vec<LoopState>,
    pub(crate) autoescape: bool,
    pub(crate) use_l10n: Option<bool>,
    pub(crate) use_tz: Option<bool>,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl<'a> Context<'a> {
    /// A context reading `root` for names no scope binds.
    pub fn new(root: Value, autoescape: bool) -> Self {
        Context {
            root,
            vars: Vec::with_capacity(8),
            frames: Vec::with_capacity(8),
            loops: Vec::new(),
            autoescape,
            use_l10n: None,
            use_tz: None,
            _marker: std::marker::PhantomData,
        }
    }

    /// A fresh context with the same settings and a new root (Django's
    /// `Context.new`).
    pub(crate) fn new_like(&self, root: Value) -> Context<'a> {
        let mut ctx = Context::new(root, self.autoescape);
        ctx.use_l10n = self.use_l10n;
        ctx.use_tz = self.use_tz;
        ctx
    }

    /// Whether autoescape is on where the context is used.
    pub fn autoescape(&self) -> bool {
        self.autoescape
    }

    /// The root value (the host's context).
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The value of a top-level name as a template would see it, or
    /// `None` if it is not defined.
    pub fn get(&self, name: &str) -> Option<Value> {
        match self.binding(name) {
            Some(b) => Some(self.binding_value(b)),
            None => self.root_lookup(name),
        }
    }

    /// Every name bound in scopes, innermost first, without duplicates
    /// (the root's names are not included: read them from [`Context::root`]).
    pub fn flatten(&self) -> Vec<(Arc<str>, Value)> {
        let mut out: Vec<(Arc<str>, Value)> = Vec::new();
        for (name, b) in self.vars.iter().rev() {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), self.binding_value(b)));
            }
        }
        out
    }

    pub(crate) fn binding(&self, name: &str) -> Option<&Binding> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, b)| b)
    }

    pub(crate) fn root_lookup(&self, name: &str) -> Option<Value> {
        match self.root.get_attr(name) {
            Ok(Some(v)) => Some(v),
            _ => match name {
                "True" => Some(Value::Bool(true)),
                "False" => Some(Value::Bool(false)),
                "None" => Some(Value::None),
                _ => None,
            },
        }
    }

    /// A binding as a value (`forloop` becomes Django's dict).
    pub(crate) fn binding_value(&self, b: &Binding) -> Value {
        match b {
            Binding::Value(v) => v.clone(),
            Binding::Loop(i) => self.loop_value(*i),
            Binding::Block { name, .. } => {
                let mut map = Map::new();
                map.insert(Arc::from("name"), Value::Str(name.clone()));
                Value::Map(Arc::new(map))
            }
        }
    }

    /// One counter of a loop, as `forloop.<key>` reads it.
    pub(crate) fn loop_attr(&self, i: usize, key: &str) -> Option<Value> {
        let l = self.loops.get(i)?;
        Some(match key {
            "counter0" => Value::Int(l.index as i64),
            "counter" => Value::Int(l.index as i64 + 1),
            "revcounter" => Value::Int((l.len - l.index) as i64),
            "revcounter0" => Value::Int((l.len - l.index) as i64 - 1),
            "first" => Value::Bool(l.index == 0),
            "last" => Value::Bool(l.index + 1 == l.len),
            "parentloop" => match &l.parent {
                Some(b) => self.binding_value(b),
                None => Value::Map(Arc::new(Map::new())),
            },
            _ => return None,
        })
    }

    /// Django's `forloop` dict, in its key order.
    pub(crate) fn loop_value(&self, i: usize) -> Value {
        let mut map = Map::new();
        for key in [
            "parentloop",
            "counter0",
            "counter",
            "revcounter",
            "revcounter0",
            "first",
            "last",
        ] {
            if let Some(v) = self.loop_attr(i, key) {
                map.insert(Arc::from(key), v);
            }
        }
        Value::Map(Arc::new(map))
    }

    /// Open a scope (Django's `context.push()`).
    pub(crate) fn push(&mut self) {
        self.frames.push(self.vars.len());
    }

    /// Close the innermost scope.
    pub(crate) fn pop(&mut self) {
        if let Some(start) = self.frames.pop() {
            self.vars.truncate(start);
        }
    }

    /// Bind `name` in the innermost scope (`context[name] = value`).
    /// Start a `{% for %}` over `len` items in the current scope: a fresh
    /// loop state (with `parent` as its `parentloop`) bound to `forloop`.
    /// Returns the loop's index in `loops`.
    pub(crate) fn enter_loop(&mut self, len: usize, parent: Option<Binding>) -> usize {
        let idx = self.loops.len();
        self.loops.push(LoopState {
            index: 0,
            len,
            parent,
            changed: Vec::new(),
        });
        self.set(&Arc::from("forloop"), Binding::Loop(idx));
        idx
    }

    pub(crate) fn set(&mut self, name: &Arc<str>, b: Binding) {
        let start = self.frames.last().copied().unwrap_or(0);
        if let Some(slot) = self.vars[start..].iter_mut().find(|(n, _)| n == name) {
            slot.1 = b;
        } else {
            self.vars.push((name.clone(), b));
        }
    }

    /// Bind `name` where it is already bound, else in the innermost scope
    /// (Django's `set_upward`).
    pub(crate) fn set_upward(&mut self, name: &Arc<str>, value: Value) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            slot.1 = Binding::Value(value);
        } else {
            self.set(name, Binding::Value(value));
        }
    }

    /// The innermost visible loop's index in `loops`, if `forloop` is a loop.
    pub(crate) fn current_loop(&self) -> Option<usize> {
        match self.binding("forloop") {
            Some(Binding::Loop(i)) => Some(*i),
            _ => None,
        }
    }
}
