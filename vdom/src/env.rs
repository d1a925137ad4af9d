//! The engine's entry point: an [`Environment`] loads, parses and caches
//! [`Template`]s through a host [`Loader`], with Django's engine options and
//! the tag libraries the host registered.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, Weak};

use crate::ast;
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::filters::Arity;
use crate::host::Host;
use crate::value::Value;

/// A template's source as a loader found it.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name it was asked for (`"app/page.html"`).
    pub name: Arc<str>,
    /// Where it came from (a file path); shown in errors and used to skip
    /// a template already in an `extends` chain.
    pub origin: Arc<str>,
    /// The template text.
    pub code: Arc<str>,
}

/// Finds template sources by name. Django's loaders live in Python; the
/// binding implements this over them.
pub trait Loader: Send + Sync {
    /// The source for `name`; `Ok(None)` if no loader has it.
    fn load(&self, name: &str) -> Result<Option<Source>>;

    /// The source for `name`, skipping the origins in `skip` (Django's
    /// `find_template(name, skip=...)`, which lets `{% extends "x.html" %}`
    /// reach another directory's `x.html`). The default loads `name` and
    /// treats a skipped origin as not found.
    fn load_skipping(&self, name: &str, skip: &[Arc<str>]) -> Result<Option<Source>> {
        Ok(self.load(name)?.filter(|src| !skip.contains(&src.origin)))
    }
}

/// A loader over an in-memory map of name → source (tests, `locmem`).
#[derive(Clone, Debug, Default)]
pub struct MapLoader {
    templates: HashMap<String, Arc<str>>,
}

impl MapLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a template.
    pub fn insert(&mut self, name: impl Into<String>, code: impl AsRef<str>) -> &mut Self {
        self.templates.insert(name.into(), Arc::from(code.as_ref()));
        self
    }
}

impl Loader for MapLoader {
    fn load(&self, name: &str) -> Result<Option<Source>> {
        Ok(self.templates.get(name).map(|code| Source {
            name: Arc::from(name),
            origin: Arc::from(name),
            code: code.clone(),
        }))
    }
}

/// Django's engine options that change how templates render.
#[derive(Clone, Debug)]
pub struct Options {
    /// `autoescape` (default `true`).
    pub autoescape: bool,
    /// `string_if_invalid` (default empty); `%s` is replaced by the
    /// variable's text.
    pub string_if_invalid: String,
    /// `debug`: kept for the binding (errors always carry locations).
    pub debug: bool,
    /// How deep includes, extends chains and inclusion tags may nest before
    /// rendering stops with an error (instead of exhausting the stack).
    pub max_include_depth: usize,
    /// Whether `{% load %}` finds the libraries implemented here (`i18n`,
    /// `l10n`, `static`, `tz`) without registration (default `true`).
    /// Set it to `false` to match an engine's configured libraries
    /// exactly: then only names given to [`Environment::add_library`] load
    /// (an empty [`Library`] under one of those names enables its built-in
    /// tags and filters).
    pub implicit_libraries: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            autoescape: true,
            string_if_invalid: String::new(),
            debug: false,
            max_include_depth: 64,
            implicit_libraries: true,
        }
    }
}

/// A filter registered by the host (`@register.filter`).
pub trait CustomFilter: Send + Sync {
    /// Whether it takes an argument.
    fn arity(&self) -> Arity;
    /// `is_safe=True`.
    fn is_safe(&self) -> bool {
        false
    }
    /// `needs_autoescape=True`: `call` gets the current autoescape.
    fn needs_autoescape(&self) -> bool {
        false
    }
    /// `expects_localtime=True`.
    fn expects_localtime(&self) -> bool {
        false
    }
    /// Run the filter.
    fn call(&self, value: Value, arg: Option<Value>, autoescape: bool) -> Result<Value>;
}

/// What a host tag produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagKind {
    /// `simple_tag`: `call` returns the text to output (or store with
    /// `as var`); it is escaped unless safe when autoescape is on.
    Simple,
    /// `inclusion_tag(template)`: `call` returns the context (a map or
    /// object) the named template is rendered with.
    Inclusion {
        /// The template to render.
        template: String,
    },
}

/// A host tag's Python signature, so arguments are checked at parse time
/// with Django's `parse_bits` messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagSignature {
    /// Positional-or-keyword parameter names (after `context` when
    /// `takes_context`).
    pub params: Vec<String>,
    /// How many trailing `params` have defaults.
    pub defaults: usize,
    /// `*args`.
    pub varargs: bool,
    /// `**kwargs`.
    pub varkw: bool,
    /// Keyword-only parameter names.
    pub kwonly: Vec<String>,
    /// Keyword-only parameters that have defaults.
    pub kwonly_defaults: Vec<String>,
    /// `takes_context=True`: `call` receives the context.
    pub takes_context: bool,
}

/// A tag registered by the host (`simple_tag` / `inclusion_tag`).
pub trait CustomTag: Send + Sync {
    /// Simple or inclusion.
    fn kind(&self) -> TagKind;
    /// The function's signature.
    fn signature(&self) -> TagSignature;
    /// Call the tag. `context` is given when the signature says
    /// `takes_context`; read it with [`Context::get`] or
    /// [`Context::flatten`].
    fn call(
        &self,
        context: Option<&Context<'_>>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value>;
}

/// A tag library (`{% load name %}`), or a builtins library.
#[derive(Clone, Default)]
pub struct Library {
    /// Filters by name.
    pub filters: HashMap<String, Arc<dyn CustomFilter>>,
    /// Tags by name.
    pub tags: HashMap<String, Arc<dyn CustomTag>>,
    /// Tags this engine cannot run (custom `Node` classes): a template
    /// using one fails to parse with [`ErrorKind::Unsupported`].
    pub unsupported_tags: HashSet<String>,
}

impl Library {
    /// An empty library.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a filter.
    pub fn add_filter(&mut self, name: impl Into<String>, filter: Arc<dyn CustomFilter>) {
        self.filters.insert(name.into(), filter);
    }

    /// Add a tag.
    pub fn add_tag(&mut self, name: impl Into<String>, tag: Arc<dyn CustomTag>) {
        self.tags.insert(name.into(), tag);
    }

    /// Declare a tag this engine cannot run.
    pub fn add_unsupported_tag(&mut self, name: impl Into<String>) {
        self.unsupported_tags.insert(name.into());
    }
}

/// The parts of an environment templates need while rendering.
pub(crate) struct EnvInner {
    pub(crate) loader: Arc<dyn Loader>,
    pub(crate) options: Options,
    /// Libraries always active, in registration order (later wins).
    pub(crate) builtins: Vec<Arc<Library>>,
    /// Libraries `{% load %}` can name.
    pub(crate) libraries: HashMap<String, Arc<Library>>,
    cache: RwLock<HashMap<String, Arc<Template>>>,
}

/// Loads, parses and caches templates. Cheap to clone (shared).
#[derive(Clone)]
pub struct Environment {
    inner: Arc<EnvInner>,
}

impl Environment {
    /// A new environment over `loader`.
    pub fn new(loader: Arc<dyn Loader>, options: Options) -> Self {
        Environment {
            inner: Arc::new(EnvInner {
                loader,
                options,
                builtins: Vec::new(),
                libraries: HashMap::new(),
                cache: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    fn inner_mut(&mut self) -> &mut EnvInner {
        if Arc::get_mut(&mut self.inner).is_none() {
            // Shared already (templates or clones hold it): configure a copy
            // with a fresh cache; existing templates keep the old setup.
            let old = &self.inner;
            self.inner = Arc::new(EnvInner {
                loader: old.loader.clone(),
                options: old.options.clone(),
                builtins: old.builtins.clone(),
                libraries: old.libraries.clone(),
                cache: RwLock::new(HashMap::new()),
            });
        }
        // Just made unique above.
        Arc::get_mut(&mut self.inner).expect("unique environment")
    }

    /// Add a library whose tags and filters every template can use
    /// (Django's `OPTIONS["builtins"]`). Later libraries win.
    pub fn add_builtin_library(&mut self, library: Library) {
        self.inner_mut().builtins.push(Arc::new(library));
    }

    /// Add a library `{% load name %}` can load. The names `i18n`, `l10n`,
    /// `tz` and `static` are built in; a host library under one of those
    /// names adds its filters and tags to the built-in ones.
    pub fn add_library(&mut self, name: impl Into<String>, library: Library) {
        self.inner_mut()
            .libraries
            .insert(name.into(), Arc::new(library));
    }

    /// The template called `name`, parsed once and cached.
    pub fn get_template(&self, name: &str) -> Result<Arc<Template>> {
        get_template(&self.inner, name, &[])
    }

    /// A template made from source text (not cached).
    pub fn from_string(&self, source: &str) -> Result<Arc<Template>> {
        Template::parse(&self.inner, None, None, Arc::from(source)).map(Arc::new)
    }

    /// A template made from source text with a name and origin used in
    /// errors and relative `extends`/`include` paths (not cached).
    pub fn from_named_string(&self, name: &str, source: &str) -> Result<Arc<Template>> {
        Template::parse(
            &self.inner,
            Some(Arc::from(name)),
            Some(Arc::from(name)),
            Arc::from(source),
        )
        .map(Arc::new)
    }

    /// Forget every cached template (after a source changed).
    pub fn clear_cache(&self) {
        if let Ok(mut cache) = self.inner.cache.write() {
            cache.clear();
        }
    }
}

/// Find, parse and cache a template; `skip` lists origins to pass over.
pub(crate) fn get_template(
    env: &Arc<EnvInner>,
    name: &str,
    skip: &[Arc<str>],
) -> Result<Arc<Template>> {
    if skip.is_empty() {
        if let Some(t) = env.cache.read().ok().and_then(|c| c.get(name).cloned()) {
            return Ok(t);
        }
    }
    let source = if skip.is_empty() {
        env.loader.load(name)?
    } else {
        env.loader.load_skipping(name, skip)?
    };
    let Some(source) = source else {
        return Err(Error::new(ErrorKind::TemplateNotFound, name));
    };
    if skip.is_empty() {
        // Another thread may have parsed it meanwhile; either copy is fine.
        let template = Arc::new(Template::parse(
            env,
            Some(source.name.clone()),
            Some(source.origin.clone()),
            source.code.clone(),
        )?);
        if let Ok(mut cache) = env.cache.write() {
            cache.insert(name.to_owned(), template.clone());
        }
        return Ok(template);
    }
    // Skipping depends on the chain, so these are not cached by name.
    Template::parse(env, Some(source.name), Some(source.origin), source.code).map(Arc::new)
}

/// A template passed as a value (Django lets `{% extends %}` and
/// `{% include %}` take a `Template` object instead of a name). A host wraps
/// its own template objects in this so the engine renders them directly.
#[derive(Debug, Clone)]
pub struct TemplateRef(pub Arc<Template>);

impl crate::value::Object for TemplateRef {
    fn lookup(&self, _key: &str) -> Result<Option<Value>> {
        Ok(None)
    }

    fn to_text(&self) -> Result<Value> {
        Ok(Value::from(format!(
            "<Template: {}>",
            self.0.name().unwrap_or("<unknown source>")
        )))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl TemplateRef {
    /// The template inside `value`, if it is a [`TemplateRef`].
    pub fn from_value(value: &Value) -> Option<Arc<Template>> {
        match value {
            Value::Object(obj) => obj
                .as_any()
                .downcast_ref::<TemplateRef>()
                .map(|t| t.0.clone()),
            _ => None,
        }
    }
}

/// A parsed template, ready to render any number of times, from any
/// number of threads.
pub struct Template {
    name: Option<Arc<str>>,
    origin: Option<Arc<str>>,
    source: Arc<str>,
    ast: ast::Template,
    env: Weak<EnvInner>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Template {
    fn parse(
        env: &Arc<EnvInner>,
        name: Option<Arc<str>>,
        origin: Option<Arc<str>>,
        source: Arc<str>,
    ) -> Result<Template> {
        let ast = crate::parser::parse(env, name.clone(), &source)?;
        Ok(Template {
            name,
            origin,
            source,
            ast,
            env: Arc::downgrade(env),
        })
    }

    /// Render with `root` as the context (a map, or a host object over the
    /// context dict) and `host` for translations, formats and URLs.
    pub fn render(&self, root: Value, host: &dyn Host) -> Result<String> {
        let env = self.env()?;
        crate::render::render_template(&env, self, root, host)
    }

    /// The template name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the source came from, if known.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parsed tree (the slot compiler and the planner walk it).
    pub fn ast(&self) -> &ast::Template {
        &self.ast
    }

    pub(crate) fn source_arc(&self) -> &Arc<str> {
        &self.source
    }

    pub(crate) fn name_arc(&self) -> Option<&Arc<str>> {
        self.name.as_ref()
    }

    pub(crate) fn origin_arc(&self) -> Option<&Arc<str>> {
        self.origin.as_ref()
    }

    pub(crate) fn env(&self) -> Result<Arc<EnvInner>> {
        self.env
            .upgrade()
            .ok_or_else(|| Error::render("the template's Environment was dropped"))
    }
}
