//! `djust._native.LiveTemplate`: a compiled template plus one view's
//! rendered slot values. Evaluating slots reads Python objects (GIL held);
//! diffing the old and new values is pure Rust and runs with the GIL
//! released.
use std::collections::HashSet;
use std::sync::Arc;

use djust_vdom::live::{patch, LiveTemplate};
use djust_vdom::{Environment, Host};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::{guard, host_error, to_py_err};
use crate::host::DjangoHost;
use crate::template::PyTemplate;
use crate::value::PyContext;

/// A live view's template (`djust._native.LiveTemplate`).
#[pyclass(module = "djust._native", name = "LiveTemplate")]
pub struct PyLiveTemplate {
    live: LiveTemplate,
    /// The template reads its environment while rendering.
    _env: Environment,
}

#[pymethods]
impl PyLiveTemplate {
    /// Compile `template` into statics and dependency-tracked slots.
    #[new]
    fn new(template: &PyTemplate) -> PyResult<Self> {
        let live = guard(|| LiveTemplate::new(&template.template))?;
        Ok(PyLiveTemplate {
            live,
            _env: template._env.clone(),
        })
    }

    /// Render everything, keep the slot values, return the page's HTML.
    #[pyo3(signature = (context, request=None))]
    fn mount(
        &mut self,
        py: Python<'_>,
        context: Bound<'_, PyDict>,
        request: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let host = DjangoHost::new(py, request)?;
        let root = PyContext::wrap(context);
        guard(|| {
            self.live
                .mount(root, &host as &dyn Host)
                .map_err(|e| located(py, e))
        })
    }

    /// Re-evaluate the slots reading any name in `changed` (every slot when
    /// `changed` is None), diff, and return the patch message, or None when
    /// nothing visible changed. On error the previous state is kept.
    #[pyo3(signature = (context, changed=None, request=None))]
    fn update<'py>(
        &mut self,
        py: Python<'py>,
        context: Bound<'py, PyDict>,
        changed: Option<Bound<'py, PyAny>>,
        request: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        if self.live.rendered().is_none() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "LiveTemplate.update() called before mount()",
            ));
        }
        let set: Option<HashSet<Arc<str>>> = match changed {
            None => None,
            Some(c) => {
                let mut set = HashSet::new();
                for name in c.try_iter()? {
                    set.insert(Arc::from(name?.extract::<String>()?));
                }
                Some(set)
            }
        };
        if set.as_ref().is_some_and(HashSet::is_empty) {
            return Ok(None);
        }
        let host = DjangoHost::new(py, request)?;
        let root = PyContext::wrap(context);
        let new = guard(|| {
            self.live
                .evaluate(root, &host as &dyn Host, set.as_ref(), false)
                .map_err(|e| located(py, e))
        })?;
        let live = &mut self.live;
        let msg = py.detach(move || {
            let ops = live.commit(new);
            (!ops.is_empty()).then(|| patch::encode(&ops))
        });
        Ok(msg.map(|m| PyBytes::new(py, m.as_bytes())))
    }

    /// The join payload the client needs to apply patches (JSON text).
    fn join_payload(&self) -> PyResult<String> {
        self.live.join_json().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("join_payload() called before mount()")
        })
    }

    /// The HTML of the retained state (equals a full render of the last
    /// context).
    fn html(&self) -> Option<String> {
        self.live.html()
    }

    /// Sizes: retained bytes, static bytes, slot and fragment counts.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.live.stats();
        let d = PyDict::new(py);
        d.set_item("retained_bytes", s.retained_bytes)?;
        d.set_item("static_bytes", s.static_bytes)?;
        d.set_item("slots", s.slots)?;
        d.set_item("fragments", s.fragments)?;
        d.set_item("protocol_version", patch::PROTOCOL_VERSION)?;
        Ok(d)
    }
}

/// A Python exception raised by user code (a property, `__str__`) comes
/// back unchanged, but gets a note and `djust_template`/`djust_line`
/// attributes naming the template line that was rendering.
fn located(py: Python<'_>, e: djust_vdom::Error) -> djust_vdom::Error {
    let Some(span) = e.span() else { return e };
    if e.payload().is_none() {
        return e; // engine errors already carry their location
    }
    let where_ = format!(
        "while rendering {} line {}",
        e.template().unwrap_or("<template string>"),
        span.line
    );
    let template = e.template().map(str::to_owned);
    let err = to_py_err(e);
    let value = err.value(py);
    let _ = value.call_method1("add_note", (where_,));
    let _ = value.setattr("djust_line", span.line);
    let _ = value.setattr("djust_template", template);
    host_error(err)
}
