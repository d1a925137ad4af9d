//! Fingerprints of real Django SQL shapes, and property tests.
use proptest::prelude::*;

use super::*;

fn fp(sql: &str, d: Dialect) -> String {
    let f = fingerprint(sql, d);
    assert!(parses(sql, d), "sqlparser should read {sql}");
    f.text
}

#[test]
fn select_with_joins_in_list_and_limit() {
    let sql = r#"SELECT "books_book"."id", "books_book"."title", "books_author"."name" FROM "books_book" INNER JOIN "books_author" ON ("books_book"."author_id" = "books_author"."id") WHERE "books_book"."id" IN (%s, %s, %s) ORDER BY "books_book"."title" ASC LIMIT 21"#;
    assert_eq!(
        fp(sql, Dialect::Postgres),
        "SELECT books_book.id, books_book.title, books_author.name FROM books_book \
         INNER JOIN books_author ON (books_book.author_id = books_author.id) \
         WHERE books_book.id IN (...) ORDER BY books_book.title ASC LIMIT ?"
    );
}

#[test]
fn insert_returning_collapses_rows() {
    let one = r#"INSERT INTO "books_book" ("title", "author_id") VALUES (%s, %s) RETURNING "books_book"."id""#;
    let many = r#"INSERT INTO "books_book" ("title", "author_id") VALUES (%s, %s), (%s, %s), (%s, %s) RETURNING "books_book"."id""#;
    assert_eq!(
        fp(one, Dialect::Postgres),
        "INSERT INTO books_book (title, author_id) VALUES (?, ?) RETURNING books_book.id"
    );
    assert_eq!(fp(many, Dialect::Postgres), fp(one, Dialect::Postgres));
}

#[test]
fn update_and_delete() {
    assert_eq!(
        fp(
            r#"UPDATE "books_book" SET "title" = %s WHERE "books_book"."id" = %s"#,
            Dialect::Postgres
        ),
        "UPDATE books_book SET title = ? WHERE books_book.id = ?"
    );
    assert_eq!(
        fp(
            r#"DELETE FROM "books_book" WHERE "books_book"."id" IN (1, 2)"#,
            Dialect::Sqlite
        ),
        "DELETE FROM books_book WHERE books_book.id IN (...)"
    );
}

#[test]
fn savepoint_names_are_values() {
    for (a, b, want) in [
        (
            r#"SAVEPOINT "s140234_x1""#,
            r#"SAVEPOINT "s99_x7""#,
            "SAVEPOINT ?",
        ),
        (
            r#"RELEASE SAVEPOINT "s1_x1""#,
            r#"RELEASE SAVEPOINT "s2_x2""#,
            "RELEASE SAVEPOINT ?",
        ),
        (
            r#"ROLLBACK TO SAVEPOINT "s1_x1""#,
            r#"ROLLBACK TO SAVEPOINT s2"#,
            "ROLLBACK TO SAVEPOINT ?",
        ),
    ] {
        assert_eq!(fp(a, Dialect::Postgres), want);
        assert_eq!(fp(b, Dialect::Postgres), want);
    }
}

#[test]
fn postgres_ilike_and_casts() {
    assert_eq!(
        fp(
            r#"SELECT "a"."id" FROM "a" WHERE UPPER("a"."name"::text) LIKE UPPER(%s) AND "a"."name"::text ILIKE %s AND "a"."ts" > '2024-01-01'::timestamptz"#,
            Dialect::Postgres
        ),
        "SELECT a.id FROM a WHERE UPPER(a.name::TEXT) LIKE UPPER(?) AND a.name::TEXT ILIKE ? AND a.ts > ?::TIMESTAMPTZ"
    );
}

#[test]
fn mysql_backticks_match_postgres_quotes() {
    let my = fp(
        "SELECT `books_book`.`id` FROM `books_book` WHERE `books_book`.`id` IN (%s, %s) LIMIT 21",
        Dialect::Mysql,
    );
    let pg = fp(
        r#"SELECT "books_book"."id" FROM "books_book" WHERE "books_book"."id" IN ($1) LIMIT 5"#,
        Dialect::Postgres,
    );
    assert_eq!(my, pg);
    assert_eq!(
        my,
        "SELECT books_book.id FROM books_book WHERE books_book.id IN (...) LIMIT ?"
    );
}

#[test]
fn sqlite_escape_clause_and_placeholder_styles() {
    let want = "SELECT a.id FROM a WHERE a.name LIKE ? ESCAPE ? AND a.x = ? AND a.y = ?";
    assert_eq!(
        fp(
            r#"SELECT "a"."id" FROM "a" WHERE "a"."name" LIKE %s ESCAPE '\' AND "a"."x" = ? AND "a"."y" = :y"#,
            Dialect::Sqlite
        ),
        want
    );
}

#[test]
fn quoting_that_matters_is_kept() {
    assert_eq!(
        fp(
            r#"SELECT "t"."order", "t"."Name" FROM "t""#,
            Dialect::Postgres
        ),
        r#"SELECT t."order", t."Name" FROM t"#
    );
}

#[test]
fn negative_numbers_and_comments() {
    assert_eq!(
        fp(
            "SELECT a FROM t WHERE a = -5 /* djust_request=x */",
            Dialect::Postgres
        ),
        fp("SELECT a FROM t WHERE a = 7", Dialect::Postgres)
    );
}

#[test]
fn several_statements() {
    let f = fingerprint_statements("SELECT 1; SELECT 'a;b' ; ;", Dialect::Postgres);
    assert_eq!(f.len(), 2);
    assert_eq!(
        fingerprint("SELECT 1; SELECT 2", Dialect::Postgres).text,
        "SELECT ?; SELECT ?"
    );
}

#[test]
fn unparsable_sql_uses_the_token_normaliser() {
    let sql = "SELEKT \"a\" FROM t WHERE x IN (1, 2, 'three') AND y = %s";
    assert!(!parses(sql, Dialect::Postgres));
    assert_eq!(
        fingerprint(sql, Dialect::Postgres).text,
        "SELEKT a FROM t WHERE x IN (...) AND y = ?"
    );
}

#[test]
fn dialect_names() {
    assert_eq!("postgresql".parse(), Ok(Dialect::Postgres));
    assert_eq!("postgres".parse(), Ok(Dialect::Postgres));
    assert_eq!("sqlite".parse(), Ok(Dialect::Sqlite));
    assert_eq!("mysql".parse(), Ok(Dialect::Mysql));
    assert!("oracle".parse::<Dialect>().is_err());
}

#[test]
fn hash_is_stable() {
    // FNV-1a of "SELECT ?": fixed forever, so stored reports stay comparable.
    assert_eq!(
        fingerprint("select 1", Dialect::Sqlite).hash,
        fnv1a(b"SELECT ?")
    );
    assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
}

// ---- property tests -------------------------------------------------------

/// A literal value in one of the spellings Django or a person might use.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f32>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        "[a-zA-Z0-9 ;,()%*/'-]{0,12}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        Just("%s".to_string()),
        Just("NULL".to_string()),
        Just("TRUE".to_string()),
    ]
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}".prop_filter("not reserved", |s| !ident::is_reserved(s))
}

/// How to write an identifier: bare, or quoted the dialect's way.
fn write_ident(name: &str, quoted: bool, d: Dialect) -> String {
    match (quoted, d) {
        (false, _) => name.to_string(),
        (true, Dialect::Mysql) => format!("`{name}`"),
        (true, _) => format!("\"{name}\""),
    }
}

#[derive(Debug, Clone)]
struct Shape {
    table: String,
    cols: Vec<String>,
    kind: u8,
}

fn shape() -> impl Strategy<Value = Shape> {
    (ident(), prop::collection::vec(ident(), 1..4), 0u8..4).prop_map(|(table, cols, kind)| Shape {
        table,
        cols,
        kind,
    })
}

/// Renders a shape with the given values (cycled), list length and quoting.
fn render(s: &Shape, d: Dialect, vals: &[String], n: usize, quoted: bool, space: &str) -> String {
    let q = |x: &str| write_ident(x, quoted, d);
    let t = q(&s.table);
    let col = |i: usize| format!("{t}.{}", q(&s.cols[i % s.cols.len()]));
    let v = |i: usize| vals[i % vals.len()].clone();
    let list = (0..n).map(v).collect::<Vec<_>>().join(&format!(",{space}"));
    match s.kind {
        0 => format!(
            "SELECT {}{space}FROM {t} WHERE {} = {} AND {} IN ({list}) LIMIT {}",
            (0..s.cols.len()).map(col).collect::<Vec<_>>().join(", "),
            col(0),
            v(1),
            col(1),
            v(2).trim_start_matches('-')
                .replace("NULL", "1")
                .replace("TRUE", "1")
                .replace("%s", "1")
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                + "1",
        ),
        1 => {
            let cols = s.cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
            let row = |r: usize| {
                format!(
                    "({})",
                    (0..s.cols.len())
                        .map(|i| v(r * 7 + i))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let rows = (0..n)
                .map(row)
                .collect::<Vec<_>>()
                .join(&format!(",{space}"));
            format!("INSERT INTO {t} ({cols}) VALUES {rows}")
        }
        2 => format!(
            "UPDATE {t} SET {} = {}{space}WHERE {} = {}",
            q(&s.cols[0]),
            v(0),
            col(0),
            v(1)
        ),
        _ => format!("DELETE FROM {t} WHERE {} IN ({list})", col(0)),
    }
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just(Dialect::Postgres),
        Just(Dialect::Sqlite),
        Just(Dialect::Mysql)
    ]
}

proptest! {
    #[test]
    fn same_shape_different_values_same_fingerprint(
        s in shape(),
        d in dialect(),
        a in prop::collection::vec(literal(), 1..6),
        b in prop::collection::vec(literal(), 1..6),
        na in 1usize..30,
        nb in 1usize..30,
        qa in any::<bool>(),
        qb in any::<bool>(),
    ) {
        let x = render(&s, d, &a, na, qa, " ");
        let y = render(&s, d, &b, nb, qb, "\n\t ");
        prop_assert!(parses(&x, d), "does not parse: {}", x);
        prop_assert_eq!(fingerprint(&x, d), fingerprint(&y, d), "{} vs {}", x, y);
    }

    #[test]
    fn different_table_or_column_different_fingerprint(
        s in shape(),
        d in dialect(),
        other in ident(),
        vals in prop::collection::vec(literal(), 1..4),
        rename_table in any::<bool>(),
    ) {
        let mut t = s.clone();
        if rename_table {
            prop_assume!(other != s.table && !s.cols.contains(&other));
            t.table = other;
        } else {
            prop_assume!(!s.cols.contains(&other) && other != s.table);
            t.cols[0] = other;
        }
        let x = render(&s, d, &vals, 2, true, " ");
        let y = render(&t, d, &vals, 2, false, " ");
        prop_assert_ne!(fingerprint(&x, d), fingerprint(&y, d));
    }

    #[test]
    fn arbitrary_input_never_panics(sql in any::<String>(), d in dialect()) {
        let f = fingerprint(&sql, d);
        prop_assert_eq!(f.hash, fnv1a(f.text.as_bytes()));
    }

    #[test]
    fn sql_like_garbage_falls_back_to_tokens(
        sql in "[a-zA-Z0-9 '\"`(),;.*%$?:=<>/-]{0,60}",
        d in dialect(),
    ) {
        let expected: Vec<String> = lexer::split_statements(&sql, d)
            .into_iter()
            .map(|(a, b)| &sql[a..b])
            .map(|stmt| if parses(stmt, d) {
                fingerprint(stmt, d).text
            } else {
                tokens::normalise(stmt, d)
            })
            .collect();
        prop_assert_eq!(fingerprint(&sql, d).text, expected.join("; "));
    }

    #[test]
    fn token_normaliser_ignores_values_and_whitespace(
        s in shape(),
        d in dialect(),
        a in prop::collection::vec(literal(), 1..5),
        b in prop::collection::vec(literal(), 1..5),
        n in 1usize..20,
    ) {
        // The fallback alone keeps the same promise as the AST path.
        let x = render(&s, d, &a, n, true, " ");
        let y = render(&s, d, &b, n + 3, false, "  ");
        prop_assert_eq!(tokens::normalise(&x, d), tokens::normalise(&y, d));
    }
}
