//! Python `str` attributes a template can read: `{{ name.upper }}`.
//!
//! Django resolves `s.upper` as `getattr(s, "upper")` and calls the bound
//! method (no arguments), and `s.0` as `s[0]`. Only zero-argument methods
//! whose result Rust reproduces exactly for every string are here; the rest
//! (`isalpha`, `isdigit`... whose Unicode categories differ from Rust's)
//! stay invalid variables.
use crate::value::Value;

/// The value of attribute `key` of the string `s`, or `None` (invalid).
pub(crate) fn attr(s: &str, key: &str) -> Option<Value> {
    let text = |t: String| Some(Value::from(t));
    match key {
        "upper" => text(s.to_uppercase()),
        "lower" => text(s.to_lowercase()),
        "capitalize" => text(capitalize(s)),
        "swapcase" => text(s.chars().map(swapcase).collect()),
        "strip" => text(s.trim_matches(is_space).to_owned()),
        "lstrip" => text(s.trim_start_matches(is_space).to_owned()),
        "rstrip" => text(s.trim_end_matches(is_space).to_owned()),
        "split" => Some(Value::list(
            s.split(is_space)
                .filter(|w| !w.is_empty())
                .map(Value::from)
                .collect(),
        )),
        "isascii" => Some(Value::Bool(s.is_ascii())),
        "isspace" => Some(Value::Bool(!s.is_empty() && s.chars().all(is_space))),
        // At least one cased character, and every cased one in that case.
        "isupper" => Some(Value::Bool(
            s.chars().any(char::is_uppercase)
                && !s.chars().any(|c| c.is_lowercase() || is_title(c)),
        )),
        "islower" => Some(Value::Bool(
            s.chars().any(char::is_lowercase)
                && !s.chars().any(|c| c.is_uppercase() || is_title(c)),
        )),
        _ => {
            // `s.0`: Django falls back to `s[int(key)]`, a one-character str.
            let i: usize = key.parse().ok()?;
            s.chars().nth(i).map(|c| Value::from(c.to_string()))
        }
    }
}

/// Python's `str.isspace` for one character: Rust's whitespace plus the
/// ASCII information separators (U+001C..U+001F), which Python counts.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The title-case letters (general category Lt), which Rust's
/// `is_uppercase`/`is_lowercase` do not include.
fn is_title(c: char) -> bool {
    matches!(
        c,
        'ǅ' | 'ǈ'
            | 'ǋ'
            | 'ǲ'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

/// `str.capitalize`: the first character in title case, the rest lower.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    // Lower the whole string at once so a final sigma sees its context.
    let lower = s.to_lowercase();
    let skip: usize = first.to_lowercase().map(char::len_utf8).sum();
    let mut out = titlecase(first);
    out.push_str(lower.get(skip..).unwrap_or_default());
    out
}

/// Unicode title case of one character: upper case except for the Latin
/// digraphs and ligatures whose title form differs.
fn titlecase(c: char) -> String {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => "ǅ".into(),
        'Ǉ' | 'ǈ' | 'ǉ' => "ǈ".into(),
        'Ǌ' | 'ǋ' | 'ǌ' => "ǋ".into(),
        'Ǳ' | 'ǲ' | 'ǳ' => "ǲ".into(),
        'ß' => "Ss".into(),
        'ﬀ' => "Ff".into(),
        'ﬁ' => "Fi".into(),
        'ﬂ' => "Fl".into(),
        'ﬃ' => "Ffi".into(),
        'ﬄ' => "Ffl".into(),
        'ﬅ' | 'ﬆ' => "St".into(),
        _ => c.to_uppercase().collect(),
    }
}

/// `str.swapcase` for one character.
fn swapcase(c: char) -> String {
    if c.is_uppercase() {
        c.to_lowercase().collect()
    } else if c.is_lowercase() {
        c.to_uppercase().collect()
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::attr;
    use crate::value::Value;

    fn text(s: &str, key: &str) -> String {
        match attr(s, key) {
            Some(Value::Str(t)) => t.to_string(),
            other => panic!("{key} of {s:?}: {other:?}"),
        }
    }

    #[test]
    fn methods_match_python() {
        // Expected values from CPython 3.11.
        assert_eq!(text("straße", "upper"), "STRASSE");
        assert_eq!(text("ΟΔΟΣ", "lower"), "οδος");
        assert_eq!(text("ßIG sTRING", "capitalize"), "Ssig string");
        assert_eq!(text("ǆemal", "capitalize"), "ǅemal");
        assert_eq!(text("ǅ", "swapcase"), "ǅ");
        assert_eq!(text("\u{1c} a b\t\n", "strip"), "a b");
        assert_eq!(text("  a ", "lstrip"), "a ");
        assert_eq!(text("  a ", "rstrip"), "  a");
        assert_eq!(text("héllo", "1"), "é");
        assert!(attr("ab", "2").is_none());
        assert!(attr("ab", "isalpha").is_none());
        let words = attr(" a  b\u{a0}c ", "split").and_then(|v| v.iterate().ok().flatten());
        let words: Vec<String> = words
            .unwrap_or_default()
            .iter()
            .filter_map(|w| w.as_str().map(str::to_owned))
            .collect();
        assert_eq!(words, ["a", "b", "c"]);
        for (s, key, expected) in [
            ("ABC1", "isupper", true),
            ("123", "isupper", false),
            ("Aǅ", "isupper", false),
            ("abc", "islower", true),
            ("", "isspace", false),
            (" \u{1f}", "isspace", true),
        ] {
            assert!(
                matches!(attr(s, key), Some(Value::Bool(b)) if b == expected),
                "{key} of {s:?}"
            );
        }
    }
}
