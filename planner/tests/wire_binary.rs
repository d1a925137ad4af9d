//! The `djust-wire` program itself: started on free ports, it says where it
//! listens, proxies, and serves its counts over HTTP.
#![cfg(feature = "wire")]

mod wire_support;

use std::process::Stdio;

use djust_planner::wire::tag::tag_sql;
use djust_planner::wire::Snapshot;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;
use wire_support::*;

async fn http(addr: &str, method: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.expect("stats endpoint");
    let req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

#[tokio::test]
async fn the_binary_proxies_and_serves_stats() {
    if !postgres_available().await {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_djust-wire"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--stats",
            "127.0.0.1:0",
            "--upstream",
            "127.0.0.1:5432",
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start djust-wire");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).await.unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready line is JSON");
    let proxy = ready["proxy"].as_str().expect("proxy address").to_string();
    let stats = ready["stats"].as_str().expect("stats address").to_string();
    let port: u16 = proxy
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");

    let app = unique("binary");
    let mut conn = PgConnection::connect_with(&direct_options(&app).port(port))
        .await
        .unwrap();
    for i in 0..4_i32 {
        let sql = tag_sql("SELECT $1::int4", "req-7");
        let v: i32 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(i)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(v, i);
    }

    let (status, body) = http(&stats, "GET", "/stats").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let snapshot: Snapshot = serde_json::from_str(&body).expect("stats JSON");
    assert_eq!(snapshot.requests["req-7"].statements, 4);
    assert_eq!(snapshot.requests["req-7"].fingerprints["SELECT ?::INT4"], 4);
    assert_eq!(connection(&snapshot, &app).counts.statements, 4);

    let (status, _) = http(&stats, "POST", "/reset").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (_, body) = http(&stats, "GET", "/stats").await;
    let snapshot: Snapshot = serde_json::from_str(&body).unwrap();
    assert_eq!(snapshot.total.statements, 0);
    assert!(snapshot.requests.is_empty());
    assert_eq!(
        connection(&snapshot, &app).counts.statements,
        0,
        "open connections stay listed"
    );

    let (status, _) = http(&stats, "GET", "/nowhere").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    conn.close().await.unwrap();
    child.kill().await.unwrap();
}
