//! Identifier quoting, normalised the same way in the AST and token paths.
//!
//! `"books_book"."id"`, `` `books_book`.`id` `` and `books_book.id` name the
//! same column, so a fingerprint writes them all `books_book.id`. A quoted
//! identifier keeps (double) quotes only when it needs them: upper-case
//! letters, other characters, or a reserved word.

/// Reserved words that cannot be bare identifiers in the fingerprint, and the
/// keywords the token path upper-cases. Sorted for binary search.
const RESERVED: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "COMMIT",
    "CONFLICT",
    "CREATE",
    "CROSS",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "FALSE",
    "FETCH",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "ILIKE",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NOTHING",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "RELEASE",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "TRUE",
    "UNION",
    "UPDATE",
    "USER",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
];

/// Is `word` (any case) one of the reserved words?
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED
        .binary_search_by(|probe| {
            probe
                .bytes()
                .cmp(word.bytes().map(|b| b.to_ascii_uppercase()))
        })
        .is_ok()
}

/// Can `value` be written without quotes and mean the same identifier?
pub(crate) fn is_plain(value: &str) -> bool {
    let mut chars = value.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_reserved(value)
}

/// How a fingerprint writes an identifier: bare when it can be, else in
/// double quotes. An identifier that was not quoted stays as written.
pub(crate) fn display_ident(value: &str, quoted: bool) -> String {
    if !quoted || is_plain(value) {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_and_case_insensitive() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(is_reserved("order") && is_reserved("Order") && !is_reserved("orders"));
    }

    #[test]
    fn plain_identifiers_lose_their_quotes() {
        assert_eq!(display_ident("books_book", true), "books_book");
        assert_eq!(display_ident("order", true), "\"order\"");
        assert_eq!(display_ident("Book", true), "\"Book\"");
        assert_eq!(display_ident("a\"b", true), "\"a\"\"b\"");
        assert_eq!(display_ident("Book", false), "Book");
    }
}
