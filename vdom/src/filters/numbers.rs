//! Number filters: `add`, `divisibleby`, `filesizeformat`, `floatformat`,
//! `get_digit`, and Python's `int()` / `float()` coercions they use.
use std::sync::Arc;

use super::decimal::{self, Dec, Parsed};
use super::fastfloat;
use super::format::{format_num, number_format, Num};
use super::{out, req, safe_out, text_of, FilterCtx};
use crate::error::{Error, Result};
use crate::value::{python_float_repr, Value};

/// A Python exception from a coercion, by class.
#[derive(Debug)]
pub(crate) enum PyErr {
    /// `ValueError`.
    Value(String),
    /// `TypeError`.
    Type(String),
    /// `OverflowError`.
    Overflow(String),
}

impl PyErr {
    pub fn is_value_error(&self) -> bool {
        matches!(self, PyErr::Value(_))
    }

    pub fn into_error(self) -> Error {
        match self {
            PyErr::Value(m) | PyErr::Type(m) | PyErr::Overflow(m) => Error::render(m),
        }
    }
}

/// Python's `int(value)`, as an `i128` (Python's ints are unbounded;
/// this covers every float below 2^127 exactly).
pub(crate) fn py_int(value: &Value) -> Result<i128, PyErr> {
    match value {
        Value::Int(i) => Ok(i128::from(*i)),
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::Float(f) => {
            if f.is_nan() {
                Err(PyErr::Value("cannot convert float NaN to integer".into()))
            } else if f.is_infinite() {
                Err(PyErr::Overflow(
                    "cannot convert float infinity to integer".into(),
                ))
            } else if f.abs() >= 2f64.powi(127) {
                Err(PyErr::Overflow("int too large for this engine".into()))
            } else {
                Ok(f.trunc() as i128)
            }
        }
        Value::Decimal(d) => match decimal::parse(d) {
            // Python would build the integer; more than i128 holds is an
            // overflow here (and never built digit by digit).
            Some(Parsed::Finite(dec)) if dec.exp > 40 && !dec.is_zero() => {
                Err(PyErr::Overflow("int too large for this engine".into()))
            }
            Some(Parsed::Finite(dec)) => {
                let n: i128 = dec
                    .int_digits()
                    .parse()
                    .map_err(|_| PyErr::Overflow("int too large".into()))?;
                Ok(if dec.neg { -n } else { n })
            }
            _ if d.to_ascii_lowercase().contains("nan") => {
                Err(PyErr::Value("cannot convert NaN to integer".into()))
            }
            _ => Err(PyErr::Overflow("cannot convert Infinity to integer".into())),
        },
        Value::Str(s) | Value::SafeStr(s) => parse_py_int(s).ok_or_else(|| {
            PyErr::Value(format!(
                "invalid literal for int() with base 10: {}",
                crate::value::python_str_repr(s)
            ))
        }),
        Value::Undefined => Err(PyErr::Value(
            "invalid literal for int() with base 10: ''".into(),
        )),
        other => Err(PyErr::Type(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            super::dates::type_name(other)
        ))),
    }
}

/// `int(text)` for a string: whitespace, sign, digits with single
/// underscores between them.
pub(crate) fn parse_py_int(text: &str) -> Option<i128> {
    let t = super::text::py_strip(text);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let n: i128 = clean.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Python's `float(text)` for a string; `None` on `ValueError`.
pub(crate) fn parse_py_float(text: &str) -> Option<f64> {
    let t = super::text::py_strip(text);
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return lower.parse().ok();
    }
    if body.starts_with(['i', 'n']) {
        return None;
    }
    let clean = if t.contains('_') {
        match decimal::parse(t) {
            Some(Parsed::Finite(_)) => t.replace('_', ""),
            _ => return None,
        }
    } else {
        t.to_owned()
    };
    clean.parse().ok()
}

pub(crate) fn add(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let arg = req(arg);
    match (py_int(&value), py_int(&arg)) {
        (Ok(a), Ok(b)) => return Ok(int_value(a.saturating_add(b))),
        (Err(e @ PyErr::Overflow(_)), _) | (Ok(_), Err(e @ PyErr::Overflow(_))) => {
            return Err(e.into_error())
        }
        _ => {}
    }
    // `value + arg`, or '' when Python refuses.
    Ok(match (&value, &arg) {
        (Value::Object(a), b) => a.add(b, false)?.unwrap_or_else(|| out("")),
        (a, Value::Object(b)) => b.add(a, true)?.unwrap_or_else(|| out("")),
        (Value::SafeStr(a), Value::SafeStr(b)) => safe_out(format!("{a}{b}")),
        (Value::Str(a) | Value::SafeStr(a), Value::Str(b) | Value::SafeStr(b)) => {
            out(format!("{a}{b}"))
        }
        (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
        (Value::Float(a), Value::Int(b)) | (Value::Int(b), Value::Float(a)) => {
            Value::Float(a + *b as f64)
        }
        (Value::Float(a), Value::Bool(b)) | (Value::Bool(b), Value::Float(a)) => {
            Value::Float(a + f64::from(u8::from(*b)))
        }
        (Value::List(a), Value::List(b)) => {
            let mut items = a.as_ref().clone();
            items.extend(b.iter().cloned());
            Value::list(items)
        }
        _ => out(""),
    })
}

/// A Python int as a value: beyond 64 bits it travels as a `Decimal`
/// holding the integer, which prints and localises the same way.
pub(crate) fn int_value(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Decimal(Arc::from(n.to_string())),
    }
}

pub(crate) fn divisibleby(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let a = py_int(&value).map_err(PyErr::into_error)?;
    let b = py_int(&req(arg)).map_err(PyErr::into_error)?;
    if b == 0 {
        return Err(Error::render("integer modulo by zero"));
    }
    Ok(Value::Bool(a.rem_euclid(b) == 0))
}

pub(crate) fn get_digit(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let arg = match py_int(&req(arg)) {
        Ok(n) => n,
        Err(e) if e.is_value_error() => return Ok(value),
        Err(e) => return Err(e.into_error()),
    };
    let n = match py_int(&value) {
        Ok(n) => n,
        Err(e) if e.is_value_error() => return Ok(value),
        Err(e) => return Err(e.into_error()),
    };
    if arg < 1 {
        return Ok(int_value(n));
    }
    let digits = n.to_string();
    let chars: Vec<char> = digits.chars().collect();
    let Some(c) = usize::try_from(arg)
        .ok()
        .and_then(|a| chars.len().checked_sub(a))
        .map(|i| chars[i])
    else {
        return Ok(Value::Int(0));
    };
    match c.to_digit(10) {
        Some(d) => Ok(Value::Int(i64::from(d))),
        None => Err(Error::render(format!(
            "invalid literal for int() with base 10: '{c}'"
        ))),
    }
}

/// Python's `round(x, 1)` (correctly rounded, ties to even on the exact
/// binary value).
fn round1(x: f64) -> f64 {
    format!("{x:.1}").parse().unwrap_or(x)
}

pub(crate) fn filesizeformat(ctx: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    let host = ctx.host;
    let size = |n: i128| {
        host.ngettext(
            "%(size)d byte",
            "%(size)d bytes",
            super::strings::clamp64(n),
        )
        .replace("%(size)d", &n.to_string())
    };
    let bytes = match py_int(&value) {
        Ok(n) => n,
        Err(PyErr::Overflow(m)) => return Err(Error::render(m)),
        Err(_) => return Ok(out(size(0).replace(' ', "\u{a0}"))),
    };
    let negative = bytes < 0;
    let b = bytes.unsigned_abs();
    const KB: u128 = 1 << 10;
    const MB: u128 = 1 << 20;
    const GB: u128 = 1 << 30;
    const TB: u128 = 1 << 40;
    const PB: u128 = 1 << 50;
    let unit = |div: u128, msg: &str| -> Result<String> {
        let n = round1(b as f64 / div as f64);
        let num = number_format(&Value::Float(n), Some(1), true, false, host)?;
        Ok(host.gettext(msg).replace("%s", &num))
    };
    let mut text = if b < KB {
        size(b as i128)
    } else if b < MB {
        unit(KB, "%s KB")?
    } else if b < GB {
        unit(MB, "%s MB")?
    } else if b < TB {
        unit(GB, "%s GB")?
    } else if b < PB {
        unit(TB, "%s TB")?
    } else {
        unit(PB, "%s PB")?
    };
    if negative {
        text.insert(0, '-');
    }
    Ok(out(text.replace(' ', "\u{a0}")))
}

/// What `floatformat` makes of its input: `Decimal(str(text))`, else
/// `Decimal(str(float(text)))`.
enum Input {
    Finite(Dec),
    Special,
    Invalid,
}

fn floatformat_input(value: &Value, input_val: &str) -> Input {
    match decimal::parse(input_val) {
        Some(Parsed::Finite(d)) => return Input::Finite(d),
        Some(Parsed::Special) => return Input::Special,
        None => {}
    }
    let float = match value {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Str(s) | Value::SafeStr(s) => parse_py_float(s),
        _ => None,
    };
    match float.map(python_float_repr).as_deref().map(decimal::parse) {
        Some(Some(Parsed::Finite(d))) => Input::Finite(d),
        Some(Some(Parsed::Special)) => Input::Special,
        _ => Input::Invalid,
    }
}

pub(crate) fn floatformat(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let mut force_grouping = false;
    let mut use_l10n = true;
    let arg = arg.unwrap_or(Value::Int(-1));
    let arg = match &arg {
        Value::Str(s) | Value::SafeStr(s) => {
            if s.is_empty() {
                return Err(Error::render("string index out of range"));
            }
            let text: &str = s;
            let rest = if text.ends_with("gu") || text.ends_with("ug") {
                force_grouping = true;
                use_l10n = false;
                &text[..text.len() - 2]
            } else if let Some(r) = text.strip_suffix('g') {
                force_grouping = true;
                r
            } else if let Some(r) = text.strip_suffix('u') {
                use_l10n = false;
                r
            } else {
                text
            };
            if rest.is_empty() {
                Value::Int(-1)
            } else {
                Value::Str(Arc::from(rest))
            }
        }
        _ => arg.clone(),
    };
    // The fast paths take an i64 precision; anything wider takes the exact path.
    if let (Value::Float(_) | Value::Int(_), Some(p)) = (
        &value,
        py_int(&arg).ok().and_then(|p| i64::try_from(p).ok()),
    ) {
        let host = ctx.host;
        let fast = match value {
            Value::Float(f) => fastfloat::floatformat_float(f, p, use_l10n, force_grouping, host),
            Value::Int(i) => fastfloat::floatformat_int(i, p, use_l10n, force_grouping, host),
            _ => None,
        };
        if let Some(text) = fast {
            return Ok(safe_out(text));
        }
    }
    floatformat_decimal(ctx, value, arg, use_l10n, force_grouping)
}

/// `floatformat` on exact decimal digits, for every input.
pub(crate) fn floatformat_decimal(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Value,
    use_l10n: bool,
    force_grouping: bool,
) -> Result<Value> {
    let input_val = text_of(&value)?;
    let d = match floatformat_input(&value, &input_val) {
        Input::Finite(d) => Some(d),
        Input::Special => None,
        Input::Invalid => return Ok(out("")),
    };
    let p = match py_int(&arg) {
        Ok(p) => p,
        Err(e) if e.is_value_error() => return Ok(out(input_val.to_string())),
        Err(e) => return Err(e.into_error()),
    };
    let Some(d) = d else {
        // int(NaN) / int(Infinity) fail: the input is returned as is.
        return Ok(out(input_val.to_string()));
    };
    if d.digits.len() + d.exp.unsigned_abs() as usize > 200 {
        return Ok(out(input_val.to_string()));
    }
    let host = ctx.host;
    if d.is_integral() && p <= 0 {
        let digits = d.int_digits();
        let number = if d.neg && digits != "0" {
            format!("-{digits}")
        } else {
            digits
        };
        return Ok(safe_out(format_num(
            Num::Text(&number),
            Some(0),
            use_l10n,
            force_grouping,
            host,
        )?));
    }
    // Python would build a number with that many digits; refuse instead
    // of allocating without bound.
    if p.unsigned_abs() > 100_000 {
        return Err(Error::render("floatformat precision too large"));
    }
    let places = p.unsigned_abs() as i64;
    let rounded = d.quantize_half_up(places);
    let mut number = rounded.to_fixed();
    if rounded.neg && rounded.is_zero() {
        number.remove(0);
    }
    Ok(safe_out(format_num(
        Num::Text(&number),
        Some(places as usize),
        use_l10n,
        force_grouping,
        host,
    )?))
}
