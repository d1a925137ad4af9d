//! Django's built-in filters, and how a filter is applied.
//!
//! The table of built-ins is [`builtin`]; [`apply`] runs one with Django's
//! `is_safe` / `needs_autoescape` / `expects_localtime` rules. [`display`]
//! is how any value is turned into page text (`render_value_in_context`).
//! The filters of the `tz`, `l10n` and `i18n` libraries (which need
//! `{% load %}`) are in [`library`].
//!
//! `vdom/tests/filter_cases.json` holds Django 5.2's own output for about
//! 5000 filter applications (`vdom/tests/gen_filter_cases.py`, including
//! the inputs of Django's own filter, dateformat, html and text tests);
//! `vdom/tests/filters_vs_django.rs` checks every one, and the flags.
//!
//! Known differences from Django:
//! - Integers are 64-bit: a string holding a larger integer is not a
//!   number to `add`, `get_digit`, `divisibleby`...
//! - `random` draws from Rust's randomness, not Python's `random`.
//! - `dictsort` reads host objects with [`crate::Object::lookup`] (Django's
//!   variable resolution, which calls callables); Django uses `obj[key]`
//!   then `getattr` without calling.
//! - `pprint` wraps long lists and dicts like `pprint.pformat` but does
//!   not split long strings.
//! - Time zones are what [`Host::localtime`] and [`Host::default_zone`]
//!   say; `timesince` uses the offset `d` has for the whole interval.
//! - `title`'s digit rule and `str.title()`'s "cased" test approximate
//!   Unicode categories (`Nd`, `Lu/Ll/Lt`) with Rust's `char` predicates.
//! - HTML parsing follows Python 3.11's `html.parser`, the interpreter the
//!   expectations were generated with; later Pythons changed some corner
//!   cases (comments, `<script>` end tags).
//! - Where Django raises, the error is an [`crate::ErrorKind::Render`]
//!   with Python's message; the exception class is not kept.
//!
//! Each submodule ports one Django file: `format` is
//! `django.utils.numberformat` and `formats.localize`, `dates` is
//! `django.utils.dateformat` and `timesince`, `decimal` is the little of
//! Python's `decimal` that `floatformat` needs, exactly.
use std::sync::Arc;

use crate::error::Result;
use crate::host::Host;
use crate::value::Value;

mod dates;
mod decimal;
mod entities;
mod fastfloat;
mod format;
mod html;
mod htmlparse;
mod lang_info;
mod libs;
mod lists;
mod logic;
mod numbers;
mod pyfmt;
mod strings;
mod text;
mod urlize;

pub use dates::{date_format, time_format};
pub use format::{localize, number_format};
pub use lang_info::language_info;
pub use libs::PinnedDateTime;

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

/// The filters a `{% load lib %}` of a Django built-in library adds:
/// `tz` (localtime, utc, timezone), `l10n` (localize, unlocalize), `i18n`
/// (language_name, language_name_local, language_name_translated,
/// language_bidi). `None` for other library names.
pub fn library(lib: &str) -> Option<&'static [BuiltinFilter]> {
    match lib {
        "tz" => Some(libs::TZ),
        "l10n" => Some(libs::L10N),
        "i18n" => Some(libs::I18N),
        _ => None,
    }
}

const fn f(
    name: &'static str,
    arity: Arity,
    is_safe: bool,
    needs_autoescape: bool,
    func: FilterFn,
) -> BuiltinFilter {
    BuiltinFilter {
        name,
        arity,
        is_safe,
        needs_autoescape,
        expects_localtime: false,
        func,
    }
}

use Arity::{None as N, Optional as O, Required as R};

/// Every built-in filter (Django 5.2's `defaultfilters`), with its flags.
pub static BUILTINS: &[BuiltinFilter] = &[
    f("add", R, false, false, numbers::add),
    f("addslashes", N, true, false, strings::addslashes),
    f("capfirst", N, true, false, strings::capfirst),
    f("center", R, true, false, strings::center),
    f("cut", R, false, false, strings::cut),
    BuiltinFilter {
        name: "date",
        arity: O,
        is_safe: false,
        needs_autoescape: false,
        expects_localtime: true,
        func: dates::date_filter,
    },
    f("default", R, false, false, logic::default),
    f("default_if_none", R, false, false, logic::default_if_none),
    f("dictsort", R, false, false, lists::dictsort),
    f("dictsortreversed", R, false, false, lists::dictsortreversed),
    f("divisibleby", R, false, false, numbers::divisibleby),
    f("escape", N, true, false, html::escape_filter),
    f("escapejs", N, false, false, strings::escapejs),
    f("escapeseq", N, true, false, html::escapeseq),
    f("filesizeformat", N, true, false, numbers::filesizeformat),
    f("first", N, false, false, lists::first),
    f("floatformat", O, true, false, numbers::floatformat),
    f("force_escape", N, true, false, html::force_escape),
    f("get_digit", R, false, false, numbers::get_digit),
    f("iriencode", N, true, false, strings::iriencode),
    f("join", R, true, true, lists::join),
    f("json_script", O, true, false, html::json_script),
    f("last", N, true, false, lists::last),
    f("length", N, false, false, lists::length),
    f("linebreaks", N, true, true, html::linebreaks),
    f("linebreaksbr", N, true, true, html::linebreaksbr),
    f("linenumbers", N, true, true, html::linenumbers),
    f("ljust", R, true, false, strings::ljust),
    f("lower", N, true, false, strings::lower),
    f("make_list", N, false, false, strings::make_list),
    f("phone2numeric", N, true, false, strings::phone2numeric),
    f("pluralize", O, false, false, logic::pluralize),
    f("pprint", N, true, false, lists::pprint),
    f("random", N, true, false, lists::random),
    f("rjust", R, true, false, strings::rjust),
    f("safe", N, true, false, html::safe),
    f("safeseq", N, true, false, html::safeseq),
    f("slice", R, true, false, lists::slice),
    f("slugify", N, true, false, strings::slugify),
    f("stringformat", R, true, false, strings::stringformat),
    f("striptags", N, true, false, html::striptags),
    BuiltinFilter {
        name: "time",
        arity: O,
        is_safe: false,
        needs_autoescape: false,
        expects_localtime: true,
        func: dates::time_filter,
    },
    f("timesince", O, false, false, dates::timesince_filter),
    f("timeuntil", O, false, false, dates::timeuntil_filter),
    f("title", N, true, false, strings::title),
    f("truncatechars", R, true, false, strings::truncatechars),
    f(
        "truncatechars_html",
        R,
        true,
        false,
        html::truncatechars_html,
    ),
    f("truncatewords", R, true, false, strings::truncatewords),
    f(
        "truncatewords_html",
        R,
        true,
        false,
        html::truncatewords_html,
    ),
    f("unordered_list", N, true, true, html::unordered_list),
    f("upper", N, false, false, strings::upper),
    f("urlencode", O, false, false, strings::urlencode),
    f("urlize", N, true, true, html::urlize),
    f("urlizetrunc", R, true, true, html::urlizetrunc),
    f("wordcount", N, false, false, strings::wordcount),
    f("wordwrap", R, true, false, strings::wordwrap),
    f("yesno", O, false, false, logic::yesno),
];

/// Run a built-in filter on `value` with Django's flag semantics
/// (`FilterExpression.resolve`): local time first for `expects_localtime`
/// filters, then the filter, then `mark_safe` of the result when the filter
/// `is_safe` and its input was safe.
///
/// ```
/// use djust_vdom::filters::{apply, builtin, display, FilterCtx};
/// use djust_vdom::{DefaultHost, Value};
///
/// let ctx = FilterCtx { autoescape: true, host: &DefaultHost };
/// let floatformat = builtin("floatformat").unwrap();
/// let out = apply(floatformat, &ctx, Value::Float(34.26), Some(Value::safe("-3"))).unwrap();
/// assert_eq!(out.as_str(), Some("34.260"));
///
/// // `lower` is `is_safe`: a safe input stays safe.
/// let out = apply(builtin("lower").unwrap(), &ctx, Value::safe("<B>"), None).unwrap();
/// assert!(out.is_safe());
///
/// // What `{{ value }}` shows: localised, not yet escaped.
/// let shown = display(&Value::Float(1e16), &DefaultHost).unwrap();
/// assert_eq!(shown.as_str(), Some("10000000000000000"));
/// ```
pub fn apply(
    filter: &BuiltinFilter,
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    let value = if filter.expects_localtime {
        template_localtime(value, ctx.host)?
    } else {
        value
    };
    // A datetime a tz filter converted reaches filters as a datetime (it
    // was already kept out of template_localtime); if it comes back out
    // unchanged it stays pinned.
    let pinned = PinnedDateTime::of(&value).cloned();
    let value = match &pinned {
        Some(dt) => Value::DateTime(dt.clone()),
        None => value,
    };
    let input_safe = value.is_safe();
    let out = (filter.func)(ctx, value, arg)?;
    let out = match (pinned, out) {
        (Some(dt), Value::DateTime(o)) if o == dt => PinnedDateTime::value(o),
        (_, out) => out,
    };
    if filter.is_safe && input_safe {
        mark_safe(out)
    } else {
        Ok(out)
    }
}

/// Django's `mark_safe`: strings become safe; anything else becomes its
/// `str()`, marked safe.
pub(crate) fn mark_safe(value: Value) -> Result<Value> {
    Ok(match value {
        Value::Str(s) => Value::SafeStr(s),
        Value::SafeStr(_) => value,
        other => match other.to_text()? {
            Value::Str(s) => Value::SafeStr(s),
            text => text,
        },
    })
}

/// Django's `template_localtime`: an aware datetime in the current time
/// zone when `USE_TZ`; everything else unchanged.
pub(crate) fn template_localtime(value: Value, host: &dyn Host) -> Result<Value> {
    match value {
        Value::DateTime(dt) if dt.time.tz.is_some() && host.use_tz() => {
            Ok(Value::DateTime(host.localtime(&dt, None)?))
        }
        other => Ok(other),
    }
}

/// Django's `render_value_in_context`: local time, localisation (numbers,
/// dates per the active language's formats), then `str()`. Returns a
/// `Str` or `SafeStr`; escaping is the caller's job.
pub fn display(value: &Value, host: &dyn Host) -> Result<Value> {
    match value {
        Value::Str(_) | Value::SafeStr(_) => Ok(value.clone()),
        Value::Undefined => Ok(Value::Str(Arc::from(""))),
        Value::Int(_)
        | Value::Float(_)
        | Value::Decimal(_)
        | Value::Date(_)
        | Value::Time(_)
        | Value::DateTime(_) => {
            let value = template_localtime(value.clone(), host)?;
            let l10n = host.use_l10n();
            Ok(match format::localize(&value, host, l10n)? {
                Some(text) => Value::from(text),
                None => value.to_text()?,
            })
        }
        Value::Object(_) => match PinnedDateTime::of(value) {
            // Already in the zone a tz filter chose: localised, not moved.
            Some(dt) => Ok(Value::from(dates::date_format(
                &Value::DateTime(dt.clone()),
                "DATETIME_FORMAT",
                host.use_l10n(),
                host,
            )?)),
            None => value.to_text(),
        },
        other => other.to_text(),
    }
}

/// Python's `str()` of a value, as text; `Undefined` is `''` (Django's
/// `string_if_invalid`).
pub(crate) fn text_of(value: &Value) -> Result<Arc<str>> {
    Ok(match value {
        Value::Str(s) | Value::SafeStr(s) => s.clone(),
        Value::Undefined => Arc::from(""),
        other => match other.to_text()? {
            Value::Str(s) | Value::SafeStr(s) => s,
            _ => Arc::from(""),
        },
    })
}

/// The `@stringfilter` conversion: the value's `str()` and whether it is
/// safe.
pub(crate) fn string_arg(value: &Value) -> Result<(Arc<str>, bool)> {
    Ok(match value {
        Value::Str(s) => (s.clone(), false),
        Value::SafeStr(s) => (s.clone(), true),
        Value::Undefined => (Arc::from(""), false),
        other => {
            let text = other.to_text()?;
            let safe = text.is_safe();
            (text_of(&text)?, safe)
        }
    })
}

/// A plain string result.
pub(crate) fn out(text: impl Into<String>) -> Value {
    Value::Str(Arc::from(text.into()))
}

/// A safe string result.
pub(crate) fn safe_out(text: impl Into<String>) -> Value {
    Value::SafeStr(Arc::from(text.into()))
}

/// A required argument (the parser enforces arity, so a missing one is
/// treated as Django's invalid variable, `''`).
pub(crate) fn req(arg: Option<Value>) -> Value {
    arg.unwrap_or(Value::Str(Arc::from("")))
}

#[cfg(test)]
mod tests;
