//! Which template line this thread is rendering now, for tools that
//! attribute work done during a render to the template that asked for it:
//! the N+1 audit records the template line of each SQL statement that a
//! lazy queryset, a related-object attribute or a callable runs while it is
//! being rendered ([`current`]).
//!
//! Each render owns a `Tracker`: the template and line it is at, shared
//! (`Rc`) with this thread's slot. The renderer writes the line of each
//! node it starts into its own tracker (a plain `Cell` store, no
//! thread-local access on the hot path) and switches the template on
//! include, extends and a block from another template. A render nested in
//! another (a Python callable called from a render renders a template
//! itself) installs its own tracker and puts the outer one back when it
//! ends: on success, on error and while a panic unwinds (the tracker is
//! dropped with the renderer), so no stale position survives a render.
//!
//! The line comes from the node's span, which the parser already computed:
//! nothing is scanned while rendering.
use std::cell::{Cell, Ref, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::Tpl;

/// What a render reports: the template it is in and the line it is at.
#[derive(Debug)]
struct Cursor {
    tpl: RefCell<Tpl>,
    /// 1-based line of the node being rendered; 0 before the first node.
    line: Cell<u32>,
}

thread_local! {
    /// The innermost render running on this thread.
    static CURRENT: RefCell<Option<Rc<Cursor>>> = const { RefCell::new(None) };
}

/// A template line being rendered on this thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The name the template was loaded by (`None` for a template string).
    pub name: Option<Arc<str>>,
    /// Where the loader found it (for Django's loaders, the file path).
    pub origin: Option<Arc<str>>,
    /// 1-based line of the node being rendered (0: no node started yet).
    pub line: u32,
}

/// The template line the innermost render on this thread is at, or `None`
/// outside any render.
pub fn current() -> Option<Position> {
    CURRENT
        .try_with(|current| {
            current.borrow().as_ref().map(|cursor| {
                let tpl = cursor.tpl.borrow();
                Position {
                    name: tpl.name.clone(),
                    origin: tpl.origin.clone(),
                    line: cursor.line.get(),
                }
            })
        })
        .ok()
        .flatten()
}

/// One render's position, current on this thread from [`Tracker::enter`]
/// until dropped, when the outer render's position is current again.
pub(crate) struct Tracker {
    cursor: Rc<Cursor>,
    outer: Option<Rc<Cursor>>,
}

impl Tracker {
    /// Start reporting a render of `tpl`.
    pub(crate) fn enter(tpl: Tpl) -> Tracker {
        let cursor = Rc::new(Cursor {
            tpl: RefCell::new(tpl),
            line: Cell::new(0),
        });
        let outer = CURRENT
            .try_with(|current| current.replace(Some(cursor.clone())))
            .ok()
            .flatten();
        Tracker { cursor, outer }
    }

    /// The template being rendered.
    pub(crate) fn tpl(&self) -> Ref<'_, Tpl> {
        self.cursor.tpl.borrow()
    }

    /// Switch to another template; returns the previous one.
    pub(crate) fn swap_tpl(&self, tpl: Tpl) -> Tpl {
        self.cursor.tpl.replace(tpl)
    }

    /// The line being rendered.
    #[inline]
    pub(crate) fn line(&self) -> u32 {
        self.cursor.line.get()
    }

    /// Move to `line` (called for every node: keep it a store).
    #[inline]
    pub(crate) fn set_line(&self, line: u32) {
        self.cursor.line.set(line);
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        let outer = self.outer.take();
        // Dropped in the thread's teardown, the slot may be gone already.
        let _ = CURRENT.try_with(|current| current.replace(outer));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{current, Tracker};
    use crate::render::Tpl;

    fn tpl(name: &str) -> Tpl {
        Tpl {
            name: Some(Arc::from(name)),
            origin: Some(Arc::from(format!("/templates/{name}"))),
            source: Arc::from(""),
        }
    }

    #[test]
    fn nested_trackers_restore_the_outer_position() {
        assert_eq!(current(), None);
        let outer = Tracker::enter(tpl("outer.html"));
        outer.set_line(3);
        {
            let inner = Tracker::enter(tpl("inner.html"));
            inner.set_line(7);
            let at = current().unwrap();
            assert_eq!((at.name.as_deref(), at.line), (Some("inner.html"), 7));
        }
        let at = current().unwrap();
        assert_eq!((at.name.as_deref(), at.line), (Some("outer.html"), 3));
        assert_eq!(at.origin.as_deref(), Some("/templates/outer.html"));
        drop(outer);
        assert_eq!(current(), None);
    }

    #[test]
    fn a_panic_unwinding_through_a_render_restores_the_position() {
        let outer = Tracker::enter(tpl("outer.html"));
        outer.set_line(2);
        let caught = std::panic::catch_unwind(|| {
            let inner = Tracker::enter(tpl("inner.html"));
            inner.set_line(9);
            panic!("a host callback panicked");
        });
        assert!(caught.is_err());
        assert_eq!(current().map(|p| p.line), Some(2));
        drop(outer);
        assert_eq!(current(), None);
    }
}
