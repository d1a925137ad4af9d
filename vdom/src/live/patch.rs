//! The wire format: patch operations and their JSON encoding, plus the
//! join payload (the program's statics and slot table, and the first
//! rendered values) the client keeps to apply patches.
//!
//! Every key is one letter; `docs/protocol.md` ("Patches") documents them.
use std::fmt::Write as _;
use std::sync::Arc;

use super::compile::{Program, SlotKind};
use super::rendered::{RFrag, RVal};

/// Version of the patch format; the client refuses other versions.
pub const PROTOCOL_VERSION: u32 = 1;

/// One step of a slot address: a slot id, or a loop item key after a loop
/// slot.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    /// A slot id (a JSON number).
    Slot(u32),
    /// A loop item's key (a JSON string).
    Key(Arc<str>),
}

/// A patch operation. `path` ends with the slot it changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `{"o":"s","p":path,"v":"html"}`: a text slot's new HTML.
    Set {
        /// The text slot.
        path: Vec<Seg>,
        /// Its new HTML.
        html: Arc<str>,
    },
    /// `{"o":"r","p":path,"v":value}`: a slot's whole new value (an `if`
    /// that took another branch, a loop going to or from `{% empty %}`).
    Replace {
        /// The slot.
        path: Vec<Seg>,
        /// Its new value.
        value: RVal,
    },
    /// `{"o":"d","p":path,"k":key}`: remove a loop item.
    Delete {
        /// The loop slot.
        path: Vec<Seg>,
        /// The item key.
        key: Arc<str>,
    },
    /// `{"o":"i","p":path,"k":key,"a":after,"v":[values]}`: insert an item
    /// after the item keyed `after` (`null`: first).
    Insert {
        /// The loop slot.
        path: Vec<Seg>,
        /// The new item's key.
        key: Arc<str>,
        /// The key it goes after.
        after: Option<Arc<str>>,
        /// Its values.
        item: Arc<RFrag>,
    },
    /// `{"o":"m","p":path,"k":key,"a":after}`: move an existing item after
    /// the item keyed `after` (`null`: first).
    Move {
        /// The loop slot.
        path: Vec<Seg>,
        /// The item's key.
        key: Arc<str>,
        /// The key it goes after.
        after: Option<Arc<str>>,
    },
}

/// Encode a patch message: `{"v":1,"d":[ops]}`.
pub fn encode(ops: &[Op]) -> String {
    let mut s = String::with_capacity(64);
    let _ = write!(s, "{{\"v\":{PROTOCOL_VERSION},\"d\":[");
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        op_json(op, &mut s);
    }
    s.push_str("]}");
    s
}

fn op_json(op: &Op, s: &mut String) {
    let (code, path) = match op {
        Op::Set { path, .. } => ("s", path),
        Op::Replace { path, .. } => ("r", path),
        Op::Delete { path, .. } => ("d", path),
        Op::Insert { path, .. } => ("i", path),
        Op::Move { path, .. } => ("m", path),
    };
    let _ = write!(s, "{{\"o\":\"{code}\",\"p\":");
    path_json(path, s);
    match op {
        Op::Set { html, .. } => {
            s.push_str(",\"v\":");
            str_json(html, s);
        }
        Op::Replace { value, .. } => {
            s.push_str(",\"v\":");
            val_json(value, s);
        }
        Op::Delete { key, .. } => {
            s.push_str(",\"k\":");
            str_json(key, s);
        }
        Op::Insert {
            key, after, item, ..
        } => {
            s.push_str(",\"k\":");
            str_json(key, s);
            s.push_str(",\"a\":");
            opt_json(after.as_deref(), s);
            s.push_str(",\"v\":");
            vals_json(item, s);
        }
        Op::Move { key, after, .. } => {
            s.push_str(",\"k\":");
            str_json(key, s);
            s.push_str(",\"a\":");
            opt_json(after.as_deref(), s);
        }
    }
    s.push('}');
}

fn path_json(path: &[Seg], s: &mut String) {
    s.push('[');
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        match seg {
            Seg::Slot(id) => {
                let _ = write!(s, "{id}");
            }
            Seg::Key(k) => str_json(k, s),
        }
    }
    s.push(']');
}

fn opt_json(v: Option<&str>, s: &mut String) {
    match v {
        Some(k) => str_json(k, s),
        None => s.push_str("null"),
    }
}

fn str_json(v: &str, s: &mut String) {
    s.push('"');
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            // U+2028/2029 are valid JSON but break some JS embeddings.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

/// A fragment's values: `[v0, v1, …]`.
pub(crate) fn vals_json(f: &RFrag, s: &mut String) {
    s.push('[');
    for (i, v) in f.vals.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        val_json(v, s);
    }
    s.push(']');
}

/// A slot value: text is a string; `with`/autoescape `{"d":[…]}`; `if`
/// `{"b":n,"d":[…]}` or `{"b":null}`; a loop `{"k":[keys],"i":[[…],…]}`
/// or, when empty, `{"k":[],"i":[],"e":[…]}`.
pub(crate) fn val_json(v: &RVal, s: &mut String) {
    match v {
        RVal::Text(t) => str_json(t, s),
        RVal::Frag(f) => {
            s.push_str("{\"d\":");
            vals_json(f, s);
            s.push('}');
        }
        RVal::Branch(None) => s.push_str("{\"b\":null}"),
        RVal::Branch(Some((b, f))) => {
            let _ = write!(s, "{{\"b\":{b},\"d\":");
            vals_json(f, s);
            s.push('}');
        }
        RVal::List(l) => {
            s.push_str("{\"k\":[");
            for (i, k) in l.keys.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                str_json(k, s);
            }
            s.push_str("],\"i\":[");
            for (i, it) in l.items.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                vals_json(it, s);
            }
            s.push(']');
            if let Some(e) = &l.empty {
                s.push_str(",\"e\":");
                vals_json(e, s);
            }
            s.push('}');
        }
    }
}

/// The program as the client needs it: `{"v":1,"f":[{"s":[statics],
/// "d":[slot ids]}…], "s":[slot…]}` where a slot is `{"t":"t"}` (text), `{"t":"i","f":[frag
/// per branch]}`, `{"t":"l","f":body,"e":empty}` or `{"t":"w","f":frag}`.
/// Fragment 0 is the page.
pub fn program_json(prog: &Program) -> String {
    let mut s = String::new();
    let _ = write!(s, "{{\"v\":{PROTOCOL_VERSION},\"f\":[");
    for (i, f) in prog.frags.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"s\":[");
        for (j, st) in f.statics.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            str_json(st, &mut s);
        }
        s.push_str("],\"d\":[");
        for (j, id) in f.slots.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(s, "{id}");
        }
        s.push_str("]}");
    }
    s.push_str("],\"s\":[");
    for (i, slot) in prog.slots.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        match &slot.kind {
            SlotKind::Text(_) => s.push_str("{\"t\":\"t\"}"),
            SlotKind::If(b) => {
                s.push_str("{\"t\":\"i\",\"f\":[");
                for (j, (_, f)) in b.iter().enumerate() {
                    if j > 0 {
                        s.push(',');
                    }
                    let _ = write!(s, "{f}");
                }
                s.push_str("]}");
            }
            SlotKind::For { body, empty, .. } => {
                let _ = write!(s, "{{\"t\":\"l\",\"f\":{body},\"e\":{empty}}}");
            }
            SlotKind::With(_, f) | SlotKind::Autoescape(_, f) => {
                let _ = write!(s, "{{\"t\":\"w\",\"f\":{f}}}");
            }
        }
    }
    s.push_str("]}");
    s
}

/// The join payload: `{"v":1,"f":…,"s":…,"r":[root values]}`.
pub fn join_json(prog: &Program, rendered: &RFrag) -> String {
    let mut s = program_json(prog);
    s.pop();
    s.push_str(",\"r\":");
    vals_json(rendered, &mut s);
    s.push('}');
    s
}
