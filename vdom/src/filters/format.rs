//! `django.utils.numberformat.format`, `formats.number_format` and
//! `formats.localize`.
use super::dates;
use super::decimal::{self, Dec, Parsed};
use crate::error::{Error, Result};
use crate::host::Host;
use crate::value::{python_float_repr, Value};

/// A number as `numberformat.format` receives it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num<'a> {
    /// A Python `int`.
    Int(i64),
    /// A Python `float`.
    Float(f64),
    /// A `Decimal`, as its `str()`.
    Decimal(&'a str),
    /// A string already holding digits (what `floatformat` passes).
    Text(&'a str),
}

/// `get_format(name)`: the active language's value when localising, the
/// setting otherwise.
pub(crate) fn get_format(host: &dyn Host, name: &str, use_l10n: bool) -> String {
    let value = if use_l10n {
        host.format(name)
    } else {
        host.settings_format(name)
    };
    value.unwrap_or_else(|| name.to_owned())
}

/// Django's `formats.number_format(value, decimal_pos, use_l10n,
/// force_grouping)`.
pub fn number_format(
    value: &Value,
    decimal_pos: Option<usize>,
    use_l10n: bool,
    force_grouping: bool,
    host: &dyn Host,
) -> Result<String> {
    let owned;
    let num = match value {
        Value::Int(i) => Num::Int(*i),
        Value::Bool(b) => Num::Int(i64::from(*b)),
        Value::Float(f) => Num::Float(*f),
        Value::Decimal(d) => Num::Decimal(d),
        other => {
            owned = super::text_of(other)?;
            Num::Text(&owned)
        }
    };
    format_num(num, decimal_pos, use_l10n, force_grouping, host)
}

/// Whether `numberformat.format` takes its fast path for an `int`
/// (returning `mark_safe(number)`, a safe string): no grouping and no
/// decimal places.
pub(crate) fn int_fast_path(host: &dyn Host, use_l10n: bool, force_grouping: bool) -> bool {
    !host
        .number_formats(use_l10n)
        .use_grouping(host, force_grouping)
}

/// `number_format` on a [`Num`].
pub(crate) fn format_num(
    num: Num<'_>,
    decimal_pos: Option<usize>,
    use_l10n: bool,
    force_grouping: bool,
    host: &dyn Host,
) -> Result<String> {
    let formats = host.number_formats(use_l10n);
    let use_grouping = formats.use_grouping(host, force_grouping);
    if let (Num::Int(i), false, None | Some(0)) = (num, use_grouping, decimal_pos) {
        // Django returns `mark_safe(number)` here: see `int_fast_path`.
        return Ok(i.to_string());
    }
    let grouping = formats.grouping(host);
    let spec = Spec {
        decimal_sep: formats.decimal_separator(host),
        decimal_pos,
        grouping: &grouping.sizes,
        thousand_sep: if use_grouping {
            &grouping.separator
        } else {
            ""
        },
        use_grouping,
    };
    spec.format(num)
}

/// The arguments of `numberformat.format`.
pub(crate) struct Spec<'a> {
    pub decimal_sep: &'a str,
    pub decimal_pos: Option<usize>,
    pub grouping: &'a [usize],
    pub thousand_sep: &'a str,
    pub use_grouping: bool,
}

impl Spec<'_> {
    /// `numberformat.format(number, ...)`.
    pub fn format(&self, num: Num<'_>) -> Result<String> {
        let str_number = match num {
            Num::Int(i) => i.to_string(),
            Num::Text(t) => {
                if t.is_empty() {
                    return Ok(String::new());
                }
                t.to_owned()
            }
            Num::Float(f) => {
                let repr = python_float_repr(f);
                if repr.contains('e') {
                    return self.format_decimal(&repr);
                }
                repr
            }
            Num::Decimal(d) => return self.format_decimal(d),
        };
        Ok(self.assemble(&str_number))
    }

    fn format_decimal(&self, text: &str) -> Result<String> {
        let mut dec = match decimal::parse(text) {
            Some(Parsed::Finite(d)) => d,
            // Python fails on `abs(exponent)` of a NaN/Infinity tuple.
            _ => {
                return Err(Error::render(
                    "bad operand type for abs(): 'str'".to_owned(),
                ))
            }
        };
        if let Some(pos) = self.decimal_pos {
            if dec.abs_below_unit(pos.max(1)) {
                dec = Dec {
                    neg: false,
                    digits: vec![0],
                    exp: 0,
                };
            }
        }
        if dec.exp.unsigned_abs() as usize + dec.digits.len() > 200 {
            let (coeff, exp) = dec.to_sci();
            let coeff = self.assemble(&coeff);
            return Ok(format!("{coeff}e{exp}"));
        }
        Ok(self.assemble(&dec.to_fixed()))
    }

    /// The sign / decimal part / grouping steps on a plain number string.
    fn assemble(&self, str_number: &str) -> String {
        let (sign, body) = match str_number.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", str_number),
        };
        let (int_part, mut dec_part) = match body.split_once('.') {
            Some((i, d)) => {
                let d = match self.decimal_pos {
                    Some(pos) => d.chars().take(pos).collect(),
                    None => d.to_owned(),
                };
                (i, d)
            }
            None => (body, String::new()),
        };
        if let Some(pos) = self.decimal_pos {
            let have = dec_part.chars().count();
            dec_part.extend(std::iter::repeat_n('0', pos.saturating_sub(have)));
        }
        let mut out = String::from(sign);
        if self.use_grouping {
            out.push_str(&group(int_part, self.grouping, self.thousand_sep));
        } else {
            out.push_str(int_part);
        }
        if !dec_part.is_empty() {
            out.push_str(self.decimal_sep);
            out.push_str(&dec_part);
        }
        out
    }
}

/// The grouping loop of `numberformat.format`.
pub(crate) fn group(int_part: &str, grouping: &[usize], sep: &str) -> String {
    let mut intervals: Vec<usize> = if grouping.len() == 1 {
        vec![grouping[0], 0]
    } else {
        grouping.to_vec()
    };
    let mut active = intervals.remove(0);
    let rev_sep: String = sep.chars().rev().collect();
    let mut out = String::new();
    let mut cnt = 0;
    for digit in int_part.chars().rev() {
        if cnt != 0 && cnt == active {
            if !intervals.is_empty() {
                let next = intervals.remove(0);
                if next != 0 {
                    active = next;
                }
            }
            out.push_str(&rev_sep);
            cnt = 0;
        }
        out.push(digit);
        cnt += 1;
    }
    out.chars().rev().collect()
}

/// Django's `formats.localize(value, use_l10n)` for the types it changes:
/// `Some(text)` for numbers, dates and times, `None` for the rest (which
/// render as their `str()`).
pub fn localize(value: &Value, host: &dyn Host, use_l10n: bool) -> Result<Option<String>> {
    Ok(Some(match value {
        Value::Int(_) | Value::Float(_) | Value::Decimal(_) => {
            if !use_l10n {
                return Ok(Some(super::text_of(value)?.to_string()));
            }
            number_format(value, None, true, false, host)?
        }
        Value::DateTime(_) => dates::date_format(value, "DATETIME_FORMAT", use_l10n, host)?,
        Value::Date(_) => dates::date_format(value, "DATE_FORMAT", use_l10n, host)?,
        Value::Time(_) => dates::time_format(value, "TIME_FORMAT", use_l10n, host)?,
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::DefaultHost;

    fn spec<'a>(pos: Option<usize>, grouping: &'a [usize], sep: &'a str) -> Spec<'a> {
        Spec {
            decimal_sep: ".",
            decimal_pos: pos,
            grouping,
            thousand_sep: sep,
            use_grouping: grouping.iter().any(|g| *g != 0),
        }
    }

    // Cases from Django's tests/utils_tests/test_numberformat.py.
    #[test]
    fn format_number() {
        let f = |n, pos, g: &[usize], sep| spec(pos, g, sep).format(n).unwrap();
        assert_eq!(f(Num::Int(1234), None, &[], ""), "1234");
        assert_eq!(f(Num::Float(1234.2), None, &[], ""), "1234.2");
        assert_eq!(f(Num::Int(1234), Some(2), &[], ""), "1234.00");
        assert_eq!(f(Num::Float(1234.2), Some(2), &[], ""), "1234.20");
        assert_eq!(f(Num::Int(1234), Some(0), &[], ""), "1234");
        assert_eq!(f(Num::Int(1234), None, &[2], ","), "12,34");
        assert_eq!(f(Num::Int(-1234), Some(2), &[], ""), "-1234.00");
        assert_eq!(
            f(Num::Text("10000"), None, &[3], "thousand"),
            "10thousand000"
        );
        assert_eq!(
            f(Num::Text("1234567890"), None, &[3, 2, 0], ","),
            "1,23,45,67,890"
        );
        assert_eq!(
            f(Num::Text("1234567890"), None, &[3, 2, 1, 0], ","),
            "1,2,3,4,5,67,890"
        );
        assert_eq!(f(Num::Float(1e16), None, &[], ""), "10000000000000000");
        assert_eq!(f(Num::Float(1e-10), Some(8), &[], ""), "0.00000000");
        assert_eq!(f(Num::Decimal("1.5E+200"), None, &[], ""), "1.5e+200");
        assert_eq!(f(Num::Decimal("-0.00009"), Some(4), &[], ""), "0.0000");
        assert_eq!(f(Num::Decimal("9e-19"), Some(2), &[], ""), "0.00");
        assert_eq!(f(Num::Decimal("1234"), None, &[], ""), "1234");
    }

    #[test]
    fn localize_default_host() {
        let h = DefaultHost;
        assert_eq!(
            localize(&Value::Float(1234.5), &h, true)
                .unwrap()
                .as_deref(),
            Some("1234.5")
        );
        assert_eq!(localize(&Value::from("x"), &h, true).unwrap(), None);
    }
}
