//! The template engine for Python: `Environment` and `Template` classes,
//! and adapters that let the engine call Python loaders, filters and tags.
//!
//! Everything Django-specific (which loaders, which libraries, what a tag's
//! signature is) is decided in `djust.template`; this file only carries it
//! across. A render holds the GIL throughout: it reads Python objects at
//! every variable, so releasing and re-taking it per lookup would cost more
//! than it frees. Compiled templates are shared `Arc`s: no lock is taken
//! around a render.
use std::cell::RefCell;
use std::sync::Arc;

use djust_vdom::context::Context;
use djust_vdom::env::{
    CustomFilter, CustomTag, Environment, Library, Loader, Options, Source, TagKind, TagSignature,
    Template,
};
use djust_vdom::filters::Arity;
use djust_vdom::{Host, Result, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{intern, PyTraverseError, PyVisit};

use crate::errors::{guard, host_error};
use crate::host::DjangoHost;
use crate::value::{to_py, to_value, PyContext};

/// A Python callable as the engine's [`Loader`]:
/// `load(name, skip) -> (name, origin, source) | None`.
struct PyLoader {
    load: Py<PyAny>,
}

impl PyLoader {
    fn call(&self, name: &str, skip: &[Arc<str>]) -> Result<Option<Source>> {
        Python::attach(|py| {
            let skip: Vec<&str> = skip.iter().map(|s| &**s).collect();
            let found = self.load.bind(py).call1((name, skip)).map_err(host_error)?;
            if found.is_none() {
                return Ok(None);
            }
            let (name, origin, code): (String, String, String) =
                found.extract().map_err(host_error)?;
            Ok(Some(Source {
                name: Arc::from(name),
                origin: Arc::from(origin),
                code: Arc::from(code),
            }))
        })
    }
}

impl Loader for PyLoader {
    fn load(&self, name: &str) -> Result<Option<Source>> {
        self.call(name, &[])
    }

    fn load_skipping(&self, name: &str, skip: &[Arc<str>]) -> Result<Option<Source>> {
        self.call(name, skip)
    }
}

/// A Python filter function with the flags `register.filter` set on it.
struct PyFilter {
    func: Py<PyAny>,
    arity: Arity,
    is_safe: bool,
    needs_autoescape: bool,
    expects_localtime: bool,
}

impl CustomFilter for PyFilter {
    fn arity(&self) -> Arity {
        self.arity
    }

    fn is_safe(&self) -> bool {
        self.is_safe
    }

    fn needs_autoescape(&self) -> bool {
        self.needs_autoescape
    }

    fn expects_localtime(&self) -> bool {
        self.expects_localtime
    }

    fn call(&self, value: Value, arg: Option<Value>, autoescape: bool) -> Result<Value> {
        Python::attach(|py| {
            let run = || -> PyResult<Value> {
                let mut args = vec![to_py(py, &value)?];
                if let Some(arg) = &arg {
                    args.push(to_py(py, arg)?);
                }
                let args = PyTuple::new(py, args)?;
                let kwargs = PyDict::new(py);
                if self.needs_autoescape {
                    kwargs.set_item(intern!(py, "autoescape"), autoescape)?;
                }
                to_value(&self.func.bind(py).call(args, Some(&kwargs))?)
            };
            run().map_err(host_error)
        })
    }
}

/// A `simple_tag` or `inclusion_tag` function.
struct PyTag {
    func: Py<PyAny>,
    kind: TagKind,
    signature: TagSignature,
}

impl CustomTag for PyTag {
    fn kind(&self) -> TagKind {
        self.kind.clone()
    }

    fn signature(&self) -> TagSignature {
        self.signature.clone()
    }

    fn call(
        &self,
        context: Option<&Context<'_>>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value> {
        Python::attach(|py| {
            let run = || -> PyResult<Value> {
                let mut pos = Vec::with_capacity(args.len() + 1);
                if let Some(ctx) = context {
                    pos.push(python_context(py, ctx)?);
                }
                for a in &args {
                    pos.push(to_py(py, a)?);
                }
                let kw = PyDict::new(py);
                for (k, v) in &kwargs {
                    kw.set_item(k, to_py(py, v)?)?;
                }
                to_value(&self.func.bind(py).call(PyTuple::new(py, pos)?, Some(&kw))?)
            };
            run().map_err(host_error)
        })
    }
}

thread_local! {
    /// The request of the render running on this thread: a `takes_context`
    /// tag reads it as `context.request`, as from Django's `RequestContext`.
    static RENDER_REQUEST: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
}

/// Makes `request` the thread's render request until dropped, then puts
/// back the outer one (a tag may render another template).
struct RequestScope {
    outer: Option<Py<PyAny>>,
}

impl RequestScope {
    fn enter(request: Option<&Bound<'_, PyAny>>) -> Self {
        let request = request.filter(|r| !r.is_none()).map(|r| r.clone().unbind());
        RequestScope {
            outer: RENDER_REQUEST.with(|cell| cell.replace(request)),
        }
    }
}

impl Drop for RequestScope {
    fn drop(&mut self) {
        let outer = self.outer.take();
        RENDER_REQUEST.with(|cell| *cell.borrow_mut() = outer);
    }
}

/// A `django.template.Context` for a `takes_context` tag: the render's
/// context dict with the template's own bindings (`for`, `with`) on top,
/// and the render's request as `context.request` when there is one.
fn python_context<'py>(py: Python<'py>, ctx: &Context<'_>) -> PyResult<Bound<'py, PyAny>> {
    let base = match ctx.root() {
        Value::Object(_) => to_py(py, ctx.root())?,
        _ => PyDict::new(py).into_any(),
    };
    let context_class = py.import("django.template.context")?.getattr("Context")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("autoescape", ctx.autoescape())?;
    let base_dict = match base.cast::<PyDict>() {
        Ok(d) => d.copy()?,
        Err(_) => PyDict::new(py),
    };
    let python_ctx = context_class.call((base_dict,), Some(&kwargs))?;
    let scoped = PyDict::new(py);
    // flatten() is innermost first; insert outermost first so inner wins.
    for (name, value) in ctx.flatten().iter().rev() {
        scoped.set_item(&**name, to_py(py, value)?)?;
    }
    if !scoped.is_empty() {
        python_ctx.call_method1("update", (scoped,))?;
    }
    let request = RENDER_REQUEST.with(|cell| cell.borrow().as_ref().map(|r| r.clone_ref(py)));
    if let Some(request) = request {
        python_ctx.setattr(intern!(py, "request"), request)?;
    }
    Ok(python_ctx)
}

fn arity_from(name: &str) -> PyResult<Arity> {
    Ok(match name {
        "none" => Arity::None,
        "optional" => Arity::Optional,
        "required" => Arity::Required,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown filter arity {other:?}"
            )))
        }
    })
}

fn strings(obj: Option<Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match obj {
        Some(o) if !o.is_none() => o.extract(),
        _ => Ok(Vec::new()),
    }
}

fn item<'py>(dict: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    dict.get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("library spec is missing {key:?}")))
}

/// Build a library from the plain description `djust.template.libraries`
/// makes: `{"filters": {name: {...}}, "tags": {name: {...}}, "unsupported": [...]}`.
fn library_from(spec: &Bound<'_, PyDict>, keep: &mut Vec<Py<PyAny>>) -> PyResult<Library> {
    let mut library = Library::new();
    if let Some(filters) = spec.get_item("filters")? {
        for (name, f) in filters.cast::<PyDict>()?.iter() {
            let f = f.cast::<PyDict>()?;
            let func = item(f, "func")?;
            keep.push(func.clone().unbind());
            library.add_filter(
                name.extract::<String>()?,
                Arc::new(PyFilter {
                    func: func.unbind(),
                    arity: arity_from(&item(f, "arity")?.extract::<String>()?)?,
                    is_safe: item(f, "is_safe")?.is_truthy()?,
                    needs_autoescape: item(f, "needs_autoescape")?.is_truthy()?,
                    expects_localtime: item(f, "expects_localtime")?.is_truthy()?,
                }),
            );
        }
    }
    if let Some(tags) = spec.get_item("tags")? {
        for (name, t) in tags.cast::<PyDict>()?.iter() {
            let t = t.cast::<PyDict>()?;
            let func = item(t, "func")?;
            keep.push(func.clone().unbind());
            let kind = match t.get_item("template")? {
                Some(tpl) if !tpl.is_none() => TagKind::Inclusion {
                    template: tpl.extract()?,
                },
                _ => TagKind::Simple,
            };
            let signature = TagSignature {
                params: strings(t.get_item("params")?)?,
                defaults: item(t, "defaults")?.extract()?,
                varargs: item(t, "varargs")?.is_truthy()?,
                varkw: item(t, "varkw")?.is_truthy()?,
                kwonly: strings(t.get_item("kwonly")?)?,
                kwonly_defaults: strings(t.get_item("kwonly_defaults")?)?,
                takes_context: item(t, "takes_context")?.is_truthy()?,
            };
            library.add_tag(
                name.extract::<String>()?,
                Arc::new(PyTag {
                    func: func.unbind(),
                    kind,
                    signature,
                }),
            );
        }
    }
    for name in strings(spec.get_item("unsupported")?)? {
        library.add_unsupported_tag(name);
    }
    Ok(library)
}

/// Loads, compiles and caches templates (`djust._native.Environment`).
///
/// Configured once at construction (loader, options, libraries) and
/// immutable afterwards, so renders share it without locking.
#[pyclass(frozen, module = "djust._native", name = "Environment")]
pub struct PyEnvironment {
    env: Environment,
    /// The Python callables the engine holds, for the garbage collector.
    held: Vec<Py<PyAny>>,
}

#[pymethods]
impl PyEnvironment {
    #[new]
    #[pyo3(signature = (loader, *, autoescape=true, string_if_invalid=String::new(), debug=false, builtins=None, libraries=None, implicit_libraries=true))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        loader: Bound<'_, PyAny>,
        autoescape: bool,
        string_if_invalid: String,
        debug: bool,
        builtins: Option<Bound<'_, PyList>>,
        libraries: Option<Bound<'_, PyDict>>,
        implicit_libraries: bool,
    ) -> PyResult<Self> {
        if !loader.is_callable() {
            return Err(PyTypeError::new_err("loader must be callable"));
        }
        let mut held = vec![loader.clone().unbind()];
        let options = Options {
            autoescape,
            string_if_invalid,
            debug,
            implicit_libraries,
            ..Options::default()
        };
        let mut env = Environment::new(
            Arc::new(PyLoader {
                load: loader.unbind(),
            }),
            options,
        );
        if let Some(builtins) = builtins {
            for spec in builtins.iter() {
                env.add_builtin_library(library_from(spec.cast::<PyDict>()?, &mut held)?);
            }
        }
        if let Some(libraries) = libraries {
            for (name, spec) in libraries.iter() {
                env.add_library(
                    name.extract::<String>()?,
                    library_from(spec.cast::<PyDict>()?, &mut held)?,
                );
            }
        }
        Ok(PyEnvironment { env, held })
    }

    /// The template called `name`, loaded through the loader and compiled
    /// once (cached until [`PyEnvironment::clear_cache`]).
    fn get_template(&self, name: &str) -> PyResult<PyTemplate> {
        let template = guard(|| self.env.get_template(name))?;
        Ok(PyTemplate {
            template,
            _env: self.env.clone(),
        })
    }

    /// A template compiled from source text; `name` is used in errors and
    /// for relative `extends`/`include`.
    #[pyo3(signature = (source, name=None))]
    #[allow(clippy::wrong_self_convention)] // Django's name for this method
    fn from_string(&self, source: &str, name: Option<&str>) -> PyResult<PyTemplate> {
        let template = guard(|| match name {
            Some(name) => self.env.from_named_string(name, source),
            None => self.env.from_string(source),
        })?;
        Ok(PyTemplate {
            template,
            _env: self.env.clone(),
        })
    }

    /// Forget every compiled template (a source changed).
    fn clear_cache(&self) {
        self.env.clear_cache();
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for obj in &self.held {
            visit.call(obj)?;
        }
        Ok(())
    }
}

/// A compiled template (`djust._native.Template`).
#[pyclass(frozen, module = "djust._native", name = "Template")]
pub struct PyTemplate {
    pub(crate) template: Arc<Template>,
    /// Templates read their environment (libraries, loader) through a weak
    /// reference while rendering: this keeps it alive as long as the template.
    pub(crate) _env: Environment,
}

#[pymethods]
impl PyTemplate {
    /// Render with a context dict (read lazily, never modified) and the
    /// request (for `{% url %}`'s current app).
    #[pyo3(signature = (context, request=None))]
    fn render(
        &self,
        py: Python<'_>,
        context: Bound<'_, PyDict>,
        request: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let _scope = RequestScope::enter(request.as_ref());
        let host = DjangoHost::new(py, request)?;
        let root = PyContext::wrap(context);
        guard(|| self.template.render(root, &host as &dyn Host))
    }

    /// The name it was loaded by, if any.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.template.name()
    }

    /// The origin the loader reported, if any.
    #[getter]
    fn origin(&self) -> Option<&str> {
        self.template.origin()
    }

    /// The source text.
    #[getter]
    fn source(&self) -> &str {
        self.template.source()
    }
}

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

/// The template line the engine is rendering on this thread:
/// `(name, line, origin)`, where `name` is what the loader was asked for
/// (`"<unknown source>"` for a template string, as Django names it),
/// `line` is 1-based and `origin` is where the loader found it (the file
/// path) or `None`. `None` outside a render. The N+1 audit reads it for
/// each SQL statement a render runs.
#[pyfunction]
pub fn current_template_position() -> Option<(String, u32, Option<String>)> {
    let at = djust_vdom::current_position()?;
    let name = at.name.as_deref().unwrap_or("<unknown source>").to_owned();
    Some((name, at.line, at.origin.as_deref().map(str::to_owned)))
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
