//! HTML escaping exactly as Django's `django.utils.html.escape`.
use std::sync::Arc;

use crate::error::Result;
use crate::value::Value;

/// Append `text` to `out`, escaping `& < > " '` as Django does
/// (`&amp; &lt; &gt; &quot; &#x27;`).
pub fn escape_into(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut last = 0;
    for (i, b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// `text` escaped, as a new string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(text, &mut out);
    out
}

/// Django's `conditional_escape`: a safe value stays as it is; anything
/// else is converted to text, escaped and marked safe.
pub fn conditional_escape(value: &Value) -> Result<Value> {
    if value.is_safe() {
        return Ok(value.clone());
    }
    let text = value.to_text()?;
    if text.is_safe() {
        return Ok(text);
    }
    Ok(Value::SafeStr(Arc::from(escape(
        text.as_str().unwrap_or_default(),
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;"
        );
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn conditional_escape_keeps_safe_values() {
        assert_eq!(
            conditional_escape(&Value::safe("<b>")).unwrap().as_str(),
            Some("<b>")
        );
        let escaped = conditional_escape(&Value::from("<b>")).unwrap();
        assert!(escaped.is_safe());
        assert_eq!(escaped.as_str(), Some("&lt;b&gt;"));
    }
}
