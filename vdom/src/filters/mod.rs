//! Django's built-in filters, and how a filter is applied.
//!
//! The table of built-ins is [`builtin`]; [`apply`] runs one with Django's
//! `is_safe` / `needs_autoescape` / `expects_localtime` rules. [`display`]
//! is how any value is turned into page text (`render_value_in_context`).
use crate::error::Result;
use crate::host::Host;
use crate::value::Value;

/// What a filter run can see besides its value and argument.
pub struct FilterCtx<'a> {
    /// Whether autoescape is on where the filter is used.
    pub autoescape: bool,
    /// Translations, formats, time zones.
    pub host: &'a dyn Host,
}

/// Whether a filter takes an argument (`{{ x|f:arg }}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// `{{ x|upper }}`; an argument is a syntax error.
    None,
    /// `{{ x|date }}` or `{{ x|date:"Y" }}`.
    Optional,
    /// `{{ x|add:1 }}`; no argument is a syntax error.
    Required,
}

/// The body of a built-in filter.
pub type FilterFn = fn(&FilterCtx<'_>, Value, Option<Value>) -> Result<Value>;

/// A built-in filter and the flags Django registers it with.
#[derive(Debug)]
pub struct BuiltinFilter {
    /// The name templates use.
    pub name: &'static str,
    /// Whether it takes an argument.
    pub arity: Arity,
    /// Django's `is_safe=True`: a safe input gives a safe output.
    pub is_safe: bool,
    /// Django's `needs_autoescape=True`: it reads [`FilterCtx::autoescape`].
    pub needs_autoescape: bool,
    /// Django's `expects_localtime=True`: aware datetimes are converted to
    /// the current time zone first.
    pub expects_localtime: bool,
    /// The implementation.
    pub func: FilterFn,
}

/// The built-in filter called `name`, if there is one.
pub fn builtin(name: &str) -> Option<&'static BuiltinFilter> {
    BUILTINS.iter().find(|f| f.name == name)
}

/// Every built-in filter.
pub static BUILTINS: &[BuiltinFilter] = &[];

/// Run a built-in filter on `value` with Django's flag semantics.
pub fn apply(
    filter: &BuiltinFilter,
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    (filter.func)(ctx, value, arg)
}

/// Django's `render_value_in_context`: local time, localisation (numbers,
/// dates per the active language's formats), then `str()`. Returns a
/// `Str` or `SafeStr`; escaping is the caller's job.
pub fn display(value: &Value, _host: &dyn Host) -> Result<Value> {
    value.to_text()
}
