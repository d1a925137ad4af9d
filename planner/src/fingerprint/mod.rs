//! SQL fingerprints: the shape of a statement without its values.
//!
//! Two statements that differ only in literal values, placeholder style,
//! the length of an `IN (...)` list or of a multi-row `VALUES`, identifier
//! quoting, whitespace or comments get the same fingerprint. The N+1 audit
//! groups statements by it, and the wire watcher counts them by it.
//!
//! ```
//! use djust_planner::{fingerprint, Dialect};
//!
//! let a = fingerprint(r#"SELECT "b"."id" FROM "b" WHERE "b"."id" IN (%s, %s) LIMIT 21"#, Dialect::Postgres);
//! let b = fingerprint("select b.id from b where b.id in (7) limit 5", Dialect::Postgres);
//! assert_eq!(a, b);
//! assert_eq!(a.text, "SELECT b.id FROM b WHERE b.id IN (...) LIMIT ?");
//! ```
//!
//! The SQL is parsed with sqlparser; input it cannot parse goes through a
//! token-level normaliser applying the same rules, so [`fingerprint`] never
//! fails.

mod ast;
mod ident;
mod lexer;
mod tokens;

use std::fmt;
use std::str::FromStr;

use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};

/// The SQL dialects djust's databases speak, named after Django's
/// `connection.vendor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL (`"postgresql"`).
    Postgres,
    /// SQLite (`"sqlite"`).
    Sqlite,
    /// MySQL and MariaDB (`"mysql"`).
    Mysql,
}

impl Dialect {
    /// Every dialect, for tests that run "each dialect".
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Sqlite, Dialect::Mysql];

    /// The sqlparser dialect that parses this vendor's SQL.
    fn parser_dialect(self) -> Box<dyn sqlparser::dialect::Dialect> {
        match self {
            Dialect::Postgres => Box::new(PostgreSqlDialect {}),
            Dialect::Sqlite => Box::new(SQLiteDialect {}),
            Dialect::Mysql => Box::new(MySqlDialect {}),
        }
    }

    /// Does a backslash escape the next character inside `'...'`?
    fn backslash_escapes_in_strings(self) -> bool {
        self == Dialect::Mysql
    }

    /// The placeholder sqlparser reads for this dialect, written in place of
    /// Django's `%s` before parsing (`?` is an operator in PostgreSQL).
    fn parser_placeholder(self) -> &'static str {
        match self {
            Dialect::Postgres => "$1",
            Dialect::Sqlite | Dialect::Mysql => "?",
        }
    }
}

/// A vendor name that is not a known dialect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SQL dialect {0:?}: expected \"postgresql\", \"sqlite\" or \"mysql\"")]
pub struct UnknownDialect(pub String);

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Reads Django's `connection.vendor` names (`"postgresql"`, `"sqlite"`,
    /// `"mysql"`), plus `"postgres"`, `"sqlite3"` and `"mariadb"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" => Ok(Dialect::Postgres),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            _ => Err(UnknownDialect(s.to_string())),
        }
    }
}

/// The fingerprint of a statement (or of several, joined by `"; "`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Readable normalised SQL, shown to users in the audit report.
    pub text: String,
    /// A stable 64-bit hash of `text` (FNV-1a), the same on every platform
    /// and release.
    pub hash: u64,
}

impl Fingerprint {
    fn new(text: String) -> Self {
        let hash = fnv1a(text.as_bytes());
        Fingerprint { text, hash }
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// FNV-1a, 64 bits: tiny, and unlike `DefaultHasher` stable across releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The fingerprint of `sql` in `dialect`. Never fails: what sqlparser cannot
/// parse is normalised token by token.
pub fn fingerprint(sql: &str, dialect: Dialect) -> Fingerprint {
    let texts: Vec<String> = fingerprint_statements(sql, dialect)
        .into_iter()
        .map(|f| f.text)
        .collect();
    Fingerprint::new(texts.join("; "))
}

/// One fingerprint per statement of `sql` (split at top-level `;`), as a
/// simple-protocol query may carry several. Empty statements are skipped.
pub fn fingerprint_statements(sql: &str, dialect: Dialect) -> Vec<Fingerprint> {
    lexer::split_statements(sql, dialect)
        .into_iter()
        .map(|(start, end)| Fingerprint::new(statement_text(&sql[start..end], dialect)))
        .collect()
}

/// Did sqlparser parse `sql` (rather than the token-level fallback)? For
/// tests and diagnostics.
pub fn parses(sql: &str, dialect: Dialect) -> bool {
    parse_path(sql, dialect).is_some()
}

fn statement_text(sql: &str, dialect: Dialect) -> String {
    parse_path(sql, dialect).unwrap_or_else(|| tokens::normalise(sql, dialect))
}

fn parse_path(sql: &str, dialect: Dialect) -> Option<String> {
    let rewritten = lexer::rewrite_pyformat(sql, dialect);
    // sqlparser is not supposed to panic, but a fingerprint must never take
    // a caller down with it (the wire watcher sees every client's SQL).
    std::panic::catch_unwind(|| ast::normalise(&rewritten, dialect))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests;
