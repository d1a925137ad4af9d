//! The one place errors cross the boundary, each way.
//!
//! Python → Rust: any exception raised by user code (an attribute, a filter,
//! a tag, a loader) becomes an [`ErrorKind::Host`] error carrying the
//! `PyErr`, so it is re-raised unchanged at the top.
//!
//! Rust → Python: syntax errors become Django's `TemplateSyntaxError`,
//! missing templates `TemplateDoesNotExist`, templates the engine cannot run
//! `djust._native.TemplateUnsupported`, and a panic `EnginePanic` (a
//! `RuntimeError`, so Django's error pages and `except Exception` see it).
//! Each carries the template name and position as `djust_*` attributes;
//! `djust.template.debug` turns them into Django's `template_debug` dict.
use std::any::Any;
use std::sync::Arc;

use djust_vdom::{Error, ErrorKind};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;

create_exception!(
    _native,
    TemplateUnsupported,
    PyException,
    "The template uses something the Rust engine cannot run (a tag with its own Node class); render it with Django."
);
create_exception!(
    _native,
    EnginePanic,
    PyRuntimeError,
    "A bug in djust's Rust engine (a panic), turned into an exception instead of aborting."
);

/// A Python exception raised by host code, as an engine error that carries it.
pub fn host_error(err: PyErr) -> Error {
    let detail = err.to_string();
    Error::host(detail, Arc::new(err))
}

/// An engine error as the Python exception Django code expects.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| {
        if err.kind() == ErrorKind::Host {
            if let Some(pyerr) = err.payload().and_then(|p| p.downcast_ref::<PyErr>()) {
                return pyerr.clone_ref(py);
            }
        }
        match build(py, &err) {
            Ok(e) => e,
            Err(e) => e,
        }
    })
}

/// Render errors Django raises as `ValueError` rather than
/// `TemplateSyntaxError`, recognised by their (Django-identical) message.
fn is_value_error(detail: &str) -> bool {
    detail.starts_with("Need ") && detail.contains(" values to unpack in for loop")
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let exc = match err.kind() {
        ErrorKind::Render if is_value_error(err.detail()) => py
            .get_type::<pyo3::exceptions::PyValueError>()
            .call1((err.detail(),))?,
        ErrorKind::Syntax | ErrorKind::Render | ErrorKind::Host => py
            .import("django.template.exceptions")?
            .getattr("TemplateSyntaxError")?
            .call1((err.detail(),))?,
        ErrorKind::TemplateNotFound => py
            .import("django.template.exceptions")?
            .getattr("TemplateDoesNotExist")?
            .call1((err.detail(),))?,
        ErrorKind::Unsupported => py
            .get_type::<TemplateUnsupported>()
            .call1((err.detail(),))?,
    };
    exc.setattr("djust_template", err.template())?;
    match err.span() {
        Some(span) => {
            exc.setattr("djust_line", span.line)?;
            exc.setattr("djust_column", span.col)?;
            exc.setattr("djust_span", (span.start, span.end))?;
        }
        None => {
            exc.setattr("djust_line", py.None())?;
            exc.setattr("djust_column", py.None())?;
            exc.setattr("djust_span", py.None())?;
        }
    }
    Ok(PyErr::from_value(exc))
}

/// A panic's message as an `EnginePanic`.
pub fn panic_to_py_err(panic: Box<dyn Any + Send>) -> PyErr {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    EnginePanic::new_err(format!("djust engine panic: {message}"))
}

/// Run engine code, turning a panic into a Python exception and an engine
/// error into its Python form.
pub fn guard<T>(f: impl FnOnce() -> djust_vdom::Result<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py_err(e)),
        Err(panic) => Err(panic_to_py_err(panic)),
    }
}
