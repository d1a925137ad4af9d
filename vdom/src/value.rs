//! The one way the engine reads user data.
//!
//! Scalars and engine-made data are plain [`Value`] variants. Everything a
//! host owns (a Python dict, list, model instance, QuerySet) is a
//! [`Value::Object`]: the engine asks it for one attribute, its items or its
//! length only when the template needs them, so a context is never converted
//! up front.
use std::any::Any;
use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use crate::error::Result;

/// An ordered string-keyed map, for data built in Rust (tests, JSON contexts,
/// values the engine makes).
pub type Map = indexmap::IndexMap<Arc<str>, Value>;

/// A value in the template engine.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// A failed lookup. Renders as `string_if_invalid`; falsy; filters see it
    /// as Django does an invalid variable.
    #[default]
    Undefined,
    /// Python's `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A float.
    Float(f64),
    /// A `decimal.Decimal`, as Python's `str()` of it (`"1.50"`, `"-0"`,
    /// `"1E+2"`, `"NaN"`, `"Infinity"`): exact, no float rounding.
    Decimal(Arc<str>),
    /// Text that still needs escaping when autoescape is on.
    Str(Arc<str>),
    /// Text marked safe (Django's `SafeString`): never escaped again.
    SafeStr(Arc<str>),
    /// A sequence the engine made or a test built.
    List(Arc<Vec<Value>>),
    /// A mapping the engine made or a test built.
    Map(Arc<Map>),
    /// `datetime.date`.
    Date(Date),
    /// `datetime.time`.
    Time(Time),
    /// `datetime.datetime`.
    DateTime(DateTime),
    /// Anything the host owns, read lazily through [`Object`].
    Object(Arc<dyn Object>),
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (1..=9999 in Python).
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
}

/// A time of day, naive or with a fixed offset.
#[derive(Clone, Debug, PartialEq)]
pub struct Time {
    /// 0..=23
    pub hour: u8,
    /// 0..=59
    pub minute: u8,
    /// 0..=59
    pub second: u8,
    /// 0..=999_999
    pub microsecond: u32,
    /// The time zone, for aware values.
    pub tz: Option<TzInfo>,
}

/// A date and time, naive or aware.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTime {
    /// The date part.
    pub date: Date,
    /// The time part (its `tz` makes the value aware).
    pub time: Time,
}

/// What an aware value knows about its time zone (at that instant).
#[derive(Clone, Debug, PartialEq)]
pub struct TzInfo {
    /// Offset from UTC in seconds, east positive.
    pub utc_offset: i32,
    /// The zone's name as `tzname()` gives it (`"CET"`, `"UTC"`, `"+0100"`).
    pub name: Arc<str>,
    /// The zone key if it has one (`"Europe/Paris"`), for the `e` format.
    pub key: Option<Arc<str>>,
    /// Whether daylight saving time is in effect, when known.
    pub dst: Option<bool>,
}

/// What kind of container an [`Object`] is, where filters care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A sequence (list, tuple, QuerySet, generator already materialised).
    Seq,
    /// A mapping (dict).
    Map,
    /// Anything else (a model instance, a plain object).
    Plain,
}

/// A host object read lazily by the engine. Every method but
/// [`Object::lookup`], [`Object::to_text`] and [`Object::as_any`] has a
/// default, so simple hosts implement little.
///
/// Errors raised by host code are returned as [`crate::Error::host`] with the
/// original exception as payload.
#[allow(clippy::len_without_is_empty)] // emptiness is `is_true`, as in Python
pub trait Object: Send + Sync + fmt::Debug {
    /// Resolve one segment of a dotted variable exactly as Django does for
    /// this object: dictionary key, then attribute, then list index; a
    /// callable result is called unless it has `do_not_call_in_templates`
    /// (an `alters_data` callable resolves to invalid). `Ok(None)` means the
    /// lookup failed (the variable is invalid); `Err` is an exception Django
    /// would not swallow.
    fn lookup(&self, key: &str) -> Result<Option<Value>>;

    /// Python's `str()` of the object, as [`Value::Str`], or
    /// [`Value::SafeStr`] when it has `__html__` (its result is used).
    fn to_text(&self) -> Result<Value>;

    /// The object itself, for hosts to downcast their own types.
    fn as_any(&self) -> &dyn Any;

    /// Container kind.
    fn kind(&self) -> ObjectKind {
        ObjectKind::Plain
    }

    /// The items a `{% for %}` loop visits; `Ok(None)` when not iterable.
    fn iterate(&self) -> Result<Option<Vec<Value>>> {
        Ok(None)
    }

    /// `len()`, when the object has one.
    fn len(&self) -> Result<Option<usize>> {
        Ok(None)
    }

    /// Python truthiness.
    fn is_true(&self) -> Result<bool> {
        Ok(true)
    }

    /// Python's `repr()`, for `pprint`, `stringformat:"r"` and debug output.
    fn repr(&self) -> Result<String> {
        self.to_text()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
    }

    /// Python `==` against another value; `Ok(None)` when the host cannot
    /// tell (the engine then treats the two as unequal).
    fn equals(&self, _other: &Value) -> Result<Option<bool>> {
        Ok(None)
    }

    /// Python ordering against another value; `Ok(None)` when not ordered
    /// (Django's `{% if a < b %}` is then false).
    fn compare(&self, _other: &Value) -> Result<Option<Ordering>> {
        Ok(None)
    }

    /// Python `item in self`; `Ok(None)` when unsupported (then false).
    fn contains(&self, _item: &Value) -> Result<Option<bool>> {
        Ok(None)
    }

    /// A stable identity for keyed list diffs: a model instance's pk.
    fn identity(&self) -> Option<Value> {
        None
    }

    /// Python `self + other` (`other + self` when `reflected`), for the
    /// `add` filter; `Ok(None)` when Python refuses (the filter gives "").
    fn add(&self, _other: &Value, _reflected: bool) -> Result<Option<Value>> {
        Ok(None)
    }
}

#[allow(clippy::len_without_is_empty)] // emptiness is `is_true`, as in Python
impl Value {
    /// A plain (unsafe) string value.
    pub fn text(text: &str) -> Value {
        Value::Str(Arc::from(text))
    }

    /// A string value marked safe.
    pub fn safe(text: &str) -> Value {
        Value::SafeStr(Arc::from(text))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// The text of a `Str` or `SafeStr`; `None` for every other variant.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::SafeStr(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this value is marked safe (never escaped).
    pub fn is_safe(&self) -> bool {
        matches!(self, Value::SafeStr(_))
    }

    /// Whether this is an invalid (undefined) variable.
    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    /// Python truthiness. `Undefined` and `None` are false.
    pub fn is_true(&self) -> Result<bool> {
        Ok(match self {
            Value::Undefined | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Decimal(d) => !decimal_is_zero(d),
            Value::Str(s) | Value::SafeStr(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Map(map) => !map.is_empty(),
            Value::Date(_) | Value::DateTime(_) => true,
            // A time is always true in Python 3.5+.
            Value::Time(_) => true,
            Value::Object(obj) => obj.is_true()?,
        })
    }

    /// Python's `str()` of the value, unlocalised: `True`, `None`, `1.5`,
    /// `1e+16`, `2026-11-26 12:00:00+00:00`. Strings keep their safe mark;
    /// everything else is an unsafe `Str` (objects say for themselves).
    /// Rendering into a page localises first: see `filters::display`.
    pub fn to_text(&self) -> Result<Value> {
        let text = match self {
            Value::Str(_) | Value::SafeStr(_) => return Ok(self.clone()),
            Value::Object(obj) => return obj.to_text(),
            Value::Undefined => String::new(),
            Value::None => "None".to_owned(),
            Value::Bool(true) => "True".to_owned(),
            Value::Bool(false) => "False".to_owned(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => python_float_repr(*f),
            Value::Decimal(d) => d.to_string(),
            Value::List(items) => {
                let mut out = String::from("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&item.repr()?);
                }
                out.push(']');
                out
            }
            Value::Map(map) => {
                let mut out = String::from("{");
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&python_str_repr(k));
                    out.push_str(": ");
                    out.push_str(&v.repr()?);
                }
                out.push('}');
                out
            }
            Value::Date(d) => d.to_string(),
            Value::Time(t) => t.to_string(),
            Value::DateTime(dt) => format!("{} {}", dt.date, dt.time),
        };
        Ok(Value::Str(Arc::from(text)))
    }

    /// One segment of a dotted variable (`a.b`), as Django resolves it:
    /// dict key, then attribute, then list index. Maps also answer `items`,
    /// `keys` and `values` (Django calls the dict methods); lists answer
    /// integer indexes. `Ok(None)` is a failed lookup.
    pub fn get_attr(&self, key: &str) -> Result<Option<Value>> {
        match self {
            Value::Object(obj) => obj.lookup(key),
            Value::Map(map) => Ok(match map.get(key) {
                Some(v) => Some(v.clone()),
                None => match key {
                    "items" => Some(Value::list(
                        map.iter()
                            .map(|(k, v)| Value::list(vec![Value::Str(k.clone()), v.clone()]))
                            .collect(),
                    )),
                    "keys" => Some(Value::list(
                        map.keys().map(|k| Value::Str(k.clone())).collect(),
                    )),
                    "values" => Some(Value::list(map.values().cloned().collect())),
                    _ => None,
                },
            }),
            Value::List(items) => Ok(key
                .parse::<i64>()
                .ok()
                .and_then(|i| if i < 0 { None } else { items.get(i as usize) })
                .cloned()),
            // Django calls `str` methods (`{{ name.upper }}`) and indexes.
            Value::Str(s) | Value::SafeStr(s) => Ok(crate::pystr::attr(s, key)),
            _ => Ok(None),
        }
    }

    /// The items `{% for %}` visits: a list's items, a map's keys (as
    /// Python iterates a dict), a string's characters, an object's items.
    /// `Ok(None)` when the value is not iterable.
    pub fn iterate(&self) -> Result<Option<Vec<Value>>> {
        Ok(match self {
            Value::List(items) => Some(items.as_ref().clone()),
            Value::Map(map) => Some(map.keys().map(|k| Value::Str(k.clone())).collect()),
            Value::Str(s) => Some(s.chars().map(|c| Value::from(c.to_string())).collect()),
            Value::SafeStr(s) => Some(s.chars().map(|c| Value::safe(&c.to_string())).collect()),
            Value::Object(obj) => obj.iterate()?,
            _ => None,
        })
    }

    /// Python's `len()`, when the value has one.
    pub fn len(&self) -> Result<Option<usize>> {
        Ok(match self {
            Value::List(items) => Some(items.len()),
            Value::Map(map) => Some(map.len()),
            Value::Str(s) | Value::SafeStr(s) => Some(s.chars().count()),
            Value::Object(obj) => obj.len()?,
            _ => None,
        })
    }

    /// Python's `repr()` of the value.
    pub fn repr(&self) -> Result<String> {
        Ok(match self {
            Value::Str(s) | Value::SafeStr(s) => python_str_repr(s),
            Value::Decimal(d) => format!("Decimal('{d}')"),
            Value::Object(obj) => obj.repr()?,
            Value::Date(d) => format!("datetime.date({}, {}, {})", d.year, d.month, d.day),
            other => other.to_text()?.as_str().unwrap_or_default().to_owned(),
        })
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::text(text)
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Str(Arc::from(text))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}

/// JSON data (test fixtures, plain contexts) as values: objects become
/// [`Value::Map`] in key order, arrays [`Value::List`].
impl From<&serde_json::Value> for Value {
    fn from(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::from(s.as_str()),
            serde_json::Value::Array(items) => Value::list(items.iter().map(Value::from).collect()),
            serde_json::Value::Object(map) => Value::Map(Arc::new(
                map.iter()
                    .map(|(k, v)| (Arc::from(k.as_str()), Value::from(v)))
                    .collect(),
            )),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Time {
    /// Python's `str(time)`: `HH:MM:SS[.ffffff][+HH:MM]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if self.microsecond != 0 {
            write!(f, ".{:06}", self.microsecond)?;
        }
        if let Some(tz) = &self.tz {
            let sign = if tz.utc_offset < 0 { '-' } else { '+' };
            let off = tz.utc_offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", off / 3600, (off % 3600) / 60)?;
            if off % 60 != 0 {
                write!(f, ":{:02}", off % 60)?;
            }
        }
        Ok(())
    }
}

fn decimal_is_zero(text: &str) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    mantissa
        .chars()
        .filter(|c| c.is_ascii_digit())
        .all(|c| c == '0')
        && mantissa.chars().any(|c| c.is_ascii_digit())
}

/// Python's `repr(float)` (which is also its `str()`): the shortest digits
/// that round-trip, fixed notation for exponents in -4..16, else scientific
/// with a signed two-digit exponent (`1e+16`, `1.5e-05`).
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits ("-1.2345e3"),
    // but when two such strings are equally close it may pick the upper
    // one; Python picks the correctly rounded (half-even) one, which
    // Rust's exact fixed-precision formatting gives for that length.
    let shortest = format!("{f:e}");
    let n_digits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let sci = if n_digits > 1 {
        format!("{:.*e}", n_digits - 1, f)
    } else {
        shortest
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Python's `str.isprintable()` for one character: not a control,
/// format, private-use or separator character (space excepted). Unassigned
/// code points, which Python also escapes, are not known here.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let n = c as u32;
    let format = matches!(
        n,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    );
    let private = matches!(n, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd);
    !(c.is_control() || c.is_whitespace() || format || private)
}

/// Python's `repr(str)`: single quotes unless the text has a single quote
/// and no double quote; backslash escapes for quotes, `\\`, `\n`, `\r`,
/// `\t` and other control characters.
pub fn python_str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let n = c as u32;
                let _ = match n {
                    0..=0xff => write!(out, "\\x{n:02x}"),
                    0x100..=0xffff => write!(out, "\\u{n:04x}"),
                    _ => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (123456.789, "123456.789"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (1e15, "1000000000000000.0"),
            (1.2345e22, "1.2345e+22"),
            (-719302665034502.2, "-719302665034502.2"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(python_float_repr(f), want, "repr({f})");
        }
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(python_str_repr("a"), "'a'");
        assert_eq!(python_str_repr("it's"), "\"it's\"");
        assert_eq!(python_str_repr("'\""), "'\\'\"'");
        assert_eq!(python_str_repr("a\nb\\"), "'a\\nb\\\\'");
    }

    #[test]
    fn truthiness_and_text() {
        assert!(!Value::Decimal(Arc::from("0.00")).is_true().unwrap());
        assert!(Value::Decimal(Arc::from("0.01")).is_true().unwrap());
        assert!(!Value::Undefined.is_true().unwrap());
        let list = Value::list(vec![Value::Int(1), Value::from("a"), Value::None]);
        assert_eq!(list.to_text().unwrap().as_str(), Some("[1, 'a', None]"));
        let tz = TzInfo {
            utc_offset: 3600,
            name: Arc::from("CET"),
            key: None,
            dst: Some(false),
        };
        let dt = DateTime {
            date: Date {
                year: 2026,
                month: 11,
                day: 26,
            },
            time: Time {
                hour: 9,
                minute: 5,
                second: 0,
                microsecond: 12,
                tz: Some(tz),
            },
        };
        assert_eq!(
            Value::DateTime(dt).to_text().unwrap().as_str(),
            Some("2026-11-26 09:05:00.000012+01:00")
        );
    }
}
