//! String filters of `defaultfilters` (most are `@stringfilter`: the value
//! is first turned into its `str()`).
use std::sync::Arc;

use super::numbers::py_int;
use super::text::{self, py_lower, py_split, py_title, py_upper, quote};
use super::{out, req, safe_out, string_arg, text_of, FilterCtx};
use crate::error::{Error, Result};
use crate::value::Value;

/// A string result that keeps the input's safe mark (`@stringfilter` on an
/// `is_safe` filter).
fn keep(safe: bool, text: String) -> Value {
    if safe {
        safe_out(text)
    } else {
        out(text)
    }
}

pub(crate) fn addslashes(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(keep(
        safe,
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\'', "\\'"),
    ))
}

pub(crate) fn capfirst(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let mut chars = s.chars();
    let text = match chars.next() {
        Some(c) => py_upper(&c.to_string()) + chars.as_str(),
        None => String::new(),
    };
    Ok(keep(safe, text))
}

pub(crate) fn escapejs(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, _) = string_arg(&value)?;
    let mut text = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '\'' | '"' | '>' | '<' | '&' | '=' | '-' | ';' | '`' | '\u{2028}'
            | '\u{2029}' => text.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 32 => text.push_str(&format!("\\u{:04X}", c as u32)),
            c => text.push(c),
        }
    }
    Ok(safe_out(text))
}

pub(crate) fn iriencode(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(keep(safe, quote(&s, "/#%[]=:;$&()+,!?*@'~")))
}

pub(crate) fn lower(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(keep(safe, py_lower(&s)))
}

pub(crate) fn upper(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, _) = string_arg(&value)?;
    Ok(out(py_upper(&s)))
}

pub(crate) fn make_list(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(Value::list(
        s.chars()
            .map(|c| {
                let t: Arc<str> = Arc::from(c.to_string());
                if safe {
                    Value::SafeStr(t)
                } else {
                    Value::Str(t)
                }
            })
            .collect(),
    ))
}

pub(crate) fn slugify(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(keep(safe, text::slugify(&s)))
}

pub(crate) fn stringformat(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let fmt = format!("%{}", text_of(&req(arg))?);
    Ok(match super::pyfmt::percent_format(&fmt, &value)? {
        Ok(text) => out(text),
        Err(_) => out(""),
    })
}

pub(crate) fn title(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let t: Vec<char> = py_title(&s).chars().collect();
    let mut res: Vec<char> = t.clone();
    // re.sub("([a-z])'([A-Z])", lambda m: m[0].lower(), ...)
    let mut i = 0;
    while i + 2 < t.len() {
        if t[i].is_ascii_lowercase() && t[i + 1] == '\'' && t[i + 2].is_ascii_uppercase() {
            res[i + 2] = t[i + 2].to_ascii_lowercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    // re.sub(r"\d([A-Z])", lambda m: m[0].lower(), ...)
    let t = res.clone();
    let mut i = 0;
    while i + 1 < t.len() {
        if is_py_digit(t[i]) && t[i + 1].is_ascii_uppercase() {
            res[i + 1] = t[i + 1].to_ascii_lowercase();
            i += 2;
        } else {
            i += 1;
        }
    }
    Ok(keep(safe, res.into_iter().collect()))
}

/// An `int()` result narrowed for lengths and widths.
pub(crate) fn clamp64(n: i128) -> i64 {
    n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Python's `\d` (any Unicode decimal digit).
fn is_py_digit(c: char) -> bool {
    // Approximates Unicode category Nd: letter-like numerals (Nl) are alphabetic.
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && !c.is_alphabetic())
}

/// `int(arg)` for the truncate filters: `None` on `ValueError` (they
/// return the value unchanged), an error on `TypeError`.
fn length_arg(arg: Option<Value>) -> Result<Option<i64>> {
    match py_int(&req(arg)) {
        Ok(n) => Ok(Some(clamp64(n))),
        Err(e) if e.is_value_error() => Ok(None),
        Err(e) => Err(e.into_error()),
    }
}

pub(crate) fn truncatechars(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(match length_arg(arg)? {
        Some(n) => keep(safe, text::truncate_chars(ctx.host, &s, n)),
        None => keep(safe, s.to_string()),
    })
}

pub(crate) fn truncatewords(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    Ok(match length_arg(arg)? {
        Some(n) => keep(safe, text::truncate_words(ctx.host, &s, n)),
        None => keep(safe, s.to_string()),
    })
}

pub(crate) fn urlencode(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    if s.is_empty() {
        // `quote("")` returns its argument itself, safe mark included.
        return Ok(keep(safe, String::new()));
    }
    let safe = match &arg {
        Some(a) => text_of(a)?.to_string(),
        None => "/".to_owned(),
    };
    Ok(out(quote(&s, &safe)))
}

pub(crate) fn wordcount(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let (s, _) = string_arg(&value)?;
    Ok(Value::Int(py_split(&s).len() as i64))
}

/// `int(arg)` where Django lets the exception escape.
fn int_arg(arg: Option<Value>) -> Result<i64> {
    py_int(&req(arg)).map(clamp64).map_err(|e| e.into_error())
}

pub(crate) fn wordwrap(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let width = int_arg(arg)?;
    if width <= 0 {
        return Err(Error::render(format!(
            "invalid width {width} (must be > 0)"
        )));
    }
    Ok(keep(safe, text::wrap(&s, width as usize)))
}

/// The widest `ljust`/`rjust`/`center` field accepted (Python would try
/// any size).
const MAX_WIDTH: i64 = 10_000_000;

fn width_arg(arg: Option<Value>) -> Result<i64> {
    let width = int_arg(arg)?;
    if width > MAX_WIDTH {
        return Err(Error::render("width too large"));
    }
    Ok(width)
}

fn justify(value: Value, arg: Option<Value>, how: fn(&str, usize) -> String) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let width = width_arg(arg)?;
    let len = s.chars().count();
    let text = if width <= 0 || width as usize <= len {
        s.to_string()
    } else {
        how(&s, width as usize - len)
    };
    Ok(keep(safe, text))
}

pub(crate) fn ljust(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    justify(value, arg, |s, n| format!("{s}{}", " ".repeat(n)))
}

pub(crate) fn rjust(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    justify(value, arg, |s, n| format!("{}{s}", " ".repeat(n)))
}

pub(crate) fn center(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    // CPython's str.center: left = pad/2 + (pad & width & 1).
    let (s, safe) = string_arg(&value)?;
    let width = width_arg(arg)?;
    let len = s.chars().count() as i64;
    if width <= len {
        return Ok(keep(safe, s.to_string()));
    }
    let pad = width - len;
    let left = pad / 2 + (pad & width & 1);
    let right = pad - left;
    Ok(keep(
        safe,
        format!(
            "{}{s}{}",
            " ".repeat(left as usize),
            " ".repeat(right as usize)
        ),
    ))
}

pub(crate) fn cut(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let (s, safe) = string_arg(&value)?;
    let arg = req(arg);
    let Some(pat) = arg.as_str() else {
        return Err(Error::render(format!(
            "replace() argument 1 must be str, not {}",
            super::dates::type_name(&arg)
        )));
    };
    let text = if pat.is_empty() {
        s.to_string()
    } else {
        s.replace(pat, "")
    };
    Ok(keep(safe && pat != ";", text))
}

pub(crate) fn phone2numeric(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    // Not a @stringfilter: `phone.lower()` needs a string.
    let s = match &value {
        Value::Str(s) | Value::SafeStr(s) => s.clone(),
        Value::Undefined => Arc::from(""),
        other => {
            return Err(Error::render(format!(
                "'{}' object has no attribute 'lower'",
                super::dates::type_name(other)
            )))
        }
    };
    let text: String = py_lower(&s)
        .chars()
        .map(|c| match c {
            'a' | 'b' | 'c' => '2',
            'd' | 'e' | 'f' => '3',
            'g' | 'h' | 'i' => '4',
            'j' | 'k' | 'l' => '5',
            'm' | 'n' | 'o' => '6',
            'p' | 'q' | 'r' | 's' => '7',
            't' | 'u' | 'v' => '8',
            'w' | 'x' | 'y' | 'z' => '9',
            c => c,
        })
        .collect();
    Ok(out(text))
}
