//! Live rendering: compile a template once into statics and
//! dependency-tracked slots ([`compile`]), keep each view's rendered slot
//! values ([`rendered`]), and turn an update into minimal, keyed patches
//! ([`diff`], [`patch`]). [`dom`] is the reference client used by tests
//! and to generate the JavaScript client's fixtures.
//!
//! ```
//! use std::sync::Arc;
//! use djust_vdom::{live::LiveTemplate, DefaultHost, Environment, MapLoader, Options, Value};
//! use djust_vdom::value::Map;
//!
//! let env = Environment::new(Arc::new(MapLoader::new()), Options::default());
//! let t = env.from_string("<h1>{{ title }}</h1><p>{{ body }}</p>").unwrap();
//! let mut live = LiveTemplate::new(&t).unwrap();
//! let ctx = |title: &str| {
//!     let mut m = Map::new();
//!     m.insert("title".into(), Value::from(title));
//!     m.insert("body".into(), Value::from("text"));
//!     Value::Map(Arc::new(m))
//! };
//! assert_eq!(live.mount(ctx("Hi"), &DefaultHost).unwrap(), "<h1>Hi</h1><p>text</p>");
//! let patch = live.update(ctx("Bye"), &DefaultHost, Some(&["title"])).unwrap();
//! assert_eq!(patch.as_deref(), Some(r#"{"v":1,"d":[{"o":"s","p":[0],"v":"Bye"}]}"#));
//! ```
pub mod compile;
pub mod diff;
pub mod dom;
pub mod patch;
pub mod rendered;

use std::collections::HashSet;
use std::sync::Arc;

pub use compile::{Deps, Program};
pub use patch::{Op, Seg, PROTOCOL_VERSION};
pub use rendered::{RFrag, RList, RVal, Rendered};

use crate::context::Context;
use crate::env::Template;
use crate::error::{Error, Result};
use crate::host::Host;
use crate::render::Renderer;
use crate::value::Value;

/// A compiled template plus the rendered state of one view.
///
/// [`LiveTemplate::evaluate`] (reads the context: needs the host's lock,
/// e.g. Python's GIL) and [`LiveTemplate::commit`] (pure Rust diffing) are
/// split so bindings can release the lock while diffing.
pub struct LiveTemplate {
    template: Arc<Template>,
    program: Arc<Program>,
    state: Option<Rendered>,
}

/// Sizes, for benchmarks and limits.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Bytes the view retains between updates (rendered slot values).
    pub retained_bytes: usize,
    /// Static HTML bytes of the program (shared by all views of it).
    pub static_bytes: usize,
    /// Number of slots in the program.
    pub slots: usize,
    /// Number of fragments in the program.
    pub fragments: usize,
}

impl LiveTemplate {
    /// Compile `template` (its `extends` chain and literal includes are
    /// inlined now).
    pub fn new(template: &Arc<Template>) -> Result<Self> {
        let env = template.env()?;
        let program = compile::compile(&env, template)?;
        Ok(LiveTemplate {
            template: template.clone(),
            program: Arc::new(program),
            state: None,
        })
    }

    /// The compiled program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The retained values (after [`LiveTemplate::mount`]).
    pub fn rendered(&self) -> Option<&Rendered> {
        self.state.as_ref()
    }

    /// Render everything, retain it, and return the page's HTML (the same
    /// bytes as a plain render: no markers).
    pub fn mount(&mut self, root: Value, host: &dyn Host) -> Result<String> {
        let r = self.evaluate(root, host, None, true)?;
        let html = rendered::to_html(&self.program, &r);
        self.state = Some(r);
        Ok(html)
    }

    /// Evaluate the slots against `root`. With `changed`, only slots
    /// reading one of those names are re-evaluated (others keep their
    /// retained value); `full` ignores the retained values entirely.
    /// The retained state is not modified.
    pub fn evaluate(
        &self,
        root: Value,
        host: &dyn Host,
        changed: Option<&HashSet<Arc<str>>>,
        full: bool,
    ) -> Result<Rendered> {
        let env = self.template.env()?;
        let mut ctx = Context::new(root, env.options.autoescape);
        let mut ev = rendered::Eval {
            prog: &self.program,
            r: Renderer::new(&env, &self.template, host),
            host,
            changed: if full { None } else { changed },
            buf: String::new(),
        };
        let old = if full { None } else { self.state.as_ref() };
        if changed.is_some() && old.is_none() && !full {
            return Err(Error::render("update() before mount()"));
        }
        ev.frag(0, &mut ctx, old)
    }

    /// Diff `new` against the retained values, retain `new`, and return
    /// the operations (empty when nothing visible changed).
    pub fn commit(&mut self, new: Rendered) -> Vec<Op> {
        let ops = match &self.state {
            Some(old) => diff::diff(&self.program, old, &new),
            None => Vec::new(),
        };
        self.state = Some(new);
        ops
    }

    /// [`LiveTemplate::evaluate`] then [`LiveTemplate::commit`]: the patch
    /// message, or `None` when nothing visible changed. On error the
    /// retained state is untouched.
    pub fn update(
        &mut self,
        root: Value,
        host: &dyn Host,
        changed: Option<&[&str]>,
    ) -> Result<Option<String>> {
        if self.state.is_none() {
            return Err(Error::render("update() before mount()"));
        }
        let set: Option<HashSet<Arc<str>>> =
            changed.map(|c| c.iter().map(|s| Arc::from(*s)).collect());
        let new = self.evaluate(root, host, set.as_ref(), false)?;
        let ops = self.commit(new);
        Ok((!ops.is_empty()).then(|| patch::encode(&ops)))
    }

    /// The join payload for the client: program tables and the retained
    /// values (see `docs/protocol.md`).
    pub fn join_json(&self) -> Option<String> {
        self.state
            .as_ref()
            .map(|r| patch::join_json(&self.program, r))
    }

    /// The HTML of the retained values.
    pub fn html(&self) -> Option<String> {
        self.state
            .as_ref()
            .map(|r| rendered::to_html(&self.program, r))
    }

    /// Sizes of the program and the retained state.
    pub fn stats(&self) -> Stats {
        Stats {
            retained_bytes: self.state.as_ref().map_or(0, rendered::retained_bytes),
            static_bytes: self.program.static_bytes(),
            slots: self.program.slots.len(),
            fragments: self.program.frags.len(),
        }
    }
}
