//! Python `str` behaviour the filters rely on (`isspace`, `split`,
//! `splitlines`, `title`, `quote`) and `django.utils.text` helpers
//! (`Truncator` for plain text, `wrap`, `slugify`).
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

use crate::host::Host;

/// Python's `str.isspace()` for one character.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.split()` with no separator.
pub(crate) fn py_split(text: &str) -> Vec<&str> {
    text.split(py_isspace).filter(|s| !s.is_empty()).collect()
}

/// Python's `str.strip()` with no argument.
pub(crate) fn py_strip(text: &str) -> &str {
    text.trim_matches(py_isspace)
}

/// Python's `str.splitlines()`.
pub(crate) fn py_splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&text[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    end = j + 1;
                }
            }
            start = end;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase()
}

/// Python's `str.title()`.
pub(crate) fn py_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_cased = false;
    for c in text.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(title_case(c));
        }
        prev_cased = is_cased(c);
    }
    out
}

/// Title case of one character (`ǆ` → `ǅ`, else upper case).
fn title_case(c: char) -> Vec<char> {
    match c {
        'ǆ' | 'ǅ' | 'Ǆ' => vec!['ǅ'],
        'ǉ' | 'ǈ' | 'Ǉ' => vec!['ǈ'],
        'ǌ' | 'ǋ' | 'Ǌ' => vec!['ǋ'],
        'ǳ' | 'ǲ' | 'Ǳ' => vec!['ǲ'],
        'ß' => vec!['S', 's'],
        'ﬀ' => vec!['F', 'f'],
        'ﬁ' => vec!['F', 'i'],
        'ﬂ' => vec!['F', 'l'],
        'ﬃ' => vec!['F', 'f', 'i'],
        'ﬄ' => vec!['F', 'f', 'l'],
        'ﬅ' | 'ﬆ' => vec!['S', 't'],
        'ŉ' => vec!['ʼ', 'N'],
        'և' => vec!['Ե', 'ւ'],
        'ﬓ' => vec!['Մ', 'ն'],
        'ﬔ' => vec!['Մ', 'ե'],
        'ﬕ' => vec!['Մ', 'ի'],
        'ﬖ' => vec!['Վ', 'ն'],
        'ﬗ' => vec!['Մ', 'խ'],
        c => c.to_uppercase().collect(),
    }
}

/// Python's `str.upper()`.
pub(crate) fn py_upper(text: &str) -> String {
    text.to_uppercase()
}

/// Python's `str.lower()`.
pub(crate) fn py_lower(text: &str) -> String {
    text.to_lowercase()
}

/// `urllib.parse.quote(text, safe)`: UTF-8 bytes, `%XX` upper case;
/// letters, digits and `_.-~` are never quoted.
pub(crate) fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        let c = b as char;
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || (b < 128 && safe.contains(c)) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `unicodedata.combining(c) != 0`.
pub(crate) fn is_combining(c: char) -> bool {
    canonical_combining_class(c) != 0
}

/// `Truncator.add_truncation_text`.
pub(crate) fn add_truncation_text(host: &dyn Host, text: &str, truncate: Option<&str>) -> String {
    let truncate = match truncate {
        Some(t) => t.to_owned(),
        None => host.pgettext(
            "String to return when truncating text",
            "%(truncated_text)s…",
        ),
    };
    if truncate.contains("%(truncated_text)s") {
        return truncate.replace("%(truncated_text)s", text);
    }
    if text.ends_with(&truncate) {
        return text.to_owned();
    }
    format!("{text}{truncate}")
}

/// How many non-combining characters the truncation text takes, capped at
/// `length` (the `truncate_len` of `Truncator.chars`).
pub(crate) fn truncate_len(host: &dyn Host, length: usize, truncate: Option<&str>) -> usize {
    let mut left = length;
    for c in add_truncation_text(host, "", truncate).chars() {
        if !is_combining(c) {
            left -= 1;
            if left == 0 {
                break;
            }
        }
    }
    left
}

/// `Truncator(text).chars(length)` for plain text.
pub(crate) fn truncate_chars(host: &dyn Host, text: &str, length: i64) -> String {
    if length <= 0 {
        return String::new();
    }
    let length = length as usize;
    let text: String = text.nfc().collect();
    let tlen = truncate_len(host, length, None);
    let mut s_len = 0;
    let mut end_index = None;
    for (i, c) in text.char_indices() {
        if is_combining(c) {
            continue;
        }
        s_len += 1;
        if end_index.is_none() && s_len > tlen {
            end_index = Some(i);
        }
        if s_len > length {
            return add_truncation_text(host, &text[..end_index.unwrap_or(0)], None);
        }
    }
    text
}

/// `Truncator(text).words(length, truncate=" …")` for plain text.
pub(crate) fn truncate_words(host: &dyn Host, text: &str, length: i64) -> String {
    if length <= 0 {
        return String::new();
    }
    let words = py_split(text);
    if words.len() > length as usize {
        let joined = words[..length as usize].join(" ");
        return add_truncation_text(host, &joined, Some(" …"));
    }
    words.join(" ")
}

/// `django.utils.text.wrap(text, width)`: `textwrap.TextWrapper` with
/// long words kept whole, per existing line.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut result: Vec<String> = Vec::new();
    for line in py_splitlines(text) {
        let wrapped = wrap_line(line, width);
        if wrapped.is_empty() {
            result.push(line.to_owned());
        } else {
            result.extend(wrapped);
        }
    }
    if text.ends_with('\n') {
        result.push(String::new());
    }
    result.join("\n")
}

/// `str.expandtabs(8)`.
fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// `TextWrapper.wrap` (no hyphen breaking, whitespace kept, long words
/// whole).
fn wrap_line(line: &str, width: usize) -> Vec<String> {
    let text = expand_tabs(line);
    // `wordsep_simple_re`: runs of ASCII whitespace and the rest.
    let is_ws = |c: char| matches!(c, '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ');
    let mut chunks: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_ws = None;
    for c in text.chars() {
        let ws = is_ws(c);
        if cur_ws != Some(ws) && !cur.is_empty() {
            chunks.push(std::mem::take(&mut cur));
        }
        cur_ws = Some(ws);
        cur.push(c);
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks.reverse();
    let clen = |s: &String| s.chars().count();
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<String> = Vec::new();
        let mut cur_len = 0;
        if chunks.last().is_some_and(|c| py_strip(c).is_empty()) && !lines.is_empty() {
            chunks.pop();
        }
        while let Some(last) = chunks.last() {
            let l = clen(last);
            if cur_len + l <= width {
                cur_len += l;
                if let Some(c) = chunks.pop() {
                    cur_line.push(c);
                }
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| clen(c) > width) && cur_line.is_empty() {
            if let Some(c) = chunks.pop() {
                cur_line.push(c);
            }
        }
        if cur_line.last().is_some_and(|c| py_strip(c).is_empty()) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(cur_line.concat());
        }
    }
    lines
}

/// `django.utils.text.slugify(value)` (ASCII).
pub(crate) fn slugify(value: &str) -> String {
    let ascii: String = value.nfkd().filter(char::is_ascii).collect();
    let lowered = ascii.to_lowercase();
    let kept: String = lowered
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || py_isspace(*c))
        .collect();
    let mut out = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.chars() {
        if c == '-' || py_isspace(c) {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim_matches(['-', '_']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::DefaultHost;

    // Cases from Django's tests/utils_tests/test_text.py.
    #[test]
    fn wraps_like_django() {
        assert_eq!(wrap("1234 67 9", 100), "1234 67 9");
        assert_eq!(wrap("1234 67 9", 9), "1234 67 9");
        assert_eq!(wrap("1234 67 9", 8), "1234 67\n9");
        assert_eq!(wrap("short\na long line", 7), "short\na long\nline");
        assert_eq!(
            wrap("do-not-break-long-words please? ok", 8),
            "do-not-break-long-words\nplease?\nok"
        );
        let long_word = "l".repeat(20);
        assert_eq!(
            wrap(&format!("{long_word} and more"), 10),
            format!("{long_word}\nand more")
        );
    }

    #[test]
    fn truncates_like_django() {
        let h = DefaultHost;
        let text = "The quick brown fox jumped over the lazy dog.";
        assert_eq!(truncate_chars(&h, text, 100), text);
        assert_eq!(truncate_chars(&h, text, 21), "The quick brown fox …");
        assert_eq!(truncate_words(&h, text, 4), "The quick brown fox …");
        assert_eq!(truncate_chars(&h, "oüoüoüoü", 3), "oü…");
    }

    #[test]
    fn slugifies() {
        assert_eq!(
            slugify(" Jack & Jill like numbers 1,2,3 and 4 and silly characters ?%.$!/"),
            "jack-jill-like-numbers-123-and-4-and-silly-characters"
        );
        assert_eq!(
            slugify("Un \u{e9}l\u{e9}phant \u{e0} l'or\u{e9}e du bois"),
            "un-elephant-a-loree-du-bois"
        );
        assert_eq!(
            slugify("__strip__underscore-value___"),
            "strip__underscore-value"
        );
    }

    #[test]
    fn python_str_helpers() {
        assert_eq!(py_title("they're 1st"), "They'Re 1St");
        assert_eq!(py_splitlines("a\r\nb\n\nc\n"), vec!["a", "b", "", "c"]);
        assert_eq!(quote("a b/é", "/"), "a%20b/%C3%A9");
    }
}
