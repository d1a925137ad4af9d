//! The watcher under a hand-written client: SSL refusal, pipelines,
//! portals run in steps, garbage, cancel requests.
#![cfg(feature = "wire")]

mod wire_support;

use bytes::BytesMut;
use postgres_protocol::message::frontend;
use postgres_protocol::IsNull;
use sqlx::{Connection, PgConnection};
use tokio::io::AsyncReadExt;
use wire_support::*;

/// Bind `portal` to `statement` with text parameters.
fn bind(portal: &str, statement: &str, params: &[&str], buf: &mut BytesMut) {
    let r = frontend::bind(
        portal,
        statement,
        [0i16],
        params.iter().copied(),
        |p, out| {
            out.extend_from_slice(p.as_bytes());
            Ok(IsNull::No)
        },
        [0i16],
        buf,
    );
    assert!(r.is_ok(), "bind");
}

#[tokio::test]
async fn ssl_request_is_refused_cleanly() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let mut raw = Raw::connect(proxy.addr).await;
    let mut b = BytesMut::new();
    frontend::ssl_request(&mut b);
    raw.send(&b).await;
    let mut answer = [0u8; 1];
    raw.stream.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"N");
    // The client carries on unencrypted on the same connection.
    raw.startup(&unique("ssl")).await;
    assert_eq!(
        raw.simple("SELECT 40 + 2").await,
        [[Some("42".to_string())]]
    );
}

#[tokio::test]
async fn pipeline_counts_every_execute() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("pipeline");
    let mut raw = Raw::connect(proxy.addr).await;
    raw.startup(&app).await;
    // One write: Parse, three Bind/Execute pairs, an unnamed statement, Sync.
    let mut b = BytesMut::new();
    frontend::parse("s1", "SELECT $1::int4 * 10", [], &mut b).unwrap();
    for v in ["1", "2", "3"] {
        bind("", "s1", &[v], &mut b);
        frontend::execute("", 0, &mut b).unwrap();
    }
    frontend::parse("", "SELECT 'unnamed'", [], &mut b).unwrap();
    bind("", "", &[], &mut b);
    frontend::execute("", 0, &mut b).unwrap();
    frontend::sync(&mut b);
    raw.send(&b).await;
    let rows: Vec<_> = raw
        .until_ready()
        .await
        .iter()
        .filter(|m| m.tag == b'D')
        .map(|m| m.row())
        .collect();
    assert_eq!(
        rows,
        [["10"], ["20"], ["30"], ["unnamed"]].map(|r| r.map(|v| Some(v.to_string())).to_vec())
    );
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(stats.counts.statements, 4);
    assert_eq!(stats.counts.fingerprints["SELECT ?::INT4 * ?"], 3);
}

#[tokio::test]
async fn a_portal_run_in_steps_counts_once() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("portal");
    let mut raw = Raw::connect(proxy.addr).await;
    raw.startup(&app).await;
    raw.simple("BEGIN").await;
    let mut b = BytesMut::new();
    frontend::parse("", "SELECT g FROM generate_series(1, 3) g", [], &mut b).unwrap();
    bind("p", "", &[], &mut b);
    for _ in 0..3 {
        frontend::execute("p", 1, &mut b).unwrap();
    }
    frontend::sync(&mut b);
    raw.send(&b).await;
    let msgs = raw.until_ready().await;
    assert_eq!(msgs.iter().filter(|m| m.tag == b'D').count(), 3);
    assert!(msgs.iter().any(|m| m.tag == b's'), "PortalSuspended");
    raw.simple("COMMIT").await;
    let stats = connection(&proxy.stats.snapshot(), &app);
    assert_eq!(
        stats.counts.statements, 3,
        "BEGIN, the portal, COMMIT: {stats:#?}"
    );
}

#[tokio::test]
async fn garbled_bytes_close_only_that_connection() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let mut good = Raw::connect(proxy.addr).await;
    good.startup(&unique("good")).await;
    let mut bad = Raw::connect(proxy.addr).await;
    bad.startup(&unique("bad")).await;
    bad.send(b"\x01\x02garbage that is no frontend message")
        .await;
    let error = bad.next().await.expect("an ErrorResponse before the close");
    assert_eq!(error.sqlstate().as_deref(), Some("08P01"));
    assert_eq!(bad.next().await, None, "then the connection is closed");
    // Garbage instead of a startup packet gets the same treatment.
    let mut http = Raw::connect(proxy.addr).await;
    http.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(
        http.next().await.and_then(|m| m.sqlstate()).as_deref(),
        Some("08P01")
    );
    assert_eq!(http.next().await, None);
    // The well-behaved client never noticed.
    assert_eq!(
        good.simple("SELECT 'still here'").await,
        [[Some("still here".to_string())]]
    );
    assert_eq!(proxy.stats.snapshot().protocol_errors, 2);
}

#[tokio::test]
async fn cancel_request_is_forwarded() {
    if !postgres_available().await {
        return;
    }
    let proxy = start_proxy().await;
    let app = unique("cancel");
    let mut raw = Raw::connect(proxy.addr).await;
    raw.startup(&app).await;
    let (pid, key) = raw.backend_key.expect("BackendKeyData");
    let mut b = BytesMut::new();
    frontend::query("SELECT pg_sleep(600)", &mut b).unwrap();
    raw.send(&b).await;
    // Wait until the server is running the query, so the cancel has a target.
    let mut direct = PgConnection::connect_with(&direct_options("cancel-watch"))
        .await
        .unwrap();
    loop {
        let active: bool = sqlx::query_scalar(
            "SELECT count(*) = 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'",
        )
        .bind(pid)
        .fetch_one(&mut direct)
        .await
        .unwrap();
        if active {
            break;
        }
        tokio::task::yield_now().await;
    }
    let mut canceller = Raw::connect(proxy.addr).await;
    let mut b = BytesMut::new();
    frontend::cancel_request(pid, key, &mut b);
    canceller.send(&b).await;
    let msgs = raw.until_ready().await;
    let codes: Vec<_> = msgs.iter().filter_map(|m| m.sqlstate()).collect();
    assert_eq!(codes, ["57014"], "query_canceled");
    assert_eq!(
        raw.simple("SELECT 'after cancel'").await,
        [[Some("after cancel".to_string())]]
    );
    assert_eq!(proxy.stats.snapshot().cancel_requests, 1);
}
