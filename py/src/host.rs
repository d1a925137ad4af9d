//! [`DjangoHost`]: the engine's host services answered by Django.
//!
//! One host is made per render. It reads the settings it needs once and
//! caches locale formats for the render (Django's `get_format` is itself
//! cached, but each call still crosses into Python and asks for the active
//! language).
use std::sync::{Arc, Mutex};

use djust_vdom::host::{LanguageInfo, NumberFormats};
use djust_vdom::value::{DateTime, TzInfo};
use djust_vdom::{Host, Result, Value};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::errors::host_error;
use crate::value::{to_py, to_value};

/// Django functions the host calls, imported once.
struct Django {
    gettext: Py<PyAny>,
    pgettext: Py<PyAny>,
    ngettext: Py<PyAny>,
    npgettext: Py<PyAny>,
    get_language: Py<PyAny>,
    get_language_bidi: Py<PyAny>,
    get_format: Py<PyAny>,
    localtime: Py<PyAny>,
    get_current_timezone: Py<PyAny>,
    settings: Py<PyAny>,
    zoneinfo: Py<PyAny>,
    datetime: Py<PyAny>,
    get_language_info: Py<PyAny>,
    override_language: Py<PyAny>,
    override_timezone: Py<PyAny>,
    get_default_timezone: Py<PyAny>,
    get_current_timezone_name: Py<PyAny>,
}

static DJANGO: PyOnceLock<Django> = PyOnceLock::new();

fn attr(py: Python<'_>, module: &str, name: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import(module)?.getattr(name)?.unbind())
}

fn django(py: Python<'_>) -> PyResult<&'static Django> {
    DJANGO.get_or_try_init(py, || {
        let tr = "django.utils.translation";
        Ok(Django {
            gettext: attr(py, tr, "gettext")?,
            pgettext: attr(py, tr, "pgettext")?,
            ngettext: attr(py, tr, "ngettext")?,
            npgettext: attr(py, tr, "npgettext")?,
            get_language: attr(py, tr, "get_language")?,
            get_language_bidi: attr(py, tr, "get_language_bidi")?,
            get_format: attr(py, "django.utils.formats", "get_format")?,
            localtime: attr(py, "django.utils.timezone", "localtime")?,
            get_current_timezone: attr(py, "django.utils.timezone", "get_current_timezone")?,
            settings: attr(py, "django.conf", "settings")?,
            zoneinfo: attr(py, "zoneinfo", "ZoneInfo")?,
            datetime: attr(py, "datetime", "datetime")?,
            get_language_info: attr(py, tr, "get_language_info")?,
            override_language: attr(py, tr, "override")?,
            override_timezone: attr(py, "django.utils.timezone", "override")?,
            get_default_timezone: attr(py, "django.utils.timezone", "get_default_timezone")?,
            get_current_timezone_name: attr(
                py,
                "django.utils.timezone",
                "get_current_timezone_name",
            )?,
        })
    })
}

/// Django's translation, formats, time zones, `reverse` and `static`, for
/// one render.
pub struct DjangoHost {
    use_tz: bool,
    use_l10n: bool,
    use_thousand_separator: bool,
    /// The request being rendered, for `{% url %}`'s `current_app`.
    request: Option<Py<PyAny>>,
    /// `get_format` answers for this render (the active language does not
    /// change inside one render).
    /// A handful of names per render: a linear scan beats hashing here.
    formats: Mutex<Vec<(String, Option<String>)>>,
    /// `get_language()` for this render (reset inside `{% language %}`).
    language: Mutex<Option<String>>,
    /// Number formats for this render, settings' then the language's
    /// (reset inside `{% language %}`): every number shown needs them.
    numbers: Mutex<[Option<Arc<NumberFormats>>; 2]>,
}

impl DjangoHost {
    /// Read the settings a render needs. Needs configured Django settings.
    pub fn new(py: Python<'_>, request: Option<Bound<'_, PyAny>>) -> PyResult<Self> {
        let settings = django(py)?.settings.bind(py);
        let setting = |name: &Bound<'_, PyString>, default: bool| -> PyResult<bool> {
            match settings.getattr_opt(name)? {
                Some(v) => v.is_truthy(),
                None => Ok(default),
            }
        };
        Ok(DjangoHost {
            use_tz: setting(intern!(py, "USE_TZ"), false)?,
            // Removed in Django 5.0 (always on); still a setting in 4.2.
            use_l10n: setting(intern!(py, "USE_L10N"), true)?,
            use_thousand_separator: setting(intern!(py, "USE_THOUSAND_SEPARATOR"), false)?,
            request: request.filter(|r| !r.is_none()).map(Bound::unbind),
            formats: Mutex::new(Vec::new()),
            language: Mutex::new(None),
            numbers: Mutex::new([None, None]),
        })
    }

    /// Call a translation function; a failure keeps the source text, as a
    /// missing catalog would.
    fn translate(
        &self,
        fallback: &str,
        call: impl for<'py> FnOnce(Python<'py>, &'static Django) -> PyResult<Bound<'py, PyAny>>,
    ) -> String {
        Python::attach(|py| {
            django(py)
                .and_then(|d| call(py, d)?.str()?.extract())
                .unwrap_or_else(|_| fallback.to_owned())
        })
    }

    fn current_language(&self) -> String {
        Python::attach(|py| {
            let call = || -> PyResult<String> {
                let lang = django(py)?.get_language.bind(py).call0()?;
                // Translations deactivated: Django gives None.
                if lang.is_none() {
                    return Ok(String::new());
                }
                lang.str()?.extract()
            };
            call().unwrap_or_default()
        })
    }

    fn current_app<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(request) = &self.request else {
            return Ok(None);
        };
        let request = request.bind(py);
        // Django's URLNode: request.current_app, else the resolver namespace.
        if let Some(app) = request.getattr_opt(intern!(py, "current_app"))? {
            return Ok(Some(app));
        }
        match request.getattr_opt(intern!(py, "resolver_match"))? {
            Some(m) if !m.is_none() => m.getattr_opt(intern!(py, "namespace")),
            _ => Ok(None),
        }
    }
}

/// Run `body` inside a Python context manager (`translation.override`,
/// `timezone.override`), exiting it however `body` ends.
fn within(manager: &Bound<'_, PyAny>, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
    let py = manager.py();
    manager.call_method0("__enter__").map_err(host_error)?;
    let result = body();
    let none = py.None();
    manager
        .call_method1("__exit__", (&none, &none, &none))
        .map_err(host_error)?;
    result
}

/// A Django URL prefix setting as `{% get_static_prefix %}` prints it.
fn prefix(py: Python<'_>, name: &str) -> PyResult<String> {
    py.import("django.templatetags.static")?
        .getattr("PrefixNode")?
        .call_method1("handle_simple", (name,))?
        .str()?
        .extract()
}

/// A format value as text: numbers as digits, sequences comma-joined
/// (`NUMBER_GROUPING = (3, 2, 0)` → `"3,2,0"`).
fn format_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(list) = value.cast::<PyList>() {
        let parts: PyResult<Vec<String>> = list.iter().map(|v| format_text(&v)).collect();
        return Ok(parts?.join(","));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let parts: PyResult<Vec<String>> = tuple.iter().map(|v| format_text(&v)).collect();
        return Ok(parts?.join(","));
    }
    value.str()?.extract()
}

fn datetime_from(value: Value) -> Result<DateTime> {
    match value {
        Value::DateTime(dt) => Ok(dt),
        other => Err(djust_vdom::Error::render(format!(
            "expected a datetime from Django, got {other:?}"
        ))),
    }
}

impl Host for DjangoHost {
    fn gettext(&self, msgid: &str) -> String {
        self.translate(msgid, |py, d| d.gettext.bind(py).call1((msgid,)))
    }

    fn pgettext(&self, context: &str, msgid: &str) -> String {
        self.translate(msgid, |py, d| d.pgettext.bind(py).call1((context, msgid)))
    }

    fn ngettext(&self, singular: &str, plural: &str, n: i64) -> String {
        let fallback = if n == 1 { singular } else { plural };
        self.translate(fallback, |py, d| {
            d.ngettext.bind(py).call1((singular, plural, n))
        })
    }

    fn npgettext(&self, context: &str, singular: &str, plural: &str, n: i64) -> String {
        let fallback = if n == 1 { singular } else { plural };
        self.translate(fallback, |py, d| {
            d.npgettext.bind(py).call1((context, singular, plural, n))
        })
    }

    fn language(&self) -> String {
        let mut cached = self.language.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(lang) = &*cached {
            return lang.clone();
        }
        let lang = self.current_language();
        *cached = Some(lang.clone());
        lang
    }

    fn language_bidi(&self) -> bool {
        Python::attach(|py| {
            django(py)
                .and_then(|d| d.get_language_bidi.bind(py).call0()?.is_truthy())
                .unwrap_or(false)
        })
    }

    fn format(&self, name: &str) -> Option<String> {
        if name == "USE_THOUSAND_SEPARATOR" {
            return Some(
                if self.use_thousand_separator {
                    "True"
                } else {
                    "False"
                }
                .to_owned(),
            );
        }
        let mut cache = self.formats.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, hit)) = cache.iter().find(|(n, _)| n == name) {
            return hit.clone();
        }
        let found = Python::attach(|py| {
            let call = || -> PyResult<Option<String>> {
                let value = django(py)?.get_format.bind(py).call1((name,))?;
                let text = format_text(&value)?;
                // get_format echoes names it does not know.
                Ok((text != name).then_some(text))
            };
            call().ok().flatten()
        });
        cache.push((name.to_owned(), found.clone()));
        found
    }

    fn settings_format(&self, name: &str) -> Option<String> {
        if name == "USE_THOUSAND_SEPARATOR" {
            return self.format(name);
        }
        Python::attach(|py| {
            let settings = django(py).ok()?.settings.bind(py);
            let value = settings.getattr_opt(name).ok()??;
            format_text(&value).ok()
        })
    }

    fn default_zone(&self, naive: &DateTime) -> Option<TzInfo> {
        Python::attach(|py| {
            let d = django(py).ok()?;
            let zone = d.get_default_timezone.bind(py).call0().ok()?;
            let dt = to_py(py, &Value::DateTime(naive.clone())).ok()?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", zone).ok()?;
            let aware = dt.call_method("replace", (), Some(&kwargs)).ok()?;
            match to_value(&aware).ok()? {
                Value::DateTime(dt) => dt.time.tz,
                _ => None,
            }
        })
    }

    fn use_l10n(&self) -> bool {
        self.use_l10n
    }

    fn use_tz(&self) -> bool {
        self.use_tz
    }

    fn localtime(&self, value: &DateTime, zone: Option<&str>) -> Result<DateTime> {
        if value.time.tz.is_none() {
            return Ok(value.clone());
        }
        Python::attach(|py| {
            let d = django(py).map_err(host_error)?;
            let dt = to_py(py, &Value::DateTime(value.clone())).map_err(host_error)?;
            let tz = match zone {
                Some(name) => d.zoneinfo.bind(py).call1((name,)).map_err(host_error)?,
                None => py.None().into_bound(py),
            };
            let local = d.localtime.bind(py).call1((dt, tz)).map_err(host_error)?;
            datetime_from(to_value(&local).map_err(host_error)?)
        })
    }

    fn debug_dump(
        &self,
        root: &Value,
        scoped: &[(std::sync::Arc<str>, Value)],
    ) -> Result<Option<String>> {
        Python::attach(|py| {
            let run = || -> PyResult<String> {
                let layer = PyDict::new(py);
                // Innermost first: insert outermost first so inner wins.
                for (name, value) in scoped.iter().rev() {
                    layer.set_item(&**name, to_py(py, value)?)?;
                }
                py.import("djust.template.debug")?
                    .getattr("debug_output")?
                    .call1((to_py(py, root)?, layer))?
                    .extract()
            };
            run().map(Some).map_err(host_error)
        })
    }

    fn now(&self) -> Result<DateTime> {
        Python::attach(|py| {
            let d = django(py).map_err(host_error)?;
            // `{% now %}`: aware in the current zone when USE_TZ, else naive.
            let tz = if self.use_tz {
                d.get_current_timezone
                    .bind(py)
                    .call0()
                    .map_err(host_error)?
            } else {
                py.None().into_bound(py)
            };
            let kwargs = PyDict::new(py);
            kwargs.set_item("tz", tz).map_err(host_error)?;
            let now = d
                .datetime
                .bind(py)
                .call_method("now", (), Some(&kwargs))
                .map_err(host_error)?;
            datetime_from(to_value(&now).map_err(host_error)?)
        })
    }

    fn reverse(&self, name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String> {
        Python::attach(|py| {
            let call = || -> PyResult<String> {
                let reverse = py.import("django.urls")?.getattr("reverse")?;
                let pos = PyList::empty(py);
                for a in args {
                    pos.append(to_py(py, a)?)?;
                }
                let kw = PyDict::new(py);
                for (k, v) in kwargs {
                    kw.set_item(k, to_py(py, v)?)?;
                }
                let options = PyDict::new(py);
                options.set_item("args", pos)?;
                options.set_item("kwargs", kw)?;
                options.set_item("current_app", self.current_app(py)?)?;
                reverse.call((name,), Some(&options))?.str()?.extract()
            };
            // NoReverseMatch is re-raised unchanged at the top.
            call().map_err(host_error)
        })
    }

    fn static_prefix(&self) -> String {
        Python::attach(|py| prefix(py, "STATIC_URL").unwrap_or_default())
    }

    fn media_prefix(&self) -> String {
        Python::attach(|py| prefix(py, "MEDIA_URL").unwrap_or_default())
    }

    fn available_languages(&self) -> Vec<(String, String)> {
        Python::attach(|py| {
            let call = || -> PyResult<Vec<(String, String)>> {
                let d = django(py)?;
                let languages = d.settings.bind(py).getattr("LANGUAGES")?;
                let mut out = Vec::new();
                for pair in languages.try_iter()? {
                    let (code, name): (String, Bound<'_, PyAny>) = pair?.extract()?;
                    let name: String = d.gettext.bind(py).call1((name,))?.str()?.extract()?;
                    out.push((code, name));
                }
                Ok(out)
            };
            call().unwrap_or_default()
        })
    }

    fn language_info(&self, code: &str) -> Option<LanguageInfo> {
        Python::attach(|py| {
            // Django's KeyError (unknown code) and any other failure: None.
            let info = django(py)
                .ok()?
                .get_language_info
                .bind(py)
                .call1((code,))
                .ok()?;
            let text = |key: &str| -> Option<String> {
                info.get_item(key).ok()?.str().ok()?.extract().ok()
            };
            Some(LanguageInfo {
                name: text("name")?,
                name_local: text("name_local")?,
                bidi: info.get_item("bidi").ok()?.is_truthy().ok()?,
            })
        })
    }

    fn timezone_name(&self) -> String {
        Python::attach(|py| {
            django(py)
                .and_then(|d| {
                    d.get_current_timezone_name
                        .bind(py)
                        .call0()?
                        .str()?
                        .extract()
                })
                .unwrap_or_default()
        })
    }

    fn with_language(&self, code: &str, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        // Formats cached for the outer language do not apply inside.
        let saved = std::mem::take(&mut *self.formats.lock().unwrap_or_else(|e| e.into_inner()));
        let saved_numbers =
            std::mem::take(&mut *self.numbers.lock().unwrap_or_else(|e| e.into_inner()));
        let saved_language = self
            .language
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let result = Python::attach(|py| {
            let d = django(py).map_err(host_error)?;
            let manager = d
                .override_language
                .bind(py)
                .call1((code,))
                .map_err(host_error)?;
            within(&manager, body)
        });
        *self.formats.lock().unwrap_or_else(|e| e.into_inner()) = saved;
        *self.numbers.lock().unwrap_or_else(|e| e.into_inner()) = saved_numbers;
        *self.language.lock().unwrap_or_else(|e| e.into_inner()) = saved_language;
        result
    }

    fn with_timezone(&self, zone: &Value, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        Python::attach(|py| {
            let d = django(py).map_err(host_error)?;
            let zone = to_py(py, zone).map_err(host_error)?;
            let manager = d
                .override_timezone
                .bind(py)
                .call1((zone,))
                .map_err(host_error)?;
            within(&manager, body)
        })
    }

    fn number_formats(&self, use_l10n: bool) -> Arc<NumberFormats> {
        let mut cache = self.numbers.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut cache[usize::from(use_l10n)];
        if let Some(hit) = slot {
            return hit.clone();
        }
        let formats = Arc::new(NumberFormats::read(self, use_l10n));
        *slot = Some(formats.clone());
        formats
    }

    fn static_url(&self, path: &str) -> Result<String> {
        Python::attach(|py| {
            let call = || -> PyResult<String> {
                py.import("django.templatetags.static")?
                    .getattr("static")?
                    .call1((path,))?
                    .str()?
                    .extract()
            };
            call().map_err(host_error)
        })
    }
}
