//! The part of Python's `decimal` that `floatformat` and `number_format`
//! use, on exact digit strings: parse like `Decimal(str)`, `as_tuple()`,
//! `quantize(..., ROUND_HALF_UP)` and `'{:f}'.format(d)`.

/// A finite decimal number `(-1)^neg * digits * 10^exp`, as Python's
/// `Decimal.as_tuple()` sees it (digits keep their leading zeros only for
/// zero itself, as Python normalises them away).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dec {
    /// The sign bit (Python keeps it for `-0`).
    pub neg: bool,
    /// The coefficient digits, most significant first, each 0..=9.
    pub digits: Vec<u8>,
    /// The exponent.
    pub exp: i64,
}

/// What `Decimal(text)` gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A finite number.
    Finite(Dec),
    /// `NaN`, `sNaN` or an infinity (Python's `exponent` is a letter).
    Special,
}

/// Python's `Decimal(text)`: `None` when Python raises `InvalidOperation`.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    let t = text.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan" | "snan")
        || ((lower.starts_with("nan") || lower.starts_with("snan"))
            && lower
                .trim_start_matches('s')
                .trim_start_matches("nan")
                .bytes()
                .all(|b| b.is_ascii_digit()))
    {
        return Some(Parsed::Special);
    }
    let body = strip_underscores(body)?;
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e = &body[i + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (&body[..i], e.parse::<i64>().ok()?)
        }
        None => (body.as_str(), 0),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac.bytes())
        .map(|b| b - b'0')
        .collect();
    let first_nonzero = digits.iter().position(|d| *d != 0);
    match first_nonzero {
        Some(i) => {
            digits.drain(..i);
        }
        None => digits = vec![0],
    }
    Some(Parsed::Finite(Dec {
        neg,
        digits,
        exp: exp.saturating_sub(frac.len() as i64),
    }))
}

/// Python allows single underscores between digits in numeric literals.
fn strip_underscores(text: &str) -> Option<String> {
    if !text.contains('_') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let ok = i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if !ok {
                return None;
            }
        } else {
            out.push(b as char);
        }
    }
    Some(out)
}

impl Dec {
    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.iter().all(|d| *d == 0)
    }

    /// Whether the value has no fractional part (`int(d) == d`).
    pub fn is_integral(&self) -> bool {
        if self.exp >= 0 {
            return true;
        }
        let frac = (-self.exp) as usize;
        let n = self.digits.len();
        self.digits[n.saturating_sub(frac)..]
            .iter()
            .all(|d| *d == 0)
    }

    /// The integer part's digits (`int(d)` without sign), `"0"` for none.
    pub fn int_digits(&self) -> String {
        let mut s: String = if self.exp >= 0 {
            let mut s: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
            s.extend(std::iter::repeat_n('0', self.exp as usize));
            s
        } else {
            let keep = self.digits.len() as i64 + self.exp;
            if keep <= 0 {
                String::new()
            } else {
                self.digits[..keep as usize]
                    .iter()
                    .map(|d| (b'0' + d) as char)
                    .collect()
            }
        };
        let trimmed = s.trim_start_matches('0').len();
        if trimmed == 0 {
            return "0".to_owned();
        }
        s.drain(..s.len() - trimmed);
        s
    }

    /// `quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)`.
    pub fn quantize_half_up(&self, places: i64) -> Dec {
        let target = -places;
        let mut digits = self.digits.clone();
        if self.exp >= target {
            digits.extend(std::iter::repeat_n(0, (self.exp - target) as usize));
        } else {
            let drop = (target - self.exp) as usize;
            let round_up = if drop > digits.len() {
                false
            } else {
                digits[digits.len() - drop] >= 5
            };
            digits.truncate(digits.len().saturating_sub(drop));
            if round_up {
                let mut i = digits.len();
                loop {
                    if i == 0 {
                        digits.insert(0, 1);
                        break;
                    }
                    i -= 1;
                    if digits[i] == 9 {
                        digits[i] = 0;
                    } else {
                        digits[i] += 1;
                        break;
                    }
                }
            }
        }
        let first_nonzero = digits.iter().position(|d| *d != 0);
        match first_nonzero {
            Some(i) => {
                digits.drain(..i);
            }
            None => digits = vec![0],
        }
        Dec {
            neg: self.neg,
            digits,
            exp: target,
        }
    }

    /// `'{:f}'.format(d)`: fixed notation with exactly the exponent's
    /// digits after the point.
    pub fn to_fixed(&self) -> String {
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        let ds: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
        if self.exp >= 0 {
            out.push_str(&ds);
            out.extend(std::iter::repeat_n('0', self.exp as usize));
        } else {
            let frac = (-self.exp) as usize;
            if ds.len() > frac {
                out.push_str(&ds[..ds.len() - frac]);
                out.push('.');
                out.push_str(&ds[ds.len() - frac..]);
            } else {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', frac - ds.len()));
                out.push_str(&ds);
            }
        }
        out
    }

    /// `'{:e}'.format(d)`: the coefficient digits in scientific notation.
    pub fn to_sci(&self) -> (String, String) {
        let mut coeff = String::new();
        if self.neg {
            coeff.push('-');
        }
        let ds: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
        coeff.push_str(&ds[..1]);
        if ds.len() > 1 {
            coeff.push('.');
            coeff.push_str(&ds[1..]);
        }
        let adjusted = self.exp + ds.len() as i64 - 1;
        let exp = if adjusted < 0 {
            format!("-{}", -adjusted)
        } else {
            format!("+{adjusted}")
        };
        (coeff, exp)
    }

    /// Whether `|d| < 10^-places` (too small to show at that precision).
    pub fn abs_below_unit(&self, places: usize) -> bool {
        if self.is_zero() {
            return true;
        }
        // The most significant digit sits at 10^(exp + len - 1).
        self.exp.saturating_add(self.digits.len() as i64 - 1) < -(places as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fin(text: &str) -> Dec {
        match parse(text) {
            Some(Parsed::Finite(d)) => d,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn parses_like_python() {
        assert_eq!(
            fin("-1.50"),
            Dec {
                neg: true,
                digits: vec![1, 5, 0],
                exp: -2
            }
        );
        assert_eq!(fin("1E+2").to_fixed(), "100");
        assert_eq!(fin("0.000").digits, vec![0]);
        assert_eq!(fin(" 1_000 ").to_fixed(), "1000");
        assert_eq!(parse("NaN"), Some(Parsed::Special));
        assert_eq!(parse("-Infinity"), Some(Parsed::Special));
        assert_eq!(parse("1e"), None);
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("."), None);
    }

    #[test]
    fn quantizes_half_up() {
        assert_eq!(fin("1.005").quantize_half_up(2).to_fixed(), "1.01");
        assert_eq!(fin("-2.5").quantize_half_up(0).to_fixed(), "-3");
        assert_eq!(fin("9.999").quantize_half_up(2).to_fixed(), "10.00");
        assert_eq!(fin("0.0001").quantize_half_up(2).to_fixed(), "0.00");
        assert_eq!(fin("1E+5").quantize_half_up(2).to_fixed(), "100000.00");
        assert_eq!(fin("1.5E-7").to_fixed(), "0.00000015");
        assert_eq!(fin("123.456").int_digits(), "123");
        assert_eq!(fin("0.5").int_digits(), "0");
        assert!(fin("2.000").is_integral());
    }
}
