//! Filters of Django's loadable built-in libraries: `tz`, `l10n`, `i18n`.
use std::any::Any;
use std::sync::Arc;

use super::{out, req, text_of, Arity, BuiltinFilter, FilterCtx};
use crate::error::{Error, Result};
use crate::value::{DateTime, Object, Time, Value};

const fn plain(name: &'static str, arity: Arity, func: super::FilterFn) -> BuiltinFilter {
    BuiltinFilter {
        name,
        arity,
        is_safe: false,
        needs_autoescape: false,
        expects_localtime: false,
        func,
    }
}

/// `{% load tz %}`.
pub(crate) static TZ: &[BuiltinFilter] = &[
    plain("localtime", Arity::None, localtime),
    plain("utc", Arity::None, utc),
    plain("timezone", Arity::Required, timezone),
];

/// `{% load l10n %}`.
pub(crate) static L10N: &[BuiltinFilter] = &[
    plain("localize", Arity::None, localize),
    plain("unlocalize", Arity::None, unlocalize),
];

/// `{% load i18n %}`.
pub(crate) static I18N: &[BuiltinFilter] = &[
    plain("language_name", Arity::None, language_name),
    plain("language_name_local", Arity::None, language_name_local),
    plain(
        "language_name_translated",
        Arity::None,
        language_name_translated,
    ),
    plain("language_bidi", Arity::None, language_bidi),
];

fn converted(value: &Value, zone: &str, ctx: &FilterCtx<'_>) -> Value {
    match super::dates::do_timezone(value, zone, ctx.host) {
        Some(Value::DateTime(dt)) => PinnedDateTime::value(dt),
        Some(other) => other,
        None => out(""),
    }
}

fn localtime(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(converted(&value, "", ctx))
}

fn utc(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(converted(&value, "UTC", ctx))
}

fn timezone(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    // Only a zone name can come from a template; anything else is ''.
    match req(arg) {
        Value::Str(s) | Value::SafeStr(s) if !s.is_empty() => Ok(converted(&value, &s, ctx)),
        _ => Ok(out("")),
    }
}

fn localize(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(match super::format::localize(&value, ctx.host, true)? {
        Some(text)
            if matches!(value, Value::Int(_))
                && super::format::int_fast_path(ctx.host, true, false) =>
        {
            super::safe_out(text)
        }
        Some(text) => out(text),
        None => out(text_of(&value)?.to_string()),
    })
}

fn unlocalize(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(match super::format::localize(&value, ctx.host, false)? {
        Some(text) => out(text),
        None => out(text_of(&value)?.to_string()),
    })
}

fn info(ctx: &FilterCtx<'_>, value: &Value) -> Result<crate::host::LanguageInfo> {
    let code = text_of(value)?;
    ctx.host
        .language_info(&code)
        .ok_or_else(|| Error::render(format!("Unknown language code {code}.")))
}

fn language_name(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(out(info(ctx, &value)?.name))
}

fn language_name_local(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(out(info(ctx, &value)?.name_local))
}

fn language_name_translated(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(out(ctx.host.gettext(&info(ctx, &value)?.name)))
}

fn language_bidi(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(Value::Bool(info(ctx, &value)?.bidi))
}

/// What the `tz` filters return: a datetime already in the zone asked for,
/// which Django marks `convert_to_local_time = False` so that neither
/// rendering nor `date`/`time` move it to the current zone again. `Value`
/// has no room for that mark, so the datetime travels as this object;
/// [`super::apply`] and [`super::display`] unwrap it. Hosts can downcast
/// it (`Object::as_any`) to hand a real datetime back to Python.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedDateTime(pub DateTime);

impl PinnedDateTime {
    /// The datetime inside a value, if it is a pinned one.
    pub fn of(value: &Value) -> Option<&DateTime> {
        match value {
            Value::Object(obj) => obj.as_any().downcast_ref::<PinnedDateTime>().map(|p| &p.0),
            _ => None,
        }
    }

    /// A pinned datetime as a value.
    pub fn value(dt: DateTime) -> Value {
        Value::Object(Arc::new(PinnedDateTime(dt)))
    }
}

impl Object for PinnedDateTime {
    fn lookup(&self, key: &str) -> Result<Option<Value>> {
        let d = &self.0;
        Ok(Some(match key {
            "year" => Value::Int(i64::from(d.date.year)),
            "month" => Value::Int(i64::from(d.date.month)),
            "day" => Value::Int(i64::from(d.date.day)),
            "hour" => Value::Int(i64::from(d.time.hour)),
            "minute" => Value::Int(i64::from(d.time.minute)),
            "second" => Value::Int(i64::from(d.time.second)),
            "microsecond" => Value::Int(i64::from(d.time.microsecond)),
            "date" => Value::Date(d.date),
            "time" => Value::Time(Time {
                tz: None,
                ..d.time.clone()
            }),
            _ => return Ok(None),
        }))
    }

    fn to_text(&self) -> Result<Value> {
        Value::DateTime(self.0.clone()).to_text()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn repr(&self) -> Result<String> {
        Value::DateTime(self.0.clone()).repr()
    }

    fn equals(&self, other: &Value) -> Result<Option<bool>> {
        let other = PinnedDateTime::of(other).cloned().or(match other {
            Value::DateTime(dt) => Some(dt.clone()),
            _ => None,
        });
        Ok(other.map(|o| {
            super::lists::py_cmp(&Value::DateTime(self.0.clone()), &Value::DateTime(o))
                .ok()
                .flatten()
                == Some(std::cmp::Ordering::Equal)
        }))
    }

    fn compare(&self, other: &Value) -> Result<Option<std::cmp::Ordering>> {
        let other = match PinnedDateTime::of(other) {
            Some(dt) => Value::DateTime(dt.clone()),
            None => other.clone(),
        };
        super::lists::py_cmp(&Value::DateTime(self.0.clone()), &other)
    }
}
