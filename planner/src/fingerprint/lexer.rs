//! A small SQL lexer that never fails.
//!
//! sqlparser's tokenizer rejects some input (unterminated strings, stray
//! characters) and does not know Django's `%s` placeholders. This lexer
//! accepts any string: whatever it does not recognise becomes an operator
//! token, an unterminated string or comment runs to the end of the input.
//! It serves three jobs: rewriting Django placeholders before sqlparser sees
//! the SQL, splitting a simple-protocol query into statements, and the
//! token-level fallback fingerprint.

use super::Dialect;

/// What a token is; its text is `&sql[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An unquoted word: keyword or identifier.
    Word,
    /// A quoted identifier (`"x"`, `` `x` ``); its unquoted value is in `Token::ident`.
    QuotedIdent,
    /// A string literal, any quoting (`'x'`, `E'x'`, `$tag$x$tag$`, MySQL `"x"`).
    Str,
    /// A numeric literal.
    Num,
    /// A bind placeholder: `%s`, `%(name)s`, `$1`, `?`, `?1`, `:name`.
    Placeholder,
    /// A Python DB-API placeholder (`%s`, `%(name)s`), a subset of placeholders
    /// that sqlparser does not understand and must be rewritten.
    PyPlaceholder,
    /// `%%`: a percent sign escaped for the DB-API.
    PercentPercent,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// Any operator or other punctuation.
    Op,
}

/// One token with its byte range in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// For `QuotedIdent`: the identifier with quotes removed and doubled quotes undone.
    pub ident: Option<String>,
}

/// Splits `sql` into tokens, dropping whitespace and comments. Never fails.
pub(crate) fn tokenize(sql: &str, dialect: Dialect) -> Vec<Token> {
    let mut lx = Lexer {
        src: sql,
        bytes: sql.as_bytes(),
        pos: 0,
        dialect,
        out: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    dialect: Dialect,
    out: Vec<Token>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

const OP_CHARS: &str = "+-*/<>=~!@#%^&|?";

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.src.get(self.pos..)?.chars().nth(ahead)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn push(&mut self, kind: Kind, start: usize) {
        self.out.push(Token {
            kind,
            start,
            end: self.pos,
            ident: None,
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            let start = self.pos;
            match c {
                c if c.is_whitespace() => self.pos += c.len_utf8(),
                '-' if self.byte(start + 1) == Some(b'-') => self.line_comment(),
                '#' if self.dialect == Dialect::Mysql => self.line_comment(),
                '/' if self.byte(start + 1) == Some(b'*') => self.block_comment(),
                '\'' => {
                    let backslash = self.dialect.backslash_escapes_in_strings();
                    self.quoted(b'\'', backslash);
                    self.push(Kind::Str, start);
                }
                '"' if self.dialect == Dialect::Mysql => {
                    self.quoted(b'"', true);
                    self.push(Kind::Str, start);
                }
                '"' | '`' => self.quoted_ident(c as u8),
                '$' => self.dollar(),
                '%' => self.percent(),
                '?' => {
                    self.pos += 1;
                    // `?|` and `?&` are PostgreSQL jsonb operators.
                    if self.dialect == Dialect::Postgres
                        && matches!(self.byte(self.pos), Some(b'|' | b'&' | b'-'))
                    {
                        self.operator_run();
                        self.push(Kind::Op, start);
                    } else {
                        self.eat_while(|c| c.is_ascii_digit());
                        self.push(Kind::Placeholder, start);
                    }
                }
                ':' => {
                    self.pos += 1;
                    if self.byte(self.pos) == Some(b':') {
                        self.pos += 1;
                        self.push(Kind::Op, start);
                    } else if self.peek(0).is_some_and(is_ident_start) {
                        self.eat_while(is_ident_char);
                        self.push(Kind::Placeholder, start);
                    } else {
                        self.push(Kind::Op, start);
                    }
                }
                '(' => self.single(Kind::Open),
                ')' => self.single(Kind::Close),
                ',' => self.single(Kind::Comma),
                ';' => self.single(Kind::Semi),
                '.' if !self.byte(start + 1).is_some_and(|b| b.is_ascii_digit()) => {
                    self.single(Kind::Dot)
                }
                c if c.is_ascii_digit() || c == '.' => self.number(),
                c if is_ident_start(c) => self.word(),
                c if OP_CHARS.contains(c) => {
                    self.operator_run();
                    self.push(Kind::Op, start);
                }
                c => {
                    self.pos += c.len_utf8();
                    self.push(Kind::Op, start);
                }
            }
        }
    }

    fn single(&mut self, kind: Kind) {
        let start = self.pos;
        self.pos += 1;
        self.push(kind, start);
    }

    fn eat_while(&mut self, f: impl Fn(char) -> bool) {
        while let Some(c) = self.peek(0) {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn line_comment(&mut self) {
        match self.src[self.pos..].find('\n') {
            Some(n) => self.pos += n + 1,
            None => self.pos = self.src.len(),
        }
    }

    fn block_comment(&mut self) {
        // PostgreSQL nests block comments; the others end at the first `*/`.
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos..].starts_with(b"/*") {
                depth += 1;
                self.pos += 2;
            } else if self.bytes[self.pos..].starts_with(b"*/") {
                self.pos += 2;
                depth = depth.saturating_sub(1);
                if depth == 0 || !nests {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
        self.pos = self.src.len();
    }

    /// Consumes a string quoted with `q` (doubled quote escapes it). Stops at
    /// the end of input when unterminated.
    fn quoted(&mut self, q: u8, backslash: bool) {
        self.pos += 1;
        while let Some(b) = self.byte(self.pos) {
            self.pos += 1;
            if backslash && b == b'\\' {
                if self.pos < self.bytes.len() {
                    self.pos += 1;
                }
            } else if b == q {
                if self.byte(self.pos) == Some(q) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        // A backslash escape may have stepped into a multi-byte character.
        while !self.src.is_char_boundary(self.pos.min(self.src.len())) {
            self.pos += 1;
        }
        self.pos = self.pos.min(self.src.len());
    }

    fn quoted_ident(&mut self, q: u8) {
        let start = self.pos;
        self.quoted(q, false);
        let inner_end = if self.pos > start + 1 && self.byte(self.pos - 1) == Some(q) {
            self.pos - 1
        } else {
            self.pos
        };
        let quote = char::from(q);
        let doubled: String = [quote, quote].iter().collect();
        let ident = self.src[start + 1..inner_end].replace(&doubled, &quote.to_string());
        self.out.push(Token {
            kind: Kind::QuotedIdent,
            start,
            end: self.pos,
            ident: Some(ident),
        });
    }

    fn dollar(&mut self) {
        let start = self.pos;
        self.pos += 1;
        if self.byte(self.pos).is_some_and(|b| b.is_ascii_digit()) {
            self.eat_while(|c| c.is_ascii_digit());
            self.push(Kind::Placeholder, start);
            return;
        }
        if self.dialect == Dialect::Postgres {
            // `$tag$ ... $tag$` dollar quoting.
            let tag_len = self.src[self.pos..]
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'));
            if let Some((n, '$')) = tag_len {
                let delimiter = &self.src[start..self.pos + n + 1];
                let body = self.pos + n + 1;
                self.pos = match self.src[body..].find(delimiter) {
                    Some(i) => body + i + delimiter.len(),
                    None => self.src.len(),
                };
                self.push(Kind::Str, start);
                return;
            }
        }
        if self.peek(0).is_some_and(is_ident_start) {
            // SQLite `$name` parameters.
            self.eat_while(is_ident_char);
            self.push(Kind::Placeholder, start);
        } else {
            self.push(Kind::Op, start);
        }
    }

    fn percent(&mut self) {
        let start = self.pos;
        match self.byte(start + 1) {
            Some(b's') => {
                self.pos += 2;
                self.push(Kind::PyPlaceholder, start);
            }
            Some(b'%') => {
                self.pos += 2;
                self.push(Kind::PercentPercent, start);
            }
            Some(b'(') => {
                // `%(name)s`; anything else is the modulo operator.
                let rest = &self.src[start + 2..];
                match rest.find(')') {
                    Some(close)
                        if rest[close + 1..].starts_with('s')
                            && rest[..close].chars().all(is_ident_char) =>
                    {
                        self.pos = start + 2 + close + 2;
                        self.push(Kind::PyPlaceholder, start);
                    }
                    _ => {
                        self.pos += 1;
                        self.push(Kind::Op, start);
                    }
                }
            }
            _ => {
                self.operator_run();
                self.push(Kind::Op, start);
            }
        }
    }

    fn operator_run(&mut self) {
        let start = self.pos;
        while let Some(c) = self.peek(0) {
            let rest = &self.bytes[self.pos..];
            let comment = rest.starts_with(b"--") || rest.starts_with(b"/*");
            if !OP_CHARS.contains(c) || (comment && self.pos > start) {
                break;
            }
            // `%s` after an operator is a placeholder, not part of the run.
            if c == '%' && self.pos > start {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            self.pos += 1;
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        if self.bytes[start..].starts_with(b"0x") || self.bytes[start..].starts_with(b"0X") {
            self.pos += 2;
            self.eat_while(|c| c.is_ascii_hexdigit());
        } else {
            self.eat_while(|c| c.is_ascii_digit() || c == '_');
            if self.byte(self.pos) == Some(b'.') {
                self.pos += 1;
                self.eat_while(|c| c.is_ascii_digit());
            }
            if matches!(self.byte(self.pos), Some(b'e' | b'E')) {
                let sign = usize::from(matches!(self.byte(self.pos + 1), Some(b'+' | b'-')));
                if self
                    .byte(self.pos + 1 + sign)
                    .is_some_and(|b| b.is_ascii_digit())
                {
                    self.pos += 1 + sign;
                    self.eat_while(|c| c.is_ascii_digit());
                }
            }
        }
        self.push(Kind::Num, start);
    }

    fn word(&mut self) {
        let start = self.pos;
        self.eat_while(is_ident_char);
        let word = &self.src[start..self.pos];
        // String prefixes: E'..' (backslash escapes), N'..', B'..', X'..'.
        if self.byte(self.pos) == Some(b'\'') && word.len() == 1 {
            let backslash = word.eq_ignore_ascii_case("e") || self.dialect == Dialect::Mysql;
            if "eEnNbBxX".contains(word) {
                self.quoted(b'\'', backslash);
                self.push(Kind::Str, start);
                return;
            }
        }
        self.push(Kind::Word, start);
    }
}

/// The byte ranges of the statements in `sql`, split at top-level `;`
/// (outside strings, identifiers and comments). Empty statements are dropped.
pub(crate) fn split_statements(sql: &str, dialect: Dialect) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first: Option<usize> = None;
    let mut last = 0;
    for tok in tokenize(sql, dialect) {
        if tok.kind == Kind::Semi {
            if let Some(s) = first.take() {
                out.push((s, last));
            }
        } else {
            first.get_or_insert(tok.start);
            last = tok.end;
        }
    }
    if let Some(s) = first {
        out.push((s, last));
    }
    out
}

/// Rewrites DB-API placeholders (`%s`, `%(name)s`) into ones sqlparser reads
/// for `dialect`, and `%%` into `%`. Strings and comments are copied as they are.
pub(crate) fn rewrite_pyformat(sql: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for tok in tokenize(sql, dialect) {
        let replacement = match tok.kind {
            Kind::PyPlaceholder => dialect.parser_placeholder(),
            Kind::PercentPercent => "%",
            _ => continue,
        };
        out.push_str(&sql[copied..tok.start]);
        out.push_str(replacement);
        copied = tok.end;
    }
    out.push_str(&sql[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str, d: Dialect) -> Vec<(Kind, &str)> {
        tokenize(sql, d)
            .into_iter()
            .map(|t| (t.kind, &sql[t.start..t.end]))
            .collect()
    }

    #[test]
    fn placeholders_of_every_style() {
        let toks = kinds(
            "a = %s AND b = %(x)s AND c = $1 AND d = ? AND e = :n",
            Dialect::Sqlite,
        );
        let ph: Vec<_> = toks
            .iter()
            .filter(|(k, _)| matches!(k, Kind::Placeholder | Kind::PyPlaceholder))
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(ph, ["%s", "%(x)s", "$1", "?", ":n"]);
    }

    #[test]
    fn casts_are_not_named_placeholders() {
        let toks = kinds("%s::timestamptz", Dialect::Postgres);
        assert_eq!(toks[1], (Kind::Op, "::"));
        assert_eq!(toks[2], (Kind::Word, "timestamptz"));
    }

    #[test]
    fn strings_comments_and_dollar_quotes() {
        let sql = "SELECT 'a;''b' /* x; */ , $f$ ; $f$ -- c;\n; SELECT 2";
        assert_eq!(split_statements(sql, Dialect::Postgres).len(), 2);
        assert_eq!(kinds("E'\\''", Dialect::Postgres), [(Kind::Str, "E'\\''")]);
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        assert!(tokenize("/* abc", Dialect::Postgres).is_empty());
        for sql in ["'abc", "\"abc", "$q$ abc", "`a", "E'\\", "'é\\"] {
            let toks = tokenize(sql, Dialect::Mysql);
            assert_eq!(toks.last().map(|t| t.end), Some(sql.len()), "{sql}");
        }
    }

    #[test]
    fn rewrites_pyformat_outside_strings() {
        assert_eq!(
            rewrite_pyformat("x LIKE %s AND y = '%s' AND z %% 2", Dialect::Postgres),
            "x LIKE $1 AND y = '%s' AND z % 2"
        );
    }
}
