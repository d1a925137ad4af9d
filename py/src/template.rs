//! The template engine for Python: lookups now; environments and templates
//! once the engine's API lands.
use djust_vdom::{Host, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::guard;
use crate::host::DjangoHost;
use crate::value::{to_py, to_value, PyContext};

/// Resolve a dotted variable (`"user.profile.name"`) against a context
/// dict exactly as a template would, and return the value as Python sees
/// it after crossing into the engine and back. An invalid variable returns
/// `default`. A diagnostic and test hook for the lookup rules.
#[pyfunction]
#[pyo3(signature = (context, path, default=None))]
pub fn resolve_variable<'py>(
    context: &Bound<'py, PyDict>,
    path: &str,
    default: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = context.py();
    let root = PyContext::wrap(context.clone());
    let found = guard(|| {
        let mut current = root;
        for bit in path.split('.') {
            match current.get_attr(bit)? {
                Some(v) => current = v,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    })?;
    match found {
        Some(v) => to_py(py, &v),
        None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
    }
}

/// Convert a Python object into an engine value and back (scalars cross
/// by value, other objects by reference). A test hook for the conversion.
#[pyfunction]
pub fn value_roundtrip<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let value: Value = to_value(obj)?;
    to_py(obj.py(), &value)
}

/// Call one [`Host`] service of a fresh [`DjangoHost`] by name, the way a
/// render would: a test and diagnostic hook for the host.
#[pyfunction]
#[pyo3(signature = (service, *args, request=None))]
pub fn host_call<'py>(
    py: Python<'py>,
    service: &str,
    args: &Bound<'py, PyTuple>,
    request: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let host = DjangoHost::new(py, request)?;
    let text = |i: usize| -> PyResult<String> { args.get_item(i)?.extract() };
    let value = |i: usize| -> PyResult<Value> { to_value(&args.get_item(i)?) };
    let out: Value = match service {
        "gettext" => Value::from(host.gettext(&text(0)?)),
        "pgettext" => Value::from(host.pgettext(&text(0)?, &text(1)?)),
        "ngettext" => {
            Value::from(host.ngettext(&text(0)?, &text(1)?, args.get_item(2)?.extract()?))
        }
        "npgettext" => Value::from(host.npgettext(
            &text(0)?,
            &text(1)?,
            &text(2)?,
            args.get_item(3)?.extract()?,
        )),
        "language" => Value::from(host.language()),
        "language_bidi" => Value::from(host.language_bidi()),
        "format" => host.format(&text(0)?).map_or(Value::None, Value::from),
        "use_tz" => Value::from(host.use_tz()),
        "use_l10n" => Value::from(host.use_l10n()),
        "localtime" => {
            let Value::DateTime(dt) = value(0)? else {
                return Err(PyTypeError::new_err("localtime needs a datetime"));
            };
            let zone: Option<String> = args.get_item(1).ok().and_then(|z| z.extract().ok());
            Value::DateTime(guard(|| host.localtime(&dt, zone.as_deref()))?)
        }
        "now" => Value::DateTime(guard(|| host.now())?),
        "reverse" => {
            let name = text(0)?;
            let pos: Vec<Value> = match args.get_item(1) {
                Ok(a) => a
                    .try_iter()?
                    .map(|v| to_value(&v?))
                    .collect::<PyResult<_>>()?,
                Err(_) => Vec::new(),
            };
            let kw: Vec<(String, Value)> = match args.get_item(2) {
                Ok(k) => k
                    .cast::<PyDict>()?
                    .iter()
                    .map(|(k, v)| Ok((k.extract::<String>()?, to_value(&v)?)))
                    .collect::<PyResult<_>>()?,
                Err(_) => Vec::new(),
            };
            Value::from(guard(|| host.reverse(&name, &pos, &kw))?)
        }
        "static_url" => {
            let path = text(0)?;
            Value::from(guard(|| host.static_url(&path))?)
        }
        other => return Err(PyValueError::new_err(format!("no host service {other:?}"))),
    };
    to_py(py, &out)
}
