//! `default`, `default_if_none`, `yesno` and `pluralize`.
use super::numbers::parse_py_float;
use super::{out, req, text_of, FilterCtx};
use crate::error::Result;
use crate::value::Value;

pub(crate) fn default(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    if value.is_true()? {
        Ok(value)
    } else {
        Ok(req(arg))
    }
}

pub(crate) fn default_if_none(
    _: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    Ok(match value {
        Value::None => req(arg),
        // An invalid variable reached the filter as Django's `''`.
        Value::Undefined => out(""),
        other => other,
    })
}

pub(crate) fn yesno(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let arg = match &arg {
        Some(a) => text_of(a)?.to_string(),
        None => ctx.host.gettext("yes,no,maybe"),
    };
    let bits: Vec<&str> = arg.split(',').collect();
    if bits.len() < 2 {
        return Ok(value);
    }
    let (yes, no, maybe) = if bits.len() == 3 {
        (bits[0], bits[1], bits[2])
    } else {
        (bits[0], bits[1], bits[1])
    };
    Ok(out(if matches!(value, Value::None) {
        maybe
    } else if value.is_true()? {
        yes
    } else {
        no
    }))
}

pub(crate) fn pluralize(_: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    let mut arg = match &arg {
        Some(a) => text_of(a)?.to_string(),
        None => "s".to_owned(),
    };
    if !arg.contains(',') {
        arg.insert(0, ',');
    }
    let bits: Vec<&str> = arg.split(',').collect();
    if bits.len() > 2 {
        return Ok(out(""));
    }
    let (singular, plural) = (bits[0], bits[1]);
    let pick = |one: bool| out(if one { singular } else { plural });
    let number = match &value {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(*f),
        Value::Decimal(d) => parse_py_float(d),
        // float(str) raising ValueError: no suffix at all.
        Value::Str(s) | Value::SafeStr(s) => match parse_py_float(s) {
            Some(f) => Some(f),
            None => return Ok(out("")),
        },
        Value::Undefined => return Ok(out("")),
        _ => None,
    };
    if let Some(f) = number {
        return Ok(pick(f == 1.0));
    }
    Ok(match value.len()? {
        Some(n) => pick(n == 1),
        None => out(""),
    })
}
