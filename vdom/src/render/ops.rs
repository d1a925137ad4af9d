//! Python semantics the tags need: `==`, ordering, `in`, `is`, `float()`
//! and `int()` on template values.
use std::cmp::Ordering;
use std::sync::Arc;

use crate::value::Value;

/// A number as Python sees it (bool is an int).
fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Decimal(d) => d.parse::<f64>().ok().or_else(|| decimal_special(d)),
        _ => None,
    }
}

fn decimal_special(d: &str) -> Option<f64> {
    match d
        .trim_start_matches(['-', '+'])
        .to_ascii_lowercase()
        .as_str()
    {
        "infinity" | "inf" => Some(if d.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        "nan" => Some(f64::NAN),
        _ => None,
    }
}

fn undefined_as_none(v: &Value) -> &Value {
    if v.is_undefined() {
        &Value::None
    } else {
        v
    }
}

/// Python `a == b`.
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    let (a, b) = (undefined_as_none(a), undefined_as_none(b));
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Object(o), other) | (other, Value::Object(o)) => match o.equals(other) {
            Ok(Some(eq)) => eq,
            _ => matches!((a, b), (Value::Object(x), Value::Object(y)) if Arc::ptr_eq(x, y)),
        },
        (Value::None, Value::None) => true,
        (Value::Str(x) | Value::SafeStr(x), Value::Str(y) | Value::SafeStr(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::Time(x), Value::Time(y)) => x == y,
        (Value::DateTime(x), Value::DateTime(y)) => x == y,
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Python ordering; `None` where Python raises `TypeError`.
pub(crate) fn py_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    let (a, b) = (undefined_as_none(a), undefined_as_none(b));
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Object(o), other) => o.compare(other).ok().flatten(),
        (other, Value::Object(o)) => o.compare(other).ok().flatten().map(Ordering::reverse),
        (Value::Str(x) | Value::SafeStr(x), Value::Str(y) | Value::SafeStr(y)) => Some(x.cmp(y)),
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                if !py_eq(p, q) {
                    return py_cmp(p, q);
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => (x.time.tz.is_some() == y.time.tz.is_some())
            .then(|| datetime_key(x).cmp(&datetime_key(y))),
        (Value::Time(x), Value::Time(y)) => {
            Some((x.hour, x.minute, x.second, x.microsecond).cmp(&(
                y.hour,
                y.minute,
                y.second,
                y.microsecond,
            )))
        }
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    }
}

/// A datetime as microseconds since 0001-01-01 in UTC (naive ones as is).
fn datetime_key(dt: &crate::value::DateTime) -> i128 {
    let d = &dt.date;
    // Days from civil (proleptic Gregorian).
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe;
    let t = &dt.time;
    let secs =
        days * 86_400 + i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second)
            - i64::from(t.tz.as_ref().map_or(0, |z| z.utc_offset));
    i128::from(secs) * 1_000_000 + i128::from(t.microsecond)
}

/// Python `item in container`; `None` where Python raises `TypeError`.
pub(crate) fn py_in(item: &Value, container: &Value) -> Option<bool> {
    let item = undefined_as_none(item);
    match undefined_as_none(container) {
        Value::Str(s) | Value::SafeStr(s) => item.as_str().map(|i| s.contains(i)),
        Value::List(items) => Some(items.iter().any(|v| py_eq(item, v))),
        Value::Map(map) => match item {
            Value::Str(k) | Value::SafeStr(k) => Some(map.contains_key(&**k)),
            Value::List(_) | Value::Map(_) => None,
            _ => Some(false),
        },
        Value::Object(o) => match o.contains(item) {
            Ok(Some(b)) => Some(b),
            _ => o
                .iterate()
                .ok()
                .flatten()
                .map(|items| items.iter().any(|v| py_eq(item, v))),
        },
        _ => None,
    }
}

/// Python `a is b`, as far as values can tell.
pub(crate) fn py_is(a: &Value, b: &Value) -> bool {
    match (undefined_as_none(a), undefined_as_none(b)) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        // CPython caches small ints.
        (Value::Int(x), Value::Int(y)) => x == y && (-5..=256).contains(x),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::Str(x) | Value::SafeStr(x), Value::Str(y) | Value::SafeStr(y)) => Arc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Arc::ptr_eq(x, y),
        (Value::Map(x), Value::Map(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// Python's `float(value)`.
pub(crate) fn py_float(v: &Value) -> Option<f64> {
    match v {
        Value::Str(s) | Value::SafeStr(s) => parse_py_float(s),
        other => as_number(other),
    }
}

fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(crate::lexer::is_py_space);
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return t.parse::<f64>().ok().or_else(|| decimal_special(t));
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.eE_".contains(c))
    {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

/// Python's `int(value)`.
pub(crate) fn py_int(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::Decimal(d) => d
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.trunc() as i64),
        Value::Str(s) | Value::SafeStr(s) => {
            let t = s.trim_matches(crate::lexer::is_py_space);
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
                return None;
            }
            t.replace('_', "").parse::<i64>().ok()
        }
        _ => None,
    }
}

/// Django's `strip_spaces_between_tags`: `>\s+<` becomes `><`.
pub(crate) fn strip_spaces_between_tags(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(gt) = rest.find('>') {
        out.push_str(&rest[..=gt]);
        let after = &rest[gt + 1..];
        let trimmed = after.trim_start_matches(crate::lexer::is_py_space);
        if trimmed.len() < after.len() && trimmed.starts_with('<') {
            rest = trimmed;
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_comparisons() {
        assert!(py_eq(&Value::Int(1), &Value::Float(1.0)));
        assert!(py_eq(&Value::Bool(true), &Value::Int(1)));
        assert!(!py_eq(&Value::from("1"), &Value::Int(1)));
        assert_eq!(py_cmp(&Value::from("a"), &Value::Int(1)), None);
        assert_eq!(py_in(&Value::from("b"), &Value::from("abc")), Some(true));
        assert_eq!(py_in(&Value::Int(1), &Value::from("abc")), None);
        assert!(py_is(&Value::Undefined, &Value::None));
        assert_eq!(py_float(&Value::from(" 1.5 ")), Some(1.5));
        assert_eq!(py_int(&Value::from("12")), Some(12));
        let mut out = String::new();
        strip_spaces_between_tags("<a>  <b> x </b>\n<c>", &mut out);
        assert_eq!(out, "<a><b> x </b><c>");
    }
}
