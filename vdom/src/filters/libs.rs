//! Filters of Django's loadable built-in libraries: `tz`, `l10n`, `i18n`.
use super::{out, req, text_of, Arity, BuiltinFilter, FilterCtx};
use crate::error::{Error, Result};
use crate::value::Value;

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
    super::dates::do_timezone(value, zone, ctx.host).unwrap_or_else(|| out(""))
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
