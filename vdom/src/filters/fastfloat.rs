//! `floatformat` of an ordinary `float` or `int` on integers.
//!
//! Django turns the number into `Decimal(repr(x))` and quantizes it with
//! `ROUND_HALF_UP`. For magnitudes where `repr` is fixed-point and the
//! result fits 128 bits, the same rounding on the shortest round-trip
//! digits as an integer gives the same text without building decimal
//! digit vectors; everything else takes the exact decimal path.
use std::fmt::Write as _;

use super::format::group;
use crate::host::Host;

/// The most decimal places the integer path handles.
const MAX_PLACES: u32 = 15;

/// A number as `sign * mantissa * 10^exp`, from its shortest digits.
struct Digits {
    neg: bool,
    mantissa: u64,
    exp: i32,
}

/// A fixed buffer for one `{:e}` rendering of an `f64` (at most 24 bytes).
struct Buf {
    bytes: [u8; 32],
    len: usize,
}

impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The shortest round-trip digits of `f` (what Python's `repr` prints),
/// for `f` zero or with `1e-4 <= |f| < 1e15`.
fn float_digits(f: f64) -> Option<Digits> {
    let a = f.abs();
    if !(a == 0.0 || (1e-4..1e15).contains(&a)) {
        return None;
    }
    let mut buf = Buf {
        bytes: [0; 32],
        len: 0,
    };
    write!(buf, "{f:e}").ok()?;
    // As in `value::python_float_repr`: Rust's shortest digits may take the
    // upper of two equally close strings; Python takes the correctly rounded
    // (half-even) one, which exact formatting at that length gives.
    let n_digits = buf.bytes[..buf.len]
        .iter()
        .take_while(|b| **b != b'e')
        .filter(|b| b.is_ascii_digit())
        .count();
    if n_digits > 1 {
        buf.len = 0;
        write!(buf, "{:.*e}", n_digits - 1, f).ok()?;
    }
    let text = buf.bytes.get(..buf.len)?;
    let (neg, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let e = text.iter().position(|b| *b == b'e')?;
    let mut mantissa: u64 = 0;
    let mut n = 0i32;
    for &b in &text[..e] {
        if b.is_ascii_digit() {
            mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            n += 1;
        }
    }
    let exp10: i32 = std::str::from_utf8(&text[e + 1..]).ok()?.parse().ok()?;
    Some(Digits {
        neg,
        mantissa,
        exp: exp10 - (n - 1),
    })
}

fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

/// `floatformat(value, p)` for a float (`None` when the integer path does
/// not apply): the text `number_format` makes of Django's rounded number.
pub(crate) fn floatformat_float(
    f: f64,
    p: i64,
    use_l10n: bool,
    force_grouping: bool,
    host: &dyn Host,
) -> Option<String> {
    let d = float_digits(f)?;
    format_digits(d, p, use_l10n, force_grouping, host)
}

/// `floatformat(value, p)` for an int with fewer than 16 digits.
pub(crate) fn floatformat_int(
    i: i64,
    p: i64,
    use_l10n: bool,
    force_grouping: bool,
    host: &dyn Host,
) -> Option<String> {
    if i.unsigned_abs() >= 1_000_000_000_000_000 {
        return None;
    }
    let d = Digits {
        neg: i < 0,
        mantissa: i.unsigned_abs(),
        exp: 0,
    };
    format_digits(d, p, use_l10n, force_grouping, host)
}

fn format_digits(
    d: Digits,
    p: i64,
    use_l10n: bool,
    force_grouping: bool,
    host: &dyn Host,
) -> Option<String> {
    let places = u32::try_from(p.unsigned_abs()).ok()?;
    if places > MAX_PLACES {
        return None;
    }
    let m = u128::from(d.mantissa);
    // `int(d) == d`: no fractional digit is non-zero.
    let integral = d.exp >= 0 || m % pow10(d.exp.unsigned_abs())? == 0;
    let (scaled, places) = if integral && p <= 0 {
        // Django formats `"%d" % int(d)` with no decimal places.
        let int = if d.exp >= 0 {
            m * pow10(d.exp.unsigned_abs())?
        } else {
            m / pow10(d.exp.unsigned_abs())?
        };
        (int, 0)
    } else {
        // `d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)`, as an
        // integer count of 10^-places.
        let shift = d.exp + places as i32;
        let q = if shift >= 0 {
            m.checked_mul(pow10(shift.unsigned_abs())?)?
        } else {
            let drop = shift.unsigned_abs();
            let q = m / pow10(drop)?;
            let first_dropped = (m / pow10(drop - 1)?) % 10;
            q + u128::from(first_dropped >= 5)
        };
        (q, places)
    };
    let formats = host.number_formats(use_l10n);
    let unit = pow10(places)?;
    let mut out = String::with_capacity(24);
    // Django drops the sign of a result that rounds to zero.
    if d.neg && scaled != 0 {
        out.push('-');
    }
    let int = scaled / unit;
    if formats.use_grouping(host, force_grouping) {
        let grouping = formats.grouping(host);
        out.push_str(&group(
            &int.to_string(),
            &grouping.sizes,
            &grouping.separator,
        ));
    } else {
        // Below 10^15 × 10^15 / 10^places: a u64 unless places is tiny.
        match u64::try_from(int) {
            Ok(small) => write!(out, "{small}").ok()?,
            Err(_) => write!(out, "{int}").ok()?,
        }
    }
    if places > 0 {
        out.push_str(formats.decimal_separator(host));
        let frac = u64::try_from(scaled % unit).ok()?;
        write!(out, "{frac:0width$}", width = places as usize).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::filters::numbers::floatformat_decimal;
    use crate::filters::FilterCtx;
    use crate::host::DefaultHost;
    use crate::value::Value;

    /// A locale with grouping on and other separators (`de`-like, Indian
    /// grouping), to check grouping and separators on the integer path.
    struct Grouping;

    impl Host for Grouping {
        fn format(&self, name: &str) -> Option<String> {
            Some(
                match name {
                    "USE_THOUSAND_SEPARATOR" => "True",
                    "DECIMAL_SEPARATOR" => ",",
                    "THOUSAND_SEPARATOR" => ".",
                    "NUMBER_GROUPING" => "3,2,0",
                    _ => return None,
                }
                .to_owned(),
            )
        }
    }

    /// The decimal path's answer, as text.
    fn slow(host: &dyn Host, value: Value, p: i64, l10n: bool, grouping: bool) -> String {
        let ctx = FilterCtx {
            autoescape: true,
            host,
        };
        let v = floatformat_decimal(&ctx, value, Value::Int(p), l10n, grouping).unwrap();
        v.as_str().unwrap().to_owned()
    }

    fn check(value: Value, p: i64) {
        for host in [&DefaultHost as &dyn Host, &Grouping] {
            for (l10n, grouping) in [(true, false), (false, true), (true, true)] {
                let fast = match value {
                    Value::Float(f) => floatformat_float(f, p, l10n, grouping, host),
                    Value::Int(i) => floatformat_int(i, p, l10n, grouping, host),
                    _ => None,
                };
                if let Some(fast) = fast {
                    assert_eq!(
                        fast,
                        slow(host, value.clone(), p, l10n, grouping),
                        "floatformat({value:?}, {p})"
                    );
                }
            }
        }
    }

    #[test]
    fn rounding_edges_match_the_decimal_path() {
        for f in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.005,
            2.675,
            -2.675,
            0.125,
            0.0001,
            0.00049,
            0.00051,
            9.995,
            99.995,
            -99.995,
            34.23234,
            34.26000,
            1234.5678,
            1e14,
            999999999999999.9,
            123456789.125,
            -0.004,
            66666.666,
            1.25,
            13.1031,
        ] {
            for p in -16..=16 {
                check(Value::Float(f), p);
            }
        }
        for i in [0, 7, -7, 1234567, -999_999_999_999_999] {
            for p in -3..=3 {
                check(Value::Int(i), p);
            }
        }
    }

    #[test]
    fn covers_the_common_cases() {
        assert_eq!(
            floatformat_float(2.675, 2, true, false, &DefaultHost).as_deref(),
            Some("2.68")
        );
        assert_eq!(
            floatformat_float(-0.004, 2, true, false, &DefaultHost).as_deref(),
            Some("0.00")
        );
        assert_eq!(
            floatformat_float(1234567.5, -2, true, true, &Grouping).as_deref(),
            Some("12.34.567,50")
        );
        assert_eq!(floatformat_float(1e15, 2, true, false, &DefaultHost), None);
        assert_eq!(floatformat_float(0.5, 16, true, false, &DefaultHost), None);
    }

    proptest! {
        #[test]
        fn floats_match_the_decimal_path(f in -1e15f64..1e15, p in -16i64..=16) {
            check(Value::Float(f), p);
        }

        #[test]
        fn short_decimals_match_the_decimal_path(n in -10_000_000i64..10_000_000, scale in 0u32..6, p in -6i64..=6) {
            // Values like 12.345 whose repr ends in a 5 exercise half-up.
            check(Value::Float(n as f64 / 10f64.powi(scale as i32)), p);
        }

        #[test]
        fn ints_match_the_decimal_path(i in any::<i64>(), p in -16i64..=16) {
            check(Value::Int(i), p);
        }
    }
}
