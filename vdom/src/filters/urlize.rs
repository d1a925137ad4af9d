//! `django.utils.html.urlize` (Django 5.2's `Urlizer`), with the pieces
//! of `urllib.parse` (`urlsplit`, `parse_qsl`, `unquote`, `urlencode`)
//! and of `EmailValidator` it relies on.
use std::net::{Ipv4Addr, Ipv6Addr};

use unicode_normalization::UnicodeNormalization;

use super::htmlparse::unescape;
use super::text::{py_isspace, quote};
use crate::error::Result;
use crate::escape::escape;

const MAX_URL_LENGTH: usize = 2048;
const TRAILING_PUNCTUATION: &str = ".,:;!";
const SMART_QUOTE_SAFE: &str = "!$&'()*+,;=:/?#[]@~";

/// `urlize(text, trim_url_limit, nofollow=True, autoescape)`; `safe_input`
/// is whether the text was a `SafeString`.
pub(crate) fn urlize(
    text: &str,
    limit: Option<i64>,
    autoescape: bool,
    safe_input: bool,
) -> Result<String> {
    // word_split_re = ([\s<>"']+): separators are kept.
    let is_sep = |c: char| py_isspace(c) || matches!(c, '<' | '>' | '"' | '\'');
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut in_sep = false;
    for c in text.chars() {
        let sep = is_sep(c);
        if sep != in_sep && !word.is_empty() {
            out.push_str(&handle_word(&word, limit, autoescape, safe_input));
            word.clear();
        }
        in_sep = sep;
        word.push(c);
    }
    if !word.is_empty() {
        out.push_str(&handle_word(&word, limit, autoescape, safe_input));
    }
    Ok(out)
}

fn plain(word: &str, autoescape: bool, safe_input: bool) -> String {
    if !safe_input && autoescape {
        escape(word)
    } else {
        word.to_owned()
    }
}

fn handle_word(word: &str, limit: Option<i64>, autoescape: bool, safe_input: bool) -> String {
    if !(word.contains('.') || word.contains('@') || word.contains(':')) {
        return plain(word, autoescape, safe_input);
    }
    let (mut lead, middle, mut trail) = trim_punctuation(word);
    let mut nofollow = " rel=\"nofollow\"";
    let short = middle.chars().count() <= MAX_URL_LENGTH;
    let url = if short && simple_url(&middle) {
        Some(smart_urlquote(&unescape(&middle)))
    } else if short && simple_url_2(&middle) {
        Some(smart_urlquote(&format!("http://{}", unescape(&middle))))
    } else if !middle.contains(':') && is_email_simple(&middle) {
        let (local, domain) = middle.rsplit_once('@').unwrap_or(("", ""));
        nofollow = "";
        Some(format!("mailto:{}@{}", quote(local, ""), quote(domain, "")))
    } else {
        None
    };
    let Some(url) = url else {
        return plain(word, autoescape, safe_input);
    };
    let mut trimmed = trim_url(&middle, limit);
    if autoescape && !safe_input {
        lead = escape(&lead);
        trail = escape(&trail);
        trimmed = escape(&trimmed);
    }
    format!(
        "{lead}<a href=\"{}\"{nofollow}>{trimmed}</a>{trail}",
        escape(&url)
    )
}

fn trim_url(x: &str, limit: Option<i64>) -> String {
    let len = x.chars().count() as i64;
    match limit {
        Some(limit) if len > limit => {
            let keep = (limit - 1).max(0) as usize;
            format!("{}…", x.chars().take(keep).collect::<String>())
        }
        _ => x.to_owned(),
    }
}

fn count(s: &str, c: char) -> i64 {
    s.chars().filter(|x| *x == c).count() as i64
}

/// Python's `s[:-n]` / `s[-n:]` on characters.
fn split_tail(s: &str, n: usize) -> (String, String) {
    let chars: Vec<char> = s.chars().collect();
    let cut = chars.len().saturating_sub(n);
    (chars[..cut].iter().collect(), chars[cut..].iter().collect())
}

/// `Urlizer.trim_punctuation`: (lead, middle, trail).
fn trim_punctuation(word: &str) -> (String, String, String) {
    let mut middle = word.trim_start_matches(['(', '[']).to_owned();
    let lead = word[..word.len() - middle.len()].to_owned();
    let mut trail = String::new();
    // CountsDict: counted once on the stripped word, then adjusted.
    let mut counts = [
        ('(', count(&middle, '(')),
        (')', count(&middle, ')')),
        ('[', count(&middle, '[')),
        (']', count(&middle, ']')),
    ];
    let mut trimmed_something = true;
    while trimmed_something && !middle.is_empty() {
        trimmed_something = false;
        for (o, c) in [(0usize, 1usize), (2, 3)] {
            let (opening, closing) = (counts[o].1, counts[c].1);
            if opening < closing {
                let closing_char = counts[c].0;
                if middle.trim_end_matches(closing_char) != middle {
                    let strip = (closing - opening) as usize;
                    let (head, tail) = split_tail(&middle, strip);
                    trail = tail;
                    middle = head;
                    trimmed_something = true;
                    counts[c].1 -= strip as i64;
                }
            }
        }
        let amp = middle.rfind('&');
        let rstripped = match amp {
            None => middle.trim_end_matches(|c| TRAILING_PUNCTUATION.contains(c)),
            Some(_) => middle.trim_end_matches(|c| ".,:!".contains(c)),
        }
        .to_owned();
        if rstripped != middle {
            trail = format!("{}{trail}", &middle[rstripped.len()..]);
            middle = rstripped;
            trimmed_something = true;
        }
        if middle.ends_with(';') {
            // Only strip if not part of an HTML entity.
            let potential_entity = match amp {
                Some(a) => middle[a..].to_owned(),
                None => ";".to_owned(),
            };
            let escaped = unescape(&potential_entity);
            if escaped == potential_entity || escaped.ends_with(';') {
                let rstripped = middle
                    .trim_end_matches(|c| TRAILING_PUNCTUATION.contains(c))
                    .to_owned();
                let trail_start = rstripped.len();
                let trailing_semicolons = middle.len() - middle.trim_end_matches(';').len();
                if amp.is_some() && trailing_semicolons > 1 {
                    let recent = middle[trail_start..].find(';').unwrap_or(0);
                    let idx = recent + trail_start + 1;
                    trail = format!("{}{trail}", &middle[idx..]);
                    middle = format!("{rstripped}{}", &middle[trail_start..idx]);
                } else {
                    trail = format!("{}{trail}", &middle[trail_start..]);
                    middle = rstripped;
                }
                trimmed_something = true;
            }
        }
    }
    (lead, middle, trail)
}

/// Python's `\w` for one character.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `^https?://\[?\w` (case-insensitive).
fn simple_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = match lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
    {
        Some(_) => &s[if lower.starts_with("https") { 8 } else { 7 }..],
        None => return false,
    };
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    rest.chars().next().is_some_and(is_word_char)
}

/// `^www\.|^(?!http)\w[^@]+\.(com|edu|gov|int|mil|net|org)($|/.*)$`
/// (case-insensitive).
fn simple_url_2(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let starts = |pat: &str| lower.iter().take(pat.len()).copied().eq(pat.chars());
    if starts("www.") {
        return true;
    }
    if starts("http") || !chars.first().is_some_and(|c| is_word_char(*c)) {
        return false;
    }
    let n = chars.len();
    for p in 2..n {
        if chars[p - 1] == '@' {
            break;
        }
        if chars[p] != '.' {
            continue;
        }
        for tld in ["com", "edu", "gov", "int", "mil", "net", "org"] {
            let end = p + 1 + 3;
            if end <= n && lower[p + 1..end].iter().copied().eq(tld.chars()) {
                // `($|/.*)$`: words hold no newlines (they split on \s).
                let after = &chars[end..];
                if after.is_empty() || after[0] == '/' {
                    return true;
                }
            }
        }
    }
    false
}

// --------------------------------------------------------- email check

fn user_part_ok(user: &str) -> bool {
    let atom = |c: char| c.is_ascii_alphanumeric() || "-!#$%&'*+/=?^_`{}|~".contains(c);
    let dot_atom = !user.is_empty()
        && user
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(atom));
    if dot_atom {
        return true;
    }
    // Quoted string: "([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"
    let chars: Vec<char> = user.chars().collect();
    if chars.len() < 2 || chars[0] != '"' || chars[chars.len() - 1] != '"' {
        return false;
    }
    let inner = &chars[1..chars.len() - 1];
    let qtext = |c: char| {
        let n = c as u32;
        matches!(n, 0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x21 | 0x23..=0x5b | 0x5d..=0x7f)
    };
    let quoted = |c: char| {
        let n = c as u32;
        matches!(n, 0x01..=0x09 | 0x0b | 0x0c | 0x0e..=0x7f)
    };
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == '\\' && i + 1 < inner.len() && quoted(inner[i + 1]) {
            i += 2;
        } else if qtext(inner[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn label_char(c: char, digits: bool) -> bool {
    c.is_ascii_alphabetic()
        || (digits && c.is_ascii_digit())
        || c == '-'
        || ('\u{a1}'..='\u{ffff}').contains(&c)
}

fn label_ok(label: &str, digits: bool, max: usize, min: usize) -> bool {
    let n = label.chars().count();
    n >= min
        && n <= max
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| label_char(c, digits))
}

fn domain_part_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() >= 2 {
        let (tld, rest) = labels.split_last().unwrap_or((&"", &[]));
        let host_ok = label_ok(rest[0], true, 63, 1);
        let mids_ok = rest[1..].iter().all(|l| label_ok(l, true, 63, 1));
        let lower = tld.to_ascii_lowercase();
        let tld_ok = label_ok(tld, false, 63, 2)
            || (lower.starts_with("xn--")
                && (1..=59).contains(&(lower.len() - 4))
                && lower[4..].chars().all(|c| c.is_ascii_alphanumeric()));
        if host_ok && mids_ok && tld_ok {
            return true;
        }
    }
    // `\[([A-F0-9:.]+)\]` holding a valid IPv4 or IPv6 address.
    if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        if !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return inner.parse::<Ipv4Addr>().is_ok() || inner.parse::<Ipv6Addr>().is_ok();
        }
    }
    false
}

/// `EmailValidator(allowlist=[])(value)` passing.
fn is_email_simple(value: &str) -> bool {
    if value.is_empty() || value.chars().count() > 320 {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    user_part_ok(user) && domain_part_ok(domain)
}

// -------------------------------------------------------- urllib.parse

/// `urllib.parse.unquote` (UTF-8, errors replaced).
fn unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = [bytes[i + 1], bytes[i + 2]];
            let b = std::str::from_utf8(&hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or(0);
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unquote_quote(segment: &str) -> String {
    quote(&unquote(segment), SMART_QUOTE_SAFE)
}

/// `quote_plus(s, safe='')`.
fn quote_plus(s: &str) -> String {
    if s.contains(' ') {
        quote(s, " ").replace(' ', "+")
    } else {
        quote(s, "")
    }
}

const USES_NETLOC: &[&str] = &[
    "",
    "ftp",
    "http",
    "gopher",
    "nntp",
    "telnet",
    "imap",
    "wais",
    "file",
    "mms",
    "https",
    "shttp",
    "snews",
    "prospero",
    "rtsp",
    "rtspu",
    "rsync",
    "svn",
    "svn+ssh",
    "sftp",
    "nfs",
    "git",
    "git+ssh",
    "ws",
    "wss",
    "itms-services",
];

/// `urlsplit(url)`; `None` where Python raises `ValueError`.
fn urlsplit(url: &str) -> Option<[String; 5]> {
    let url: String = url
        .trim_start_matches(|c: char| (c as u32) <= 0x20)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut scheme = String::new();
    let mut rest = url.as_str();
    if let Some(i) = url.find(':') {
        let first = url.chars().next();
        if i > 0
            && first.is_some_and(|c| c.is_ascii_alphabetic())
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            scheme = url[..i].to_ascii_lowercase();
            rest = &url[i + 1..];
        }
    }
    let mut netloc = String::new();
    let mut rest = rest.to_owned();
    if rest.starts_with("//") {
        let delim = rest[2..]
            .find(['/', '?', '#'])
            .map_or(rest.len(), |p| p + 2);
        netloc = rest[2..delim].to_owned();
        rest = rest[delim..].to_owned();
        let (open, close) = (netloc.contains('['), netloc.contains(']'));
        if open != close {
            return None;
        }
        if open {
            let host = netloc
                .split_once('[')
                .map(|(_, r)| r.split_once(']').map_or(r, |(h, _)| h))
                .unwrap_or("");
            if let Some(future) = host.strip_prefix('v') {
                let ok = future.split_once('.').is_some_and(|(hex, tail)| {
                    !hex.is_empty()
                        && hex.chars().all(|c| c.is_ascii_hexdigit())
                        && !tail.is_empty()
                });
                if !ok {
                    return None;
                }
            } else if host.parse::<Ipv6Addr>().is_err() {
                return None;
            }
        }
    }
    let mut fragment = String::new();
    if let Some((u, f)) = rest.split_once('#') {
        fragment = f.to_owned();
        rest = u.to_owned();
    }
    let mut query = String::new();
    if let Some((u, q)) = rest.split_once('?') {
        query = q.to_owned();
        rest = u.to_owned();
    }
    // _checknetloc: NFKC must not introduce URL delimiters.
    if !netloc.is_ascii() {
        let n: String = netloc
            .chars()
            .filter(|c| !matches!(c, '@' | ':' | '#' | '?'))
            .collect();
        let normalized: String = n.nfkc().collect();
        if n != normalized && normalized.contains(['/', '?', '#', '@', ':']) {
            return None;
        }
    }
    Some([scheme, netloc, rest, query, fragment])
}

fn urlunsplit(parts: [String; 5]) -> String {
    let [scheme, netloc, mut url, query, fragment] = parts;
    if !netloc.is_empty()
        || (!scheme.is_empty() && USES_NETLOC.contains(&scheme.as_str()) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{netloc}{url}");
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    if !fragment.is_empty() {
        url = format!("{url}#{fragment}");
    }
    url
}

/// `django.utils.html.smart_urlquote`.
fn smart_urlquote(url: &str) -> String {
    let Some([scheme, netloc, path, query, fragment]) = urlsplit(url) else {
        return unquote_quote(url);
    };
    let netloc = unquote_quote(&netloc);
    let query = if query.is_empty() {
        query
    } else {
        // parse_qsl(keep_blank_values=True) then urlencode.
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let k = unquote(&unquote(&k.replace('+', " ")));
                let v = unquote(&unquote(&v.replace('+', " ")));
                format!("{}={}", quote_plus(&k), quote_plus(&v))
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    let path = unquote_quote(&path);
    let fragment = unquote_quote(&fragment);
    urlunsplit([scheme, netloc, path, query, fragment])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from Django's tests/utils_tests/test_html.py.
    #[test]
    fn smart_urlquote_like_django() {
        for (input, want) in [
            ("http://öäü.com/", "http://%C3%B6%C3%A4%C3%BC.com/"),
            (
                "http://example.com/path/öäü/",
                "http://example.com/path/%C3%B6%C3%A4%C3%BC/",
            ),
            (
                "http://example.com/%C3%B6/ä/",
                "http://example.com/%C3%B6/%C3%A4/",
            ),
            (
                "http://example.com/?x=1&y=2+3&z=",
                "http://example.com/?x=1&y=2+3&z=",
            ),
            (
                "http://example.com/?x=<>\"'",
                "http://example.com/?x=%3C%3E%22%27",
            ),
            (
                "http://example.com/?q=http://example.com/?x=1%26q=django",
                "http://example.com/?q=http%3A%2F%2Fexample.com%2F%3Fx%3D1%26q%3Ddjango",
            ),
            ("http://.www.f oo.bar/", "http://.www.f%20oo.bar/"),
            (
                "http://[2001:db8:cafe::2]:8080/",
                "http://[2001:db8:cafe::2]:8080/",
            ),
        ] {
            assert_eq!(smart_urlquote(input), want, "{input}");
        }
    }

    #[test]
    fn urlizes() {
        assert_eq!(
            urlize("Search for google.com/?q=! and see.", None, true, false).unwrap(),
            "Search for <a href=\"http://google.com/?q=\" rel=\"nofollow\">google.com/?q=</a>! and see."
        );
        assert_eq!(
            urlize("foo@example.com", None, true, false).unwrap(),
            "<a href=\"mailto:foo@example.com\">foo@example.com</a>"
        );
    }
}
