//! Python's printf-style `format % value` with one value, for the
//! `stringformat` filter: conversions `s r a d i u x X o e E f F g G c %`
//! with flags `#0- +`, width and precision.
use super::text_of;
use crate::error::Result;
use crate::value::Value;

/// Why formatting failed: Python's `TypeError`/`ValueError` (which
/// `stringformat` turns into `''`).
pub(crate) struct FormatError;

/// The widest field or precision accepted.
const MAX_WIDTH: usize = 1_000_000;

#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    space: bool,
    plus: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    conv: char,
}

/// `fmt % value`. `Ok(Err(FormatError))` where Python raises a
/// `TypeError` or `ValueError`; `Err` only for host errors.
pub(crate) fn percent_format(fmt: &str, value: &Value) -> Result<Result<String, FormatError>> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut used = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        // `%(key)s` takes the argument from a mapping.
        let mut keyed = None;
        if chars.peek() == Some(&'(') {
            chars.next();
            let mut key = String::new();
            let mut depth = 1;
            for k in chars.by_ref() {
                match k {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                key.push(k);
            }
            if depth != 0 {
                return Ok(Err(FormatError)); // "incomplete format key"
            }
            let item = match value {
                Value::Map(_) | Value::Object(_) => value.get_attr(&key)?,
                _ => return Ok(Err(FormatError)), // "format requires a mapping"
            };
            match item {
                Some(v) => keyed = Some(v),
                None => {
                    return Err(crate::error::Error::render(format!(
                        "KeyError: {}",
                        crate::value::python_str_repr(&key)
                    )))
                }
            }
        }
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.left = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '+' => spec.plus = true,
                '#' => spec.alt = true,
                _ => break,
            }
            chars.next();
        }
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            spec.width = spec.width.saturating_mul(10).saturating_add(d as usize);
            chars.next();
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p: usize = 0;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                p = p.saturating_mul(10).saturating_add(d as usize);
                chars.next();
            }
            spec.precision = Some(p);
        }
        while matches!(chars.peek(), Some('h' | 'l' | 'L')) {
            chars.next();
        }
        // Python would pad to any size; a template must not make us
        // allocate without bound.
        if spec.width > MAX_WIDTH || spec.precision.is_some_and(|p| p > MAX_WIDTH) {
            return Err(crate::error::Error::render("format width too large"));
        }
        let Some(conv) = chars.next() else {
            return Ok(Err(FormatError)); // "incomplete format"
        };
        spec.conv = conv;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = match &keyed {
            Some(v) => v,
            None => {
                used += 1;
                if used > 1 {
                    return Ok(Err(FormatError)); // "not enough arguments"
                }
                value
            }
        };
        match convert(&spec, arg)? {
            Ok(text) => out.push_str(&text),
            Err(e) => return Ok(Err(e)),
        }
    }
    // A list, dict or object has `__getitem__`: Python takes it as a
    // mapping and does not complain about unused arguments.
    let mapping = matches!(value, Value::List(_) | Value::Map(_) | Value::Object(_));
    if used == 0 && !mapping && !fmt.contains("%(") {
        return Ok(Err(FormatError)); // "not all arguments converted"
    }
    Ok(Ok(out))
}

fn pad(spec: &Spec, body: String) -> String {
    let len = body.chars().count();
    if len >= spec.width {
        return body;
    }
    let fill = " ".repeat(spec.width - len);
    if spec.left {
        body + &fill
    } else {
        fill + &body
    }
}

/// Sign, prefix and digits, padded as Python pads numbers.
fn pad_number(spec: &Spec, neg: bool, prefix: &str, digits: &str, finite: bool) -> String {
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + prefix.len() + digits.chars().count();
    if spec.zero && !spec.left && finite && len < spec.width {
        let zeros = "0".repeat(spec.width - len);
        return format!("{sign}{prefix}{zeros}{digits}");
    }
    pad(spec, format!("{sign}{prefix}{digits}"))
}

/// `int(value)` for `%d`: numbers only.
fn as_int(value: &Value) -> Option<i128> {
    match value {
        Value::Int(_) | Value::Bool(_) | Value::Float(_) | Value::Decimal(_) => {
            super::numbers::py_int(value).ok()
        }
        _ => None,
    }
}

/// `float(value)` for `%f` and friends.
fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(*f),
        Value::Decimal(d) => super::numbers::parse_py_float(d),
        _ => None,
    }
}

fn convert(spec: &Spec, value: &Value) -> Result<Result<String, FormatError>> {
    Ok(Ok(match spec.conv {
        's' | 'r' | 'a' => {
            let text = match spec.conv {
                's' => text_of(value)?.to_string(),
                'r' => value.repr()?,
                _ => ascii(&value.repr()?),
            };
            let text = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            pad(spec, text)
        }
        'd' | 'i' | 'u' => {
            let Some(n) = as_int(value) else {
                return Ok(Err(FormatError));
            };
            let mut digits = n.unsigned_abs().to_string();
            if let Some(p) = spec.precision {
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            pad_number(spec, n < 0, "", &digits, true)
        }
        'x' | 'X' | 'o' => {
            let n = match value {
                Value::Int(i) => i128::from(*i),
                Value::Bool(b) => i128::from(*b),
                _ => return Ok(Err(FormatError)),
            };
            let a = n.unsigned_abs();
            let (mut digits, prefix) = match spec.conv {
                'x' => (format!("{a:x}"), "0x"),
                'X' => (format!("{a:X}"), "0X"),
                _ => (format!("{a:o}"), "0o"),
            };
            if let Some(p) = spec.precision {
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            pad_number(
                spec,
                n < 0,
                if spec.alt { prefix } else { "" },
                &digits,
                true,
            )
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let Some(x) = as_float(value) else {
                return Ok(Err(FormatError));
            };
            let upper = spec.conv.is_ascii_uppercase();
            let prec = spec.precision.unwrap_or(6);
            let digits = if !x.is_finite() {
                if x.is_nan() {
                    "nan".to_owned()
                } else {
                    "inf".to_owned()
                }
            } else {
                match spec.conv.to_ascii_lowercase() {
                    'f' => {
                        let s = format!("{:.*}", prec, x.abs());
                        if spec.alt && prec == 0 {
                            s + "."
                        } else {
                            s
                        }
                    }
                    'e' => sci(x.abs(), prec, spec.alt),
                    _ => general(x.abs(), prec, spec.alt),
                }
            };
            let digits = if upper { digits.to_uppercase() } else { digits };
            let neg = x.is_sign_negative() && !x.is_nan();
            pad_number(spec, neg, "", &digits, x.is_finite())
        }
        'c' => {
            let c = match value {
                Value::Int(i) => match u32::try_from(*i).ok().and_then(char::from_u32) {
                    Some(c) => Some(c),
                    None => {
                        return Err(crate::error::Error::render("%c arg not in range(0x110000)"))
                    }
                },
                Value::Bool(b) => Some(if *b { '\u{1}' } else { '\u{0}' }),
                Value::Str(s) | Value::SafeStr(s) if s.chars().count() == 1 => s.chars().next(),
                _ => None,
            };
            match c {
                Some(c) => pad(spec, c.to_string()),
                None => return Ok(Err(FormatError)),
            }
        }
        _ => return Ok(Err(FormatError)), // "unsupported format character"
    }))
}

/// Python's `ascii()` of a `repr()`: non-ASCII as `\xhh`, `\uhhhh`,
/// `\Uhhhhhhhh`.
fn ascii(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        let n = c as u32;
        if n < 128 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

/// `'%.{prec}e' % x` for a finite non-negative `x`.
fn sci(x: f64, prec: usize, alt: bool) -> String {
    let s = format!("{:.*e}", prec, x);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mant = if alt && prec == 0 {
        format!("{mant}.")
    } else {
        mant.to_owned()
    };
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `'%.{prec}g' % x` for a finite non-negative `x`.
fn general(x: f64, prec: usize, alt: bool) -> String {
    let p = prec.max(1);
    let s = format!("{:.*e}", p - 1, x);
    let exp: i64 = s
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let body = if -4 <= exp && exp < p as i64 {
        format!("{:.*}", (p as i64 - 1 - exp) as usize, x)
    } else {
        sci(x, p - 1, alt)
    };
    if alt {
        if !body.contains('.') && !body.contains('e') {
            return body + ".";
        }
        return body;
    }
    // Strip trailing zeros (and a bare point) from the mantissa.
    let (mant, exp_part) = match body.find('e') {
        Some(i) => (&body[..i], &body[i..]),
        None => (body.as_str(), ""),
    };
    let mant = if mant.contains('.') {
        mant.trim_end_matches('0').trim_end_matches('.')
    } else {
        mant
    };
    format!("{mant}{exp_part}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(f: &str, v: Value) -> String {
        percent_format(f, &v)
            .unwrap()
            .unwrap_or_else(|_| "<err>".into())
    }

    #[test]
    fn formats_like_python() {
        assert_eq!(fmt("%03d", Value::Int(1)), "001");
        assert_eq!(fmt("%-5s|", Value::from("ab")), "ab   |");
        assert_eq!(fmt("%.2f", Value::Float(1.005)), "1.00");
        assert_eq!(fmt("%e", Value::Float(12345.678)), "1.234568e+04");
        assert_eq!(fmt("%g", Value::Float(0.0001)), "0.0001");
        assert_eq!(fmt("%g", Value::Float(1e-5)), "1e-05");
        assert_eq!(fmt("%g", Value::Float(123456789.0)), "1.23457e+08");
        assert_eq!(fmt("%#x", Value::Int(255)), "0xff");
        assert_eq!(fmt("%o", Value::Int(8)), "10");
        assert_eq!(fmt("%+d", Value::Int(5)), "+5");
        assert_eq!(fmt("%r", Value::from("a")), "'a'");
        assert_eq!(fmt("%d", Value::from("a")), "<err>");
        assert_eq!(fmt("%d %d", Value::Int(1)), "<err>");
    }
}
