//! The watcher between sqlx and the real PostgreSQL: same results as a
//! direct connection, exact counts, COPY, LISTEN/NOTIFY, 50 connections.
#![cfg(feature = "wire")]

mod wire_support;

use djust_planner::wire::tag::tag_sql;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};
use wire_support::*;

type Rows = Vec<Vec<Option<String>>>;

/// Each query returns text columns, so rows compare as strings.
const QUERIES: &[&str] = &[
    "SELECT 1::text, 'two', NULL::text",
    "SELECT g::text, (g * 1.5)::text, md5(g::text) FROM generate_series(1, 200) g",
    "SELECT typname::text, typlen::text FROM pg_type WHERE oid < 30 ORDER BY oid",
    "SELECT ARRAY[1, 2, NULL]::text, '{\"a\": [1, 2]}'::jsonb::text, 'é ☃'::text",
    "SELECT repeat('x', 100000)",
];

async fn run_all(conn: &mut PgConnection) -> (Vec<Rows>, Vec<Rows>) {
    let mut simple = Vec::new();
    let mut extended = Vec::new();
    for q in QUERIES {
        let rows = sqlx::raw_sql(AssertSqlSafe(*q))
            .fetch_all(&mut *conn)
            .await
            .expect(q);
        simple.push(text_rows(&rows));
        let rows = sqlx::query(AssertSqlSafe(*q))
            .fetch_all(&mut *conn)
            .await
            .expect(q);
        extended.push(text_rows(&rows));
    }
    (simple, extended)
}

fn text_rows(rows: &[sqlx::postgres::PgRow]) -> Rows {
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<Option<String>, _>(i).expect("text column"))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn results_match_a_direct_connection() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let mut direct = PgConnection::connect_with(&direct_options("direct"))
        .await
        .unwrap();
    let app = unique("match");
    let mut proxied = PgConnection::connect_with(&proxied_options(&proxy, &app))
        .await
        .unwrap();
    assert_eq!(run_all(&mut direct).await, run_all(&mut proxied).await);
    // An error comes back the same way too.
    let d = sqlx::query("SELECT 1/0")
        .fetch_one(&mut direct)
        .await
        .unwrap_err();
    let p = sqlx::query("SELECT 1/0")
        .fetch_one(&mut proxied)
        .await
        .unwrap_err();
    assert_eq!(d.to_string(), p.to_string());
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(stats.counts.statements, 2 * QUERIES.len() as u64 + 1);
}

#[tokio::test]
async fn counts_simple_queries_exactly() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("simple");
    let mut conn = PgConnection::connect_with(&proxied_options(&proxy, &app))
        .await
        .unwrap();
    for n in 0..3 {
        sqlx::raw_sql(AssertSqlSafe(format!("SELECT {n}")))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    sqlx::raw_sql("SELECT 'a;b'; SELECT relname FROM pg_class WHERE oid IN (1, 2, 3)")
        .execute(&mut conn)
        .await
        .unwrap();
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(stats.counts.statements, 5);
    assert_eq!(stats.counts.fingerprints["SELECT ?"], 4);
    assert_eq!(
        stats.counts.fingerprints["SELECT relname FROM pg_class WHERE oid IN (...)"],
        1
    );
}

#[tokio::test]
async fn counts_prepared_statement_executions_not_parses() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("prepared");
    let mut conn = PgConnection::connect_with(&proxied_options(&proxy, &app))
        .await
        .unwrap();
    for i in 0..5_i32 {
        // sqlx prepares once (Parse, Describe), then Bind/Execute each time.
        let v: i32 = sqlx::query_scalar("SELECT $1::int4 + 1")
            .bind(i)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(v, i + 1);
    }
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(stats.counts.statements, 5, "{stats:#?}");
    assert_eq!(stats.counts.fingerprints["SELECT ?::INT4 + ?"], 5);
}

#[tokio::test]
async fn counts_per_request_tag_across_connections() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let tag = unique("GET /books/?page=2 */");
    let mut a = PgConnection::connect_with(&proxied_options(&proxy, &unique("tag-a")))
        .await
        .unwrap();
    let mut b = PgConnection::connect_with(&proxied_options(&proxy, &unique("tag-b")))
        .await
        .unwrap();
    let books = tag_sql("SELECT oid FROM pg_class WHERE oid = $1", &tag);
    for i in 0..3 {
        sqlx::query(AssertSqlSafe(books.clone()))
            .bind(i)
            .fetch_all(&mut a)
            .await
            .unwrap();
    }
    sqlx::raw_sql(AssertSqlSafe(tag_sql("SELECT 1", &tag)))
        .execute(&mut b)
        .await
        .unwrap();
    sqlx::raw_sql("SELECT 2").execute(&mut b).await.unwrap();
    let snapshot = proxy.stats.snapshot();
    let counts = &snapshot.requests[&tag];
    assert_eq!(counts.statements, 4);
    assert_eq!(
        counts.fingerprints["SELECT oid FROM pg_class WHERE oid = ?"],
        3
    );
    assert_eq!(counts.fingerprints["SELECT ?"], 1);
    assert_eq!(snapshot.total.statements, 5);
}

#[tokio::test]
async fn fifty_concurrent_connections_lose_nothing() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let run = unique("fifty");
    let tasks: Vec<_> = (0..50)
        .map(|c| {
            let options = proxied_options(&proxy, &format!("{run}-{c}"));
            let tag = run.clone();
            tokio::spawn(async move {
                let mut conn = PgConnection::connect_with(&options).await.unwrap();
                for i in 0..20_i64 {
                    let sql = tag_sql("SELECT $1::int8 * 2", &tag);
                    let v: i64 = if i % 2 == 0 {
                        sqlx::query_scalar(AssertSqlSafe(sql))
                            .bind(c * 100 + i)
                            .fetch_one(&mut conn)
                            .await
                            .unwrap()
                    } else {
                        let sql = tag_sql(&format!("SELECT {}::int8 * 2", c * 100 + i), &tag);
                        sqlx::raw_sql(AssertSqlSafe(sql))
                            .fetch_one(&mut conn)
                            .await
                            .unwrap()
                            .get(0)
                    };
                    assert_eq!(v, (c * 100 + i) * 2);
                }
                conn.close().await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let snapshot = proxy.stats.snapshot();
    assert_eq!(snapshot.requests[&run].statements, 1000);
    for c in 0..50 {
        assert_eq!(
            connection(&snapshot, &format!("{run}-{c}"))
                .counts
                .statements,
            20
        );
    }
}

#[tokio::test]
async fn copy_in_and_out_go_through() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("copy");
    let mut conn = PgConnection::connect_with(&proxied_options(&proxy, &app))
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TEMP TABLE wire_copy (id int, name text)")
        .execute(&mut conn)
        .await
        .unwrap();
    let data: String = (0..5000).map(|i| format!("{i}\tname {i}\n")).collect();
    let mut copy = conn.copy_in_raw("COPY wire_copy FROM STDIN").await.unwrap();
    for chunk in data.as_bytes().chunks(7000) {
        copy.send(chunk).await.unwrap();
    }
    assert_eq!(copy.finish().await.unwrap(), 5000);
    let out: Vec<bytes::Bytes> = conn
        .copy_out_raw("COPY wire_copy TO STDOUT")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(out.concat(), data.as_bytes());
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(stats.counts.statements, 3);
}

#[tokio::test]
async fn listen_notify_reaches_the_listener() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(proxied_options(&proxy, &unique("listen")))
        .await
        .unwrap();
    let mut listener = PgListener::connect_with(&pool).await.unwrap();
    let channel = unique("chan").replace('-', "_");
    listener.listen(&channel).await.unwrap();
    let mut direct = PgConnection::connect_with(&direct_options("notify"))
        .await
        .unwrap();
    sqlx::query("SELECT pg_notify($1, 'hello through the proxy')")
        .bind(&channel)
        .execute(&mut direct)
        .await
        .unwrap();
    let note = listener.recv().await.unwrap();
    assert_eq!(note.channel(), channel);
    assert_eq!(note.payload(), "hello through the proxy");
}
