//! List filters: `dictsort`, `dictsortreversed`, `first`, `join`, `last`,
//! `length`, `random`, `slice`, `pprint`.
use std::cmp::Ordering;

use super::decimal::{self, Parsed};
use super::numbers::parse_py_int;
use super::{out, req, safe_out, text_of, FilterCtx};
use crate::error::{Error, Result};
use crate::escape::conditional_escape;
use crate::value::{python_str_repr, ObjectKind, Value};

/// Python's `a < b` family: `Ok(None)` where Python raises `TypeError`.
pub(crate) fn py_cmp(a: &Value, b: &Value) -> Result<Option<Ordering>> {
    let num = |v: &Value| -> Option<f64> {
        match v {
            Value::Int(i) => Some(*i as f64),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Float(f) => Some(*f),
            Value::Decimal(d) => match decimal::parse(d) {
                Some(Parsed::Finite(_)) => d.parse().ok(),
                _ => None,
            },
            _ => None,
        }
    };
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x) | Value::SafeStr(x), Value::Str(y) | Value::SafeStr(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) if x.tz.is_none() && y.tz.is_none() => {
            Some((x.hour, x.minute, x.second, x.microsecond).cmp(&(
                y.hour,
                y.minute,
                y.second,
                y.microsecond,
            )))
        }
        (Value::DateTime(x), Value::DateTime(y)) if x.time.tz.is_some() == y.time.tz.is_some() => {
            let key = |d: &crate::value::DateTime| {
                let off = d.time.tz.as_ref().map_or(0, |t| i64::from(t.utc_offset));
                (
                    super::dates::days_from_civil(d.date.year, d.date.month, d.date.day) * 86_400
                        + i64::from(d.time.hour) * 3600
                        + i64::from(d.time.minute) * 60
                        + i64::from(d.time.second)
                        - off,
                    d.time.microsecond,
                )
            };
            Some(key(x).cmp(&key(y)))
        }
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                if py_eq(p, q)? {
                    continue;
                }
                return py_cmp(p, q);
            }
            Some(x.len().cmp(&y.len()))
        }
        (Value::Object(o), other) => o.compare(other)?,
        (other, Value::Object(o)) => o.compare(other)?.map(Ordering::reverse),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    })
}

fn py_eq(a: &Value, b: &Value) -> Result<bool> {
    Ok(match (a, b) {
        (Value::Object(o), other) | (other, Value::Object(o)) => o.equals(other)?.unwrap_or(false),
        _ => py_cmp(a, b)? == Some(Ordering::Equal),
    })
}

/// The items of a value Python can iterate, or `None` (a `TypeError`).
fn items_of(value: &Value) -> Result<Option<Vec<Value>>> {
    match value {
        Value::Undefined => Ok(Some(Vec::new())),
        other => other.iterate(),
    }
}

/// `_property_resolver(arg)(item)`: `Ok(None)` where Django's sort fails
/// with `AttributeError`/`TypeError` (the filter then gives `''`).
fn sort_key(item: &Value, arg: &Value, arg_text: &str, numeric: bool) -> Result<Option<Value>> {
    if numeric {
        // operator.itemgetter(arg): indexes with the argument itself.
        return Ok(match (item, arg) {
            (Value::Str(s) | Value::SafeStr(s), Value::Int(i)) => {
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let i = if *i < 0 { *i + n } else { *i };
                if i < 0 || i >= n {
                    return Err(Error::render("string index out of range"));
                }
                Some(out(chars[i as usize].to_string()))
            }
            (Value::List(items), Value::Int(i)) => {
                let n = items.len() as i64;
                let i = if *i < 0 { *i + n } else { *i };
                if i < 0 || i >= n {
                    return Err(Error::render("list index out of range"));
                }
                Some(items[i as usize].clone())
            }
            (Value::Map(map), _) => match map.get(arg_text) {
                Some(v) if arg.as_str().is_some() => Some(v.clone()),
                _ => return Err(Error::render(format!("KeyError: {}", arg.repr()?))),
            },
            (Value::Object(o), _) => o.lookup(arg_text)?,
            _ => None,
        });
    }
    if arg_text.contains("._") || arg_text.starts_with('_') {
        return Ok(None);
    }
    let mut cur = item.clone();
    for part in arg_text.split('.') {
        let next = match &cur {
            Value::Map(map) => map.get(part).cloned(),
            Value::Object(o) => o.lookup(part)?,
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn sort_by_key(value: &Value, arg: Option<Value>, reverse: bool) -> Result<Value> {
    let arg = req(arg);
    let arg_text = text_of(&arg)?;
    let numeric = match &arg {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Decimal(_) => true,
        _ => super::numbers::parse_py_float(&arg_text).is_some(),
    };
    if !numeric && (arg_text.contains("._") || arg_text.starts_with('_')) {
        return Ok(out(""));
    }
    let Some(items) = items_of(value)? else {
        return Ok(out(""));
    };
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        match sort_key(&item, &arg, &arg_text, numeric)? {
            Some(k) => keyed.push((k, item)),
            None => return Ok(out("")),
        }
    }
    let mut failed: Option<Error> = None;
    let mut incomparable = false;
    keyed.sort_by(|(a, _), (b, _)| {
        let (x, y) = if reverse { (b, a) } else { (a, b) };
        match py_cmp(x, y) {
            Ok(Some(o)) => o,
            Ok(None) => {
                incomparable = true;
                Ordering::Equal
            }
            Err(e) => {
                failed.get_or_insert(e);
                Ordering::Equal
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if incomparable {
        return Ok(out(""));
    }
    Ok(Value::list(keyed.into_iter().map(|(_, v)| v).collect()))
}

pub(crate) fn dictsort(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    sort_by_key(&value, arg, false)
}

pub(crate) fn dictsortreversed(
    _: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    sort_by_key(&value, arg, true)
}

fn not_subscriptable(value: &Value) -> Error {
    Error::render(format!(
        "'{}' object is not subscriptable",
        super::dates::type_name(value)
    ))
}

/// `value[0]` or `value[-1]`; `''` on `IndexError`.
fn end_item(value: &Value, last: bool) -> Result<Value> {
    let pick = |n: usize| if last { n - 1 } else { 0 };
    Ok(match value {
        Value::Undefined => out(""),
        Value::Str(s) | Value::SafeStr(s) => {
            let c = if last {
                s.chars().last()
            } else {
                s.chars().next()
            };
            out(c.map(String::from).unwrap_or_default())
        }
        Value::List(items) => match items.len() {
            0 => out(""),
            n => items[pick(n)].clone(),
        },
        Value::Object(o) if o.kind() == ObjectKind::Seq => match o.iterate()? {
            Some(items) if !items.is_empty() => items[pick(items.len())].clone(),
            _ => out(""),
        },
        Value::Map(_) | Value::Object(_) => {
            return Err(Error::render(if last {
                "KeyError: -1"
            } else {
                "KeyError: 0"
            }))
        }
        other => return Err(not_subscriptable(other)),
    })
}

pub(crate) fn first(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    end_item(&value, false)
}

pub(crate) fn last(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    end_item(&value, true)
}

pub(crate) fn length(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(Value::Int(match value {
        Value::Undefined => 0,
        other => other.len()?.unwrap_or(0) as i64,
    }))
}

pub(crate) fn join(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let arg = req(arg);
    let Some(items) = items_of(&value)? else {
        return Ok(value);
    };
    let mut data = String::new();
    if ctx.autoescape {
        let sep = conditional_escape(&arg)?;
        let sep = sep.as_str().unwrap_or_default().to_owned();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                data.push_str(&sep);
            }
            data.push_str(conditional_escape(item)?.as_str().unwrap_or_default());
        }
    } else {
        let Some(sep) = arg.as_str() else {
            return Ok(value);
        };
        for (i, item) in items.iter().enumerate() {
            let Some(text) = item.as_str() else {
                return Ok(value);
            };
            if i > 0 {
                data.push_str(sep);
            }
            data.push_str(text);
        }
    }
    Ok(safe_out(data))
}

pub(crate) fn random(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let items = match &value {
        Value::Str(s) | Value::SafeStr(s) => s.chars().map(|c| out(c.to_string())).collect(),
        Value::Undefined => Vec::new(),
        Value::List(items) => items.as_ref().clone(),
        Value::Object(o) if o.kind() == ObjectKind::Seq => o.iterate()?.unwrap_or_default(),
        other => {
            return Err(Error::render(format!(
                "object of type '{}' has no len()",
                super::dates::type_name(other)
            )))
        }
    };
    if items.is_empty() {
        return Ok(out(""));
    }
    let mut h = RandomState::new().build_hasher();
    h.write_usize(items.len());
    let i = (h.finish() % items.len() as u64) as usize;
    Ok(items[i].clone())
}

/// `slice(*bits).indices(len)` then the selected positions.
fn slice_positions(len: usize, bits: &[Option<i64>]) -> Option<Vec<usize>> {
    let (start, stop, step) = match bits {
        [stop] => (None, *stop, None),
        [start, stop] => (*start, *stop, None),
        [start, stop, step] => (*start, *stop, *step),
        _ => return None,
    };
    let step = step.unwrap_or(1);
    if step == 0 {
        return None;
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(v) if v < 0 => {
                let v = v + len;
                if v < 0 {
                    if step < 0 {
                        -1
                    } else {
                        0
                    }
                } else {
                    v
                }
            }
            Some(v) if v >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(v) => v,
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(start, 0), clamp(stop, len))
    } else {
        (clamp(start, len - 1), clamp(stop, -1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Some(out)
}

pub(crate) fn slice(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let arg = text_of(&req(arg))?;
    let mut bits = Vec::new();
    for x in arg.split(':') {
        if x.is_empty() {
            bits.push(None);
        } else {
            match parse_py_int(x) {
                Some(n) => bits.push(Some(
                    n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
                )),
                None => return Ok(value),
            }
        }
    }
    Ok(match &value {
        Value::Str(s) | Value::SafeStr(s) => {
            let chars: Vec<char> = s.chars().collect();
            match slice_positions(chars.len(), &bits) {
                Some(pos) => out(pos.into_iter().map(|i| chars[i]).collect::<String>()),
                None => value,
            }
        }
        Value::Undefined => out(""),
        Value::List(items) => match slice_positions(items.len(), &bits) {
            Some(pos) => Value::list(pos.into_iter().map(|i| items[i].clone()).collect()),
            None => value,
        },
        Value::Object(o) if o.kind() == ObjectKind::Seq => {
            let items = o.iterate()?.unwrap_or_default();
            match slice_positions(items.len(), &bits) {
                Some(pos) => Value::list(pos.into_iter().map(|i| items[i].clone()).collect()),
                None => value,
            }
        }
        _ => value,
    })
}

/// `pprint.pformat(value)` (width 80, dicts sorted by key).
pub(crate) fn pformat(value: &Value, indent: usize) -> Result<String> {
    let rep = repr_sorted(value)?;
    if rep.chars().count() <= 80usize.saturating_sub(indent) {
        return Ok(rep);
    }
    Ok(match value {
        Value::List(items) if !items.is_empty() => {
            let parts: Result<Vec<String>> = items.iter().map(|v| pformat(v, indent + 1)).collect();
            format!(
                "[{}]",
                parts?.join(&format!(",\n{}", " ".repeat(indent + 1)))
            )
        }
        Value::Map(map) if !map.is_empty() => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut parts = Vec::new();
            for (k, v) in entries {
                let key = python_str_repr(k);
                let inner = pformat(v, indent + 1 + key.chars().count() + 2)?;
                parts.push(format!("{key}: {inner}"));
            }
            format!(
                "{{{}}}",
                parts.join(&format!(",\n{}", " ".repeat(indent + 1)))
            )
        }
        _ => rep,
    })
}

fn repr_sorted(value: &Value) -> Result<String> {
    Ok(match value {
        Value::List(items) => {
            let parts: Result<Vec<String>> = items.iter().map(repr_sorted).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Map(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut parts = Vec::new();
            for (k, v) in entries {
                parts.push(format!("{}: {}", python_str_repr(k), repr_sorted(v)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Undefined => "''".to_owned(),
        other => other.repr()?,
    })
}

pub(crate) fn pprint(_: &FilterCtx<'_>, value: Value, _: Option<Value>) -> Result<Value> {
    Ok(out(pformat(&value, 0)?))
}
