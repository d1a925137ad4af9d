//! Python objects as engine values, read lazily.
//!
//! Scalars (str, bool, int, float, Decimal, dates, None, lazy translations)
//! are converted when they are reached: that is cheaper than crossing the
//! boundary again for every filter. Containers and every other object stay
//! Python objects behind [`PyObj`], which answers the engine's questions one
//! at a time with Django's own rules (`Variable._resolve_lookup`).
use std::any::Any;
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use djust_vdom::value::{Date, DateTime, Map, Object, ObjectKind, Time, TzInfo};
use djust_vdom::{Result, Value};
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::errors::host_error;
use crate::template::PyTemplate;
use djust_vdom::TemplateRef;

/// Python classes the conversion tests against, imported once.
struct Types {
    safe_string: Py<PyType>,
    promise: Py<PyType>,
    decimal: Py<PyType>,
    datetime: Py<PyType>,
    date: Py<PyType>,
    time: Py<PyType>,
    enumeration: Py<PyType>,
    mapping: Py<PyType>,
}

static TYPES: PyOnceLock<Types> = PyOnceLock::new();
static MODEL: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();
static QUERYSET: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();

fn import_type(py: Python<'_>, module: &str, name: &str) -> PyResult<Py<PyType>> {
    Ok(py
        .import(module)?
        .getattr(name)?
        .cast_into::<PyType>()?
        .unbind())
}

fn types(py: Python<'_>) -> PyResult<&Types> {
    TYPES.get_or_try_init(py, || {
        Ok(Types {
            safe_string: import_type(py, "django.utils.safestring", "SafeString")?,
            promise: import_type(py, "django.utils.functional", "Promise")?,
            decimal: import_type(py, "decimal", "Decimal")?,
            datetime: import_type(py, "datetime", "datetime")?,
            date: import_type(py, "datetime", "date")?,
            time: import_type(py, "datetime", "time")?,
            enumeration: import_type(py, "enum", "Enum")?,
            mapping: import_type(py, "collections.abc", "Mapping")?,
        })
    })
}

/// `django.db.models.Model`, when Django's ORM can be imported.
fn model_class(py: Python<'_>) -> Option<&Bound<'_, PyType>> {
    MODEL
        .get_or_init(py, || import_type(py, "django.db.models", "Model").ok())
        .as_ref()
        .map(|t| t.bind(py))
}

fn queryset_class(py: Python<'_>) -> Option<&Bound<'_, PyType>> {
    QUERYSET
        .get_or_init(py, || import_type(py, "django.db.models", "QuerySet").ok())
        .as_ref()
        .map(|t| t.bind(py))
}

fn arc_str(s: &Bound<'_, PyString>) -> PyResult<Arc<str>> {
    Ok(Arc::from(&*s.to_cow()?))
}

/// Convert one Python object for the engine: scalars now, everything else
/// wrapped in a [`PyObj`] and read on demand.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    // Exact built-in types first: the common case costs one pointer compare.
    if obj.is_exact_instance_of::<PyString>() {
        return Ok(Value::Str(arc_str(obj.cast::<PyString>()?)?));
    }
    if obj.is_none() {
        return Ok(Value::None);
    }
    if obj.is_exact_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.is_truthy()?));
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return Ok(match obj.extract::<i64>() {
            Ok(i) => Value::Int(i),
            // Bigger than 64 bits: Python keeps the arithmetic.
            Err(_) => PyObj::wrap(obj),
        });
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract::<f64>()?));
    }
    if obj.is_exact_instance_of::<PyDict>()
        || obj.is_exact_instance_of::<PyList>()
        || obj.is_exact_instance_of::<PyTuple>()
    {
        return Ok(PyObj::wrap(obj));
    }
    let ty = obj.get_type();
    if is_opaque_type(&ty) {
        return Ok(PyObj::wrap(obj));
    }
    let t = types(py)?;
    if obj.is_exact_instance(t.safe_string.bind(py)) {
        return Ok(Value::SafeStr(arc_str(obj.cast::<PyString>()?)?));
    }
    if obj.is_instance_of::<PyString>() {
        if obj.is_instance(t.enumeration.bind(py))? {
            // TextChoices members: `{{ status.label }}` must still work.
            return Ok(PyObj::wrap(obj));
        }
        if let Some(html) = obj.getattr_opt(intern!(py, "__html__"))? {
            return Ok(Value::SafeStr(arc_str(&html.call0()?.str()?)?));
        }
        return Ok(Value::Str(arc_str(&obj.str()?)?));
    }
    if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() {
        if obj.is_instance(t.enumeration.bind(py))? {
            // IntegerChoices members keep `.label`; they print as str().
            return Ok(PyObj::wrap(obj));
        }
        if obj.is_instance_of::<PyBool>() {
            return Ok(Value::Bool(obj.is_truthy()?));
        }
        if obj.is_instance_of::<PyInt>() {
            return Ok(match obj.extract::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => PyObj::wrap(obj),
            });
        }
        return Ok(Value::Float(obj.extract::<f64>()?));
    }
    if obj.is_instance(t.decimal.bind(py))? {
        return Ok(Value::Decimal(arc_str(&obj.str()?)?));
    }
    // datetime is a subclass of date: test it first.
    if obj.is_instance(t.datetime.bind(py))? {
        return Ok(Value::DateTime(DateTime {
            date: read_date(obj)?,
            time: read_time(obj)?,
        }));
    }
    if obj.is_instance(t.date.bind(py))? {
        return Ok(Value::Date(read_date(obj)?));
    }
    if obj.is_instance(t.time.bind(py))? {
        return Ok(Value::Time(read_time(obj)?));
    }
    if obj.is_instance(t.promise.bind(py))? {
        // A lazy translation: str() evaluates it and keeps a SafeString safe.
        let text = obj.str()?;
        return Ok(if text.is_exact_instance(t.safe_string.bind(py)) {
            Value::SafeStr(arc_str(&text)?)
        } else {
            Value::Str(arc_str(&text)?)
        });
    }
    if let Some(template) = template_ref(obj, &ty)? {
        return Ok(template);
    }
    remember_opaque(ty);
    Ok(PyObj::wrap(obj))
}

/// A template object as a [`TemplateRef`], which `{% extends %}` and
/// `{% include %}` render directly (Django accepts any object with a
/// `render`): a `djust._native.Template`, or an object whose class has
/// `__djust_template__()` returning one (djust's Python `Template`
/// wrappers). Types without it are cached as opaque by the caller, so
/// this runs once per type.
fn template_ref(obj: &Bound<'_, PyAny>, ty: &Bound<'_, PyType>) -> PyResult<Option<Value>> {
    let py = obj.py();
    let native = if let Ok(native) = obj.cast::<PyTemplate>() {
        native.clone()
    } else if ty.getattr_opt(intern!(py, "__djust_template__"))?.is_some() {
        match obj
            .call_method0(intern!(py, "__djust_template__"))?
            .cast_into::<PyTemplate>()
        {
            Ok(native) => native,
            // Rendered by Django (a fallback): stays a plain object.
            Err(_) => return Ok(Some(PyObj::wrap(obj))),
        }
    } else {
        return Ok(None);
    };
    let template = native.get().template.clone();
    Ok(Some(Value::Object(Arc::new(TemplateRef(template)))))
}

/// FNV-1a: the per-thread caches below are hit on every lookup with short
/// keys (names, type addresses), where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

thread_local! {
    /// Types whose instances are known to be plain objects (model classes,
    /// user classes): the isinstance chain above is skipped for them. Holds
    /// the type so its address is never reused while cached.
    static OPAQUE_TYPES: std::cell::RefCell<FastMap<usize, Py<PyType>>> =
        std::cell::RefCell::new(FastMap::default());
}

fn is_opaque_type(ty: &Bound<'_, PyType>) -> bool {
    let key = ty.as_ptr() as usize;
    OPAQUE_TYPES.with(|cache| cache.borrow().contains_key(&key))
}

fn remember_opaque(ty: Bound<'_, PyType>) {
    let key = ty.as_ptr() as usize;
    OPAQUE_TYPES.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Bounded: a process creating types without end falls back to the
        // isinstance chain instead of growing this forever.
        if cache.len() < 4096 {
            cache.insert(key, ty.unbind());
        }
    });
}

fn read_date(obj: &Bound<'_, PyAny>) -> PyResult<Date> {
    let py = obj.py();
    Ok(Date {
        year: obj.getattr(intern!(py, "year"))?.extract()?,
        month: obj.getattr(intern!(py, "month"))?.extract()?,
        day: obj.getattr(intern!(py, "day"))?.extract()?,
    })
}

fn read_time(obj: &Bound<'_, PyAny>) -> PyResult<Time> {
    let py = obj.py();
    Ok(Time {
        hour: obj.getattr(intern!(py, "hour"))?.extract()?,
        minute: obj.getattr(intern!(py, "minute"))?.extract()?,
        second: obj.getattr(intern!(py, "second"))?.extract()?,
        microsecond: obj.getattr(intern!(py, "microsecond"))?.extract()?,
        tz: read_tz(obj)?,
    })
}

/// What an aware date/time knows about its zone at that instant; `None`
/// for naive values (no tzinfo, or a tzinfo whose utcoffset is None).
fn read_tz(obj: &Bound<'_, PyAny>) -> PyResult<Option<TzInfo>> {
    let py = obj.py();
    let tzinfo = obj.getattr(intern!(py, "tzinfo"))?;
    if tzinfo.is_none() {
        return Ok(None);
    }
    let offset = obj.call_method0(intern!(py, "utcoffset"))?;
    if offset.is_none() {
        return Ok(None);
    }
    let seconds: f64 = offset
        .call_method0(intern!(py, "total_seconds"))?
        .extract()?;
    let name = obj.call_method0(intern!(py, "tzname"))?;
    let dst = obj.call_method0(intern!(py, "dst"))?;
    let key = tzinfo.getattr_opt(intern!(py, "key"))?;
    Ok(Some(TzInfo {
        utc_offset: seconds as i32,
        name: if name.is_none() {
            Arc::from("")
        } else {
            arc_str(&name.str()?)?
        },
        key: match key {
            Some(k) if k.is_instance_of::<PyString>() => Some(arc_str(k.cast::<PyString>()?)?),
            _ => None,
        },
        dst: if dst.is_none() {
            None
        } else {
            Some(dst.is_truthy()?)
        },
    }))
}

/// Convert an engine value back into a Python object (filter and tag
/// arguments, results handed to Python): `SafeStr` becomes Django's
/// `SafeString`, lists and maps become new `list`s and `dict`s, an invalid
/// value becomes `""` as Django's `string_if_invalid` default.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Undefined => PyString::new(py, "").into_any(),
        Value::None => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => f.into_pyobject(py)?.into_any(),
        Value::Decimal(d) => types(py)?.decimal.bind(py).call1((&**d,))?,
        Value::Str(s) => PyString::new(py, s).into_any(),
        Value::SafeStr(s) => types(py)?.safe_string.bind(py).call1((&**s,))?,
        Value::List(items) => {
            let list = PyList::empty(py);
            for item in items.iter() {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(map) => map_to_py(py, map)?,
        Value::Date(d) => types(py)?.date.bind(py).call1((d.year, d.month, d.day))?,
        Value::Time(t) => {
            let tz = tz_to_py(py, t.tz.as_ref())?;
            types(py)?
                .time
                .bind(py)
                .call1((t.hour, t.minute, t.second, t.microsecond, tz))?
        }
        Value::DateTime(dt) => {
            let (d, t) = (&dt.date, &dt.time);
            let tz = tz_to_py(py, t.tz.as_ref())?;
            types(py)?.datetime.bind(py).call1((
                d.year,
                d.month,
                d.day,
                t.hour,
                t.minute,
                t.second,
                t.microsecond,
                tz,
            ))?
        }
        Value::Object(obj) => {
            let any = obj.as_any();
            if let Some(own) = any.downcast_ref::<PyObj>() {
                own.obj.bind(py).clone()
            } else if let Some(ctx) = any.downcast_ref::<PyContext>() {
                ctx.dict.bind(py).clone().into_any()
            } else {
                // An engine-made object: hand Python its text.
                to_py(py, &obj.to_text().map_err(crate::errors::to_py_err)?)?
            }
        }
    })
}

fn map_to_py<'py>(py: Python<'py>, map: &Map) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(&**k, to_py(py, v)?)?;
    }
    Ok(dict.into_any())
}

/// A zone for a value going back to Python: the named zone when it has a
/// key (so local-time arithmetic stays right), else a fixed offset.
fn tz_to_py<'py>(py: Python<'py>, tz: Option<&TzInfo>) -> PyResult<Bound<'py, PyAny>> {
    let Some(tz) = tz else {
        return Ok(py.None().into_bound(py));
    };
    if let Some(key) = &tz.key {
        if let Ok(zone) = py.import("zoneinfo")?.getattr("ZoneInfo")?.call1((&**key,)) {
            return Ok(zone);
        }
    }
    let datetime = py.import("datetime")?;
    let delta = datetime.getattr("timedelta")?.call1((0, tz.utc_offset))?;
    let timezone = datetime.getattr("timezone")?;
    if tz.name.is_empty() {
        timezone.call1((delta,))
    } else {
        timezone.call1((delta, &*tz.name))
    }
}

/// A Python object the engine reads lazily.
pub struct PyObj {
    obj: Py<PyAny>,
    kind: OnceLock<ObjectKind>,
}

impl std::fmt::Debug for PyObj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Python::attach(|py| match self.obj.bind(py).repr() {
            Ok(r) => write!(f, "PyObj({r})"),
            Err(_) => f.write_str("PyObj(<unrepresentable>)"),
        })
    }
}

impl PyObj {
    /// Wrap a Python object as a lazily read engine value.
    pub fn wrap(obj: &Bound<'_, PyAny>) -> Value {
        Value::Object(Arc::new(PyObj {
            obj: obj.clone().unbind(),
            kind: OnceLock::new(),
        }))
    }
}

/// What one step of a lookup produced.
enum Step<'py> {
    Found(Bound<'py, PyAny>),
    Missing,
}

fn is_one_of(py: Python<'_>, err: &PyErr, kinds: &[&Bound<'_, PyType>]) -> bool {
    kinds.iter().any(|k| err.is_instance(py, k))
}

/// Whether `type(obj)` implements `__getitem__` (Django checks the class so
/// that `__class_getitem__` does not count).
fn has_getitem(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    // SAFETY: PyType_GetSlot only reads the type's slot table; `ty` is a
    // live type object for the duration of the call.
    unsafe {
        let tp = ty.as_ptr() as *mut pyo3::ffi::PyTypeObject;
        !pyo3::ffi::PyType_GetSlot(tp, pyo3::ffi::Py_mp_subscript).is_null()
            || !pyo3::ffi::PyType_GetSlot(tp, pyo3::ffi::Py_sq_item).is_null()
    }
}

thread_local! {
    /// Python strings for lookup keys: templates ask for the same few names
    /// thousands of times per render, and a cached string also keeps its
    /// hash for the dict lookup. Bounded like [`OPAQUE_TYPES`].
    static KEYS: std::cell::RefCell<FastMap<Box<str>, Py<PyString>>> =
        std::cell::RefCell::new(FastMap::default());
}

/// `key` as a Python string, from [`KEYS`] when seen before.
fn py_key<'py>(py: Python<'py>, key: &str) -> Bound<'py, PyString> {
    KEYS.with(|cache| {
        if let Some(hit) = cache.borrow().get(key) {
            return hit.bind(py).clone();
        }
        // Interned: attribute and dict lookups then compare pointers,
        // and CPython's type attribute cache hits.
        let fresh = PyString::intern(py, key);
        let mut cache = cache.borrow_mut();
        if cache.len() < 4096 {
            cache.insert(Box::from(key), fresh.clone().unbind());
        }
        fresh
    })
}

/// `obj[key]` / `getattr(obj, key)` / `obj[int(key)]`, in Django's order
/// and with Django's exception handling. `Err` is an exception Django lets
/// through.
fn find<'py>(obj: &Bound<'py, PyAny>, key: &str) -> PyResult<Step<'py>> {
    let py = obj.py();
    // Plain lists and tuples: a string index is always a TypeError and they
    // have no numeric attributes, so go straight to the integer index.
    if obj.is_exact_instance_of::<PyList>() || obj.is_exact_instance_of::<PyTuple>() {
        if let Ok(i) = key.parse::<isize>() {
            return Ok(match obj.get_item(i) {
                Ok(v) => Step::Found(v),
                Err(e) if e.is_instance_of::<PyIndexError>(py) => Step::Missing,
                Err(e) => return Err(e),
            });
        }
    }
    let pykey = py_key(py, key);
    if let Ok(dict) = obj.cast_exact::<PyDict>() {
        if let Some(v) = dict.get_item(&pykey)? {
            return Ok(Step::Found(v));
        }
    } else if has_getitem(obj) {
        match obj.get_item(&pykey) {
            Ok(v) => return Ok(Step::Found(v)),
            Err(e) => {
                let swallowed = [
                    &py.get_type::<PyTypeError>(),
                    &py.get_type::<PyAttributeError>(),
                    &py.get_type::<PyKeyError>(),
                    &py.get_type::<PyValueError>(),
                    &py.get_type::<PyIndexError>(),
                ];
                if !is_one_of(py, &e, &swallowed) {
                    return Err(e);
                }
            }
        }
    }
    match obj.getattr(&pykey) {
        Ok(v) => return Ok(Step::Found(v)),
        Err(e) => {
            if !(e.is_instance_of::<PyTypeError>(py) || e.is_instance_of::<PyAttributeError>(py)) {
                return Err(e);
            }
            // An AttributeError raised inside a property is a real error.
            let listed = py
                .import(intern!(py, "builtins"))?
                .getattr(intern!(py, "dir"))?
                .call1((obj,))?
                .contains(&pykey)?;
            if listed {
                return Err(e);
            }
        }
    }
    let index = match py.get_type::<PyInt>().call1((&pykey,)) {
        Ok(i) => i,
        Err(e) if e.is_instance_of::<PyValueError>(py) => return Ok(Step::Missing),
        Err(e) => return Err(e),
    };
    match obj.get_item(index) {
        Ok(v) => Ok(Step::Found(v)),
        Err(e)
            if e.is_instance_of::<PyIndexError>(py)
                || e.is_instance_of::<PyValueError>(py)
                || e.is_instance_of::<PyKeyError>(py)
                || e.is_instance_of::<PyTypeError>(py) =>
        {
            Ok(Step::Missing)
        }
        Err(e) => Err(e),
    }
}

/// Django's treatment of a callable lookup result: not called when it has
/// `do_not_call_in_templates`; invalid when it has `alters_data` or needs
/// arguments; otherwise called.
fn call_if_callable<'py>(value: Bound<'py, PyAny>) -> PyResult<Step<'py>> {
    let py = value.py();
    if !value.is_callable() {
        return Ok(Step::Found(value));
    }
    if flag(&value, intern!(py, "do_not_call_in_templates"))? {
        return Ok(Step::Found(value));
    }
    if flag(&value, intern!(py, "alters_data"))? {
        return Ok(Step::Missing);
    }
    match value.call0() {
        Ok(result) => Ok(Step::Found(result)),
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            // Invalid only if the call failed because arguments are required.
            let inspect = py.import(intern!(py, "inspect"))?;
            let signature = match inspect.getattr(intern!(py, "signature"))?.call1((&value,)) {
                Ok(sig) => sig,
                Err(sig_err) if sig_err.is_instance_of::<PyValueError>(py) => {
                    return Ok(Step::Missing);
                }
                Err(sig_err) => return Err(sig_err),
            };
            match signature.call_method0(intern!(py, "bind")) {
                Err(bind_err) if bind_err.is_instance_of::<PyTypeError>(py) => Ok(Step::Missing),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// `getattr(obj, name, False)` as a truth value.
fn flag(obj: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<bool> {
    match obj.getattr_opt(name)? {
        Some(v) => v.is_truthy(),
        None => Ok(false),
    }
}

/// An exception with `silent_variable_failure = True` makes the variable
/// invalid instead of propagating (Django's rule).
fn silent(py: Python<'_>, err: &PyErr) -> bool {
    flag(err.value(py), intern!(py, "silent_variable_failure")).unwrap_or(false)
}

/// One lookup step with Django's outer exception handling.
pub fn lookup_in(obj: &Bound<'_, PyAny>, key: &str, context_root: bool) -> Result<Option<Value>> {
    let py = obj.py();
    // Django refuses these names when parsing; refuse them here too so no
    // private attribute is ever read through a template.
    if key.starts_with('_') {
        return Ok(None);
    }
    let step = if context_root {
        // The context itself only answers its keys (Django never reads a
        // Context's attributes for a variable).
        match obj.cast::<PyDict>() {
            Ok(dict) => match dict.get_item(py_key(py, key)) {
                Ok(Some(v)) => call_if_callable(v),
                Ok(None) => Ok(Step::Missing),
                Err(e) => Err(e),
            },
            Err(_) => find(obj, key).and_then(|s| match s {
                Step::Found(v) => call_if_callable(v),
                Step::Missing => Ok(Step::Missing),
            }),
        }
    } else {
        find(obj, key).and_then(|s| match s {
            Step::Found(v) => call_if_callable(v),
            Step::Missing => Ok(Step::Missing),
        })
    };
    match step {
        Ok(Step::Found(v)) => to_value(&v).map(Some).map_err(host_error),
        Ok(Step::Missing) => Ok(None),
        Err(e) if silent(py, &e) => Ok(None),
        Err(e) => Err(host_error(e)),
    }
}

impl Object for PyObj {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        Python::attach(|py| lookup_in(self.obj.bind(py), key, false))
    }

    fn to_text(&self) -> Result<Value> {
        Python::attach(|py| text_of(self.obj.bind(py)).map_err(host_error))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn kind(&self) -> ObjectKind {
        *self
            .kind
            .get_or_init(|| Python::attach(|py| kind_of(self.obj.bind(py))))
    }

    fn iterate(&self) -> Result<Option<Vec<Value>>> {
        Python::attach(|py| {
            let obj = self.obj.bind(py);
            let iter = match obj.try_iter() {
                Ok(iter) => iter,
                Err(e) if e.is_instance_of::<PyTypeError>(py) => return Ok(None),
                Err(e) => return Err(host_error(e)),
            };
            let mut items = Vec::with_capacity(obj.len().unwrap_or(0));
            for item in iter {
                let item = item.map_err(host_error)?;
                items.push(to_value(&item).map_err(host_error)?);
            }
            Ok(Some(items))
        })
    }

    fn len(&self) -> Result<Option<usize>> {
        Python::attach(|py| match self.obj.bind(py).len() {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.is_instance_of::<PyTypeError>(py) => Ok(None),
            Err(e) => Err(host_error(e)),
        })
    }

    fn is_true(&self) -> Result<bool> {
        Python::attach(|py| self.obj.bind(py).is_truthy().map_err(host_error))
    }

    fn repr(&self) -> Result<String> {
        Python::attach(|py| {
            let r = self.obj.bind(py).repr().map_err(host_error)?;
            Ok(r.to_cow().map_err(host_error)?.into_owned())
        })
    }

    fn equals(&self, other: &Value) -> Result<Option<bool>> {
        Python::attach(|py| {
            let other = to_py(py, other).map_err(host_error)?;
            match self.obj.bind(py).rich_compare(other, CompareOp::Eq) {
                Ok(r) => r.is_truthy().map(Some).map_err(host_error),
                Err(e) if e.is_instance_of::<PyTypeError>(py) => Ok(None),
                Err(e) => Err(host_error(e)),
            }
        })
    }

    fn compare(&self, other: &Value) -> Result<Option<Ordering>> {
        Python::attach(|py| {
            let other = to_py(py, other).map_err(host_error)?;
            let obj = self.obj.bind(py);
            for (op, ord) in [
                (CompareOp::Lt, Ordering::Less),
                (CompareOp::Gt, Ordering::Greater),
                (CompareOp::Eq, Ordering::Equal),
            ] {
                match obj.rich_compare(&other, op).and_then(|r| r.is_truthy()) {
                    Ok(true) => return Ok(Some(ord)),
                    Ok(false) => {}
                    Err(e) if e.is_instance_of::<PyTypeError>(py) => return Ok(None),
                    Err(e) => return Err(host_error(e)),
                }
            }
            Ok(None)
        })
    }

    fn contains(&self, item: &Value) -> Result<Option<bool>> {
        Python::attach(|py| {
            let item = to_py(py, item).map_err(host_error)?;
            match self.obj.bind(py).contains(item) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.is_instance_of::<PyTypeError>(py) => Ok(None),
                Err(e) => Err(host_error(e)),
            }
        })
    }

    fn add(&self, other: &Value, reflected: bool) -> Result<Option<Value>> {
        Python::attach(|py| {
            let other = to_py(py, other).map_err(host_error)?;
            let obj = self.obj.bind(py);
            let sum = if reflected {
                other.add(obj)
            } else {
                obj.add(other)
            };
            // Django's `add` returns "" on any exception from `+`.
            match sum {
                Ok(sum) => to_value(&sum).map(Some).map_err(host_error),
                Err(_) => Ok(None),
            }
        })
    }

    fn identity(&self) -> Option<Value> {
        Python::attach(|py| {
            let obj = self.obj.bind(py);
            let model = model_class(py)?;
            if !obj.is_instance(model).ok()? {
                return None;
            }
            let pk = obj.getattr(intern!(py, "pk")).ok()?;
            to_value(&pk).ok()
        })
    }
}

/// `str(obj)`, safe when the result has `__html__` (a `SafeString`), as
/// Django's `render_value_in_context` + `conditional_escape` decide.
fn text_of(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    let text = obj.str()?;
    if text.is_exact_instance_of::<PyString>() {
        return Ok(Value::Str(arc_str(&text)?));
    }
    if let Some(html) = text.getattr_opt(intern!(py, "__html__"))? {
        return Ok(Value::SafeStr(arc_str(&html.call0()?.str()?)?));
    }
    Ok(Value::Str(arc_str(&text)?))
}

fn kind_of(obj: &Bound<'_, PyAny>) -> ObjectKind {
    let py = obj.py();
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return ObjectKind::Seq;
    }
    if obj.is_instance_of::<PyDict>() {
        return ObjectKind::Map;
    }
    if let Ok(t) = types(py) {
        if obj.is_instance(t.mapping.bind(py)).unwrap_or(false) {
            return ObjectKind::Map;
        }
    }
    if let Some(qs) = queryset_class(py) {
        if obj.is_instance(qs).unwrap_or(false) {
            return ObjectKind::Seq;
        }
    }
    if model_class(py).is_some_and(|m| obj.is_instance(m).unwrap_or(false)) {
        return ObjectKind::Plain;
    }
    // Other iterables (sets, generators, forms) loop like sequences.
    if obj.try_iter().is_ok() && !obj.is_instance_of::<PyString>() {
        ObjectKind::Seq
    } else {
        ObjectKind::Plain
    }
}

/// The render context: a dict whose keys are the template's top-level names.
/// Django's `Context` answers keys only (never its own attributes), then a
/// callable value is called like any other lookup.
#[derive(Debug)]
pub struct PyContext {
    dict: Py<PyDict>,
}

impl PyContext {
    /// Wrap a context dict (already flattened: processors, then the
    /// caller's names).
    pub fn wrap(dict: Bound<'_, PyDict>) -> Value {
        Value::Object(Arc::new(PyContext {
            dict: dict.unbind(),
        }))
    }
}

impl Object for PyContext {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        Python::attach(|py| lookup_in(self.dict.bind(py).as_any(), key, true))
    }

    fn to_text(&self) -> Result<Value> {
        Python::attach(|py| text_of(self.dict.bind(py).as_any()).map_err(host_error))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn kind(&self) -> ObjectKind {
        ObjectKind::Map
    }
}
