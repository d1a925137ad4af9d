//! Splitting template source into tokens exactly as Django's `Lexer`:
//! `{% %}`, `{{ }}` and `{# #}` on one line each, the shortest match, with
//! `{% verbatim %}` blocks passed through as text.
use crate::error::Span;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Literal text.
    Text,
    /// `{{ … }}`.
    Var,
    /// `{% … %}`.
    Block,
    /// `{# … #}`.
    Comment,
}

/// One token: its kind, its contents (stripped for tags, raw for text)
/// and where the whole token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'s> {
    /// The kind.
    pub kind: TokenKind,
    /// Tag contents without delimiters and surrounding whitespace, or the
    /// text itself.
    pub contents: &'s str,
    /// The whole token in the source.
    pub span: Span,
}

/// Split `source` into tokens.
pub fn tokenize(source: &str) -> Vec<Token<'_>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0; // start of pending text
    let mut i = 0;
    let mut line = 1u32;
    let mut line_start = 0usize; // byte offset where `line` starts
    let mut counted = 0usize; // offset up to which newlines are counted
    let mut verbatim: Option<String> = None;

    let mut span_of = |start: usize, end: usize| -> Span {
        // Newlines are counted incrementally up to `start`.
        for (k, b) in bytes[counted..start].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = counted + k + 1;
            }
        }
        counted = start;
        Span {
            start: start as u32,
            end: end as u32,
            line,
            col: source[line_start..start].chars().count() as u32 + 1,
        }
    };

    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let close: &[u8] = match bytes[i + 1] {
            b'%' => b"%}",
            b'{' => b"}}",
            b'#' => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        // The shortest match on the same line (Django's `.*?` without DOTALL).
        let mut end = None;
        let mut j = i + 2;
        while j + 1 < bytes.len() {
            if bytes[j] == b'\n' {
                break;
            }
            if bytes[j] == close[0] && bytes[j + 1] == close[1] {
                end = Some(j + 2);
                break;
            }
            j += 1;
        }
        let Some(end) = end else {
            i += 1;
            continue;
        };
        if pos < i {
            tokens.push(Token {
                kind: TokenKind::Text,
                contents: &source[pos..i],
                span: span_of(pos, i),
            });
        }
        let raw = &source[i..end];
        let inner = raw[2..raw.len() - 2].trim_matches(is_py_space);
        let span = span_of(i, end);
        let kind = match bytes[i + 1] {
            b'%' => {
                if let Some(v) = &verbatim {
                    if inner == v {
                        verbatim = None;
                        TokenKind::Block
                    } else {
                        TokenKind::Text
                    }
                } else {
                    if inner == "verbatim" || inner.starts_with("verbatim ") {
                        verbatim = Some(format!("end{inner}"));
                    }
                    TokenKind::Block
                }
            }
            _ if verbatim.is_some() => TokenKind::Text,
            b'{' => TokenKind::Var,
            _ => TokenKind::Comment,
        };
        tokens.push(Token {
            kind,
            contents: if kind == TokenKind::Text { raw } else { inner },
            span,
        });
        i = end;
        pos = end;
    }
    if pos < bytes.len() {
        tokens.push(Token {
            kind: TokenKind::Text,
            contents: &source[pos..],
            span: span_of(pos, bytes.len()),
        });
    }
    tokens
}

/// Python's `str.isspace` for one character (what `strip()` and `split()`
/// remove).
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Django's `smart_split`: split on whitespace, keeping quoted strings
/// (with backslash escapes) together with what touches them.
pub fn smart_split(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let at = |k: usize| if k < n { chars[k].0 } else { text.len() };
    let mut out = Vec::new();
    let mut k = 0;
    while k < n {
        if is_py_space(chars[k].1) {
            k += 1;
            continue;
        }
        let start = k;
        // First alternative: [^\s'"]* ( quoted [^\s'"]* )+
        let mut m = k;
        while m < n && !is_py_space(chars[m].1) && chars[m].1 != '"' && chars[m].1 != '\'' {
            m += 1;
        }
        let mut matched_quote = false;
        loop {
            if m < n && (chars[m].1 == '"' || chars[m].1 == '\'') {
                let q = chars[m].1;
                let mut p = m + 1;
                let mut closed = None;
                while p < n {
                    let c = chars[p].1;
                    if c == '\\' {
                        // `\\.`: `.` does not match a newline.
                        if p + 1 < n && chars[p + 1].1 != '\n' {
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    if c == q {
                        closed = Some(p + 1);
                        break;
                    }
                    p += 1;
                }
                if let Some(after) = closed {
                    matched_quote = true;
                    m = after;
                    while m < n
                        && !is_py_space(chars[m].1)
                        && chars[m].1 != '"'
                        && chars[m].1 != '\''
                    {
                        m += 1;
                    }
                    continue;
                }
            }
            break;
        }
        if !matched_quote {
            // Second alternative: \S+
            m = start;
            while m < n && !is_py_space(chars[m].1) {
                m += 1;
            }
        }
        out.push(&text[at(start)..at(m)]);
        k = m;
    }
    out
}

/// Django's `Token.split_contents`: [`smart_split`], then rejoin a
/// `_("…")` argument that contains spaces.
pub fn split_contents(contents: &str) -> Vec<String> {
    let bits = smart_split(contents);
    let mut out = Vec::with_capacity(bits.len());
    let mut iter = bits.into_iter();
    while let Some(bit) = iter.next() {
        if bit.starts_with("_(\"") || bit.starts_with("_('") {
            let sentinel: String = [bit.as_bytes()[2] as char, ')'].iter().collect();
            let mut joined = vec![bit];
            let mut last = bit;
            while !last.ends_with(&sentinel) {
                match iter.next() {
                    Some(next) => {
                        joined.push(next);
                        last = next;
                    }
                    None => break,
                }
            }
            out.push(joined.join(" "));
        } else {
            out.push(bit.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_positions() {
        let toks = tokenize("a {{ x }}\n{% if y %}{# c #}{{ broken\n}}");
        let kinds: Vec<_> = toks.iter().map(|t| (t.kind, t.contents)).collect();
        assert_eq!(
            kinds,
            vec![
                (TokenKind::Text, "a "),
                (TokenKind::Var, "x"),
                (TokenKind::Text, "\n"),
                (TokenKind::Block, "if y"),
                (TokenKind::Comment, "c"),
                (TokenKind::Text, "{{ broken\n}}"),
            ]
        );
        assert_eq!((toks[3].span.line, toks[3].span.col), (2, 1));
        assert_eq!((toks[1].span.line, toks[1].span.col), (1, 3));
    }

    #[test]
    fn verbatim_passes_tags_through() {
        let toks = tokenize("{% verbatim v %}{% endverbatim %}{{ a }}{% endverbatim v %}");
        let kinds: Vec<_> = toks.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![
                TokenKind::Block,
                TokenKind::Text,
                TokenKind::Text,
                TokenKind::Block
            ]
        );
    }

    #[test]
    fn smart_split_like_django() {
        assert_eq!(
            smart_split(r#"This is "a person's" test."#),
            vec!["This", "is", "\"a person's\"", "test."]
        );
        assert_eq!(
            smart_split(r#"url 'a b' x="c d"|f "unterminated"#),
            vec!["url", "'a b'", "x=\"c d\"|f", "\"unterminated"]
        );
        assert_eq!(
            split_contents(r#"trans _("a b c") x"#),
            vec!["trans", "_(\"a b c\")", "x"]
        );
    }
}
