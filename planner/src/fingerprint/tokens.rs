//! The token-level fingerprint: the fallback for SQL sqlparser cannot parse.
//!
//! It applies the same rules as the AST path, on tokens: literals and
//! placeholders become `?`, a literal's sign goes with it, `IN (?, ?, ...)`
//! becomes `IN (...)`, repeated identical `VALUES` rows collapse to one,
//! identifiers lose their quotes when they do not need them, a few core
//! keywords are upper-cased, comments and extra whitespace go.

use super::ident::{display_ident, is_reserved};
use super::lexer::{tokenize, Kind};
use super::Dialect;

/// One normalised output token.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Out {
    text: String,
    kind: Kind,
}

impl Out {
    fn is(&self, kind: Kind, text: &str) -> bool {
        self.kind == kind && self.text == text
    }
}

/// The fallback fingerprint text of one statement.
pub(crate) fn normalise(sql: &str, dialect: Dialect) -> String {
    let mut out: Vec<Out> = Vec::new();
    for tok in tokenize(sql, dialect) {
        let raw = &sql[tok.start..tok.end];
        let (kind, text) = match tok.kind {
            Kind::Str | Kind::Num | Kind::Placeholder | Kind::PyPlaceholder => {
                drop_sign(&mut out);
                (Kind::Placeholder, "?".to_string())
            }
            Kind::PercentPercent => (Kind::Op, "%".to_string()),
            Kind::QuotedIdent => (
                Kind::Word,
                display_ident(tok.ident.as_deref().unwrap_or_default(), true),
            ),
            Kind::Word
                if ["NULL", "TRUE", "FALSE"]
                    .iter()
                    .any(|w| raw.eq_ignore_ascii_case(w)) =>
            {
                drop_sign(&mut out);
                (Kind::Placeholder, "?".to_string())
            }
            Kind::Word if is_reserved(raw) => (Kind::Word, raw.to_ascii_uppercase()),
            kind => (kind, raw.to_string()),
        };
        out.push(Out { text, kind });
    }
    let out = collapse_in_lists(out);
    let out = collapse_values_rows(out);
    join(&out)
}

/// Drops a `-`/`+` just emitted when it is a sign (not a binary operator).
fn drop_sign(out: &mut Vec<Out>) {
    let Some(last) = out.last() else { return };
    if !(last.is(Kind::Op, "-") || last.is(Kind::Op, "+")) {
        return;
    }
    let before = out.len().checked_sub(2).and_then(|i| out.get(i));
    let unary = match before {
        None => true,
        Some(b) => match b.kind {
            Kind::Op | Kind::Open | Kind::Comma => true,
            Kind::Word => is_reserved(&b.text),
            _ => false,
        },
    };
    if unary {
        out.pop();
    }
}

/// `IN ( ? , ? , ... )` → `IN (...)`.
fn collapse_in_lists(toks: Vec<Out>) -> Vec<Out> {
    let mut out: Vec<Out> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let is_in = toks[i].kind == Kind::Word && toks[i].text.eq_ignore_ascii_case("IN");
        if is_in && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Open) {
            if let Some(close) = placeholder_list_end(&toks, i + 2) {
                out.push(toks[i].clone());
                out.push(toks[i + 1].clone());
                out.push(Out {
                    text: "...".into(),
                    kind: Kind::Word,
                });
                out.push(toks[close].clone());
                i = close + 1;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// If `toks[from..]` is `?, ?, ... )`, the index of the `)`.
fn placeholder_list_end(toks: &[Out], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        if toks.get(i)?.kind != Kind::Placeholder {
            return None;
        }
        match toks.get(i + 1)?.kind {
            Kind::Comma => i += 2,
            Kind::Close => return Some(i + 1),
            _ => return None,
        }
    }
}

/// `VALUES (a), (b), (c)` → `VALUES (a)` when all rows normalise alike.
fn collapse_values_rows(toks: Vec<Out>) -> Vec<Out> {
    let mut out: Vec<Out> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        out.push(toks[i].clone());
        let is_values = toks[i].kind == Kind::Word && toks[i].text.eq_ignore_ascii_case("VALUES");
        i += 1;
        if !is_values {
            continue;
        }
        let Some(first_end) = group_end(&toks, i) else {
            continue;
        };
        let first = &toks[i..=first_end];
        let mut next = first_end + 1;
        while toks.get(next).is_some_and(|t| t.kind == Kind::Comma) {
            match group_end(&toks, next + 1) {
                Some(end) if &toks[next + 1..=end] == first => next = end + 1,
                _ => break,
            }
        }
        out.extend_from_slice(first);
        i = next;
    }
    out
}

/// If `toks[from]` opens a parenthesised group, the index of its `)`.
fn group_end(toks: &[Out], from: usize) -> Option<usize> {
    if toks.get(from)?.kind != Kind::Open {
        return None;
    }
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(from) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Joins tokens with single spaces, none inside `(`…`)`, before `,`, around
/// `.` and `::`, nor between a function name and its `(`.
fn join(toks: &[Out]) -> String {
    let mut s = String::new();
    for (i, t) in toks.iter().enumerate() {
        if let Some(p) = i.checked_sub(1).map(|j| &toks[j]) {
            // `t (a, b)` after INTO/TABLE/... is a column list, not a call.
            let names_table = i.checked_sub(2).is_some_and(|j| {
                ["INTO", "TABLE", "UPDATE", "JOIN", "FROM"].contains(&toks[j].text.as_str())
            });
            let tight = matches!(t.kind, Kind::Close | Kind::Comma | Kind::Dot)
                || matches!(p.kind, Kind::Open | Kind::Dot)
                || t.is(Kind::Op, "::")
                || p.is(Kind::Op, "::")
                || (t.kind == Kind::Open
                    && p.kind == Kind::Word
                    && !is_reserved(&p.text)
                    && !names_table);
            if !tight {
                s.push(' ');
            }
        }
        s.push_str(&t.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_values_lists_and_quotes() {
        assert_eq!(
            normalise(
                "select \"a\".\"id\" from \"a\" where \"a\".\"x\" in (1, -2, 'z') -- hi",
                Dialect::Postgres
            ),
            "SELECT a.id FROM a WHERE a.x IN (...)"
        );
        assert_eq!(
            normalise("INSERT INTO t (a) VALUES (1), (2), (-3)", Dialect::Sqlite),
            "INSERT INTO t (a) VALUES (?)"
        );
        assert_eq!(normalise("SELECT a - 1", Dialect::Sqlite), "SELECT a - ?");
        assert_eq!(
            normalise("SELECT count(*)", Dialect::Sqlite),
            "SELECT count(*)"
        );
    }
}
