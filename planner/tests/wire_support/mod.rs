//! Shared by the `wire_*` tests: PostgreSQL presence, an in-process
//! watcher on free ports, sqlx options, and a raw protocol client for what
//! sqlx cannot do (pipelines, SSL requests, garbage, cancel requests).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use djust_planner::wire::{Config, ConnectionStats, Snapshot, Stats, Watcher};
use postgres_protocol::message::frontend;
use sqlx::postgres::PgConnectOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PG_HOST: &str = "127.0.0.1";
pub const PG_PORT: u16 = 5432;

/// Is PostgreSQL there? Under `CI=true` its absence fails the test;
/// otherwise the test is skipped with a message.
pub async fn postgres_available() -> bool {
    if TcpStream::connect((PG_HOST, PG_PORT)).await.is_ok() {
        return true;
    }
    let ci = std::env::var("CI")
        .is_ok_and(|v| matches!(v.to_lowercase().as_str(), "1" | "true" | "yes"));
    assert!(
        !ci,
        "CI=true: PostgreSQL is not running on {PG_HOST}:{PG_PORT}; `make services` starts it"
    );
    eprintln!(
        "skipped: PostgreSQL is not running on {PG_HOST}:{PG_PORT} (`make services` starts it)"
    );
    false
}

/// A watcher running in this process on free ports.
pub struct Proxy {
    pub addr: SocketAddr,
    pub stats_addr: SocketAddr,
    pub stats: Arc<Stats>,
}

pub async fn start_proxy() -> Proxy {
    let watcher = Watcher::bind(Config {
        listen: ([127, 0, 0, 1], 0).into(),
        upstream: format!("{PG_HOST}:{PG_PORT}"),
        stats: Some(([127, 0, 0, 1], 0).into()),
    })
    .await
    .expect("bind the watcher");
    let proxy = Proxy {
        addr: watcher.proxy_addr(),
        stats_addr: watcher.stats_addr().expect("stats endpoint"),
        stats: watcher.stats(),
    };
    tokio::spawn(watcher.run());
    proxy
}

/// A name no other test (or test run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn direct_options(app: &str) -> PgConnectOptions {
    PgConnectOptions::new()
        .host(PG_HOST)
        .port(PG_PORT)
        .username("postgres")
        .database("postgres")
        .application_name(app)
}

pub fn proxied_options(proxy: &Proxy, app: &str) -> PgConnectOptions {
    direct_options(app).port(proxy.addr.port())
}

/// The stats of the one connection opened with `application_name` `app`.
pub fn connection(snapshot: &Snapshot, app: &str) -> ConnectionStats {
    let found: Vec<_> = snapshot
        .connections
        .iter()
        .filter(|c| c.application_name == app)
        .collect();
    assert_eq!(found.len(), 1, "one connection named {app}: {snapshot:#?}");
    found[0].clone()
}

/// A backend message, decoded as far as the tests need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub tag: u8,
    pub body: Vec<u8>,
}

impl Msg {
    /// A DataRow's values as text (tests use the text format).
    pub fn row(&self) -> Vec<Option<String>> {
        assert_eq!(self.tag, b'D');
        let mut b = &self.body[..];
        let n = b.get_i16();
        (0..n)
            .map(|_| {
                let len = b.get_i32();
                (len >= 0).then(|| {
                    let v = String::from_utf8_lossy(&b[..len as usize]).into_owned();
                    b.advance(len as usize);
                    v
                })
            })
            .collect()
    }

    /// An ErrorResponse's SQLSTATE.
    pub fn sqlstate(&self) -> Option<String> {
        if self.tag != b'E' {
            return None;
        }
        self.body
            .split(|&b| b == 0)
            .find(|f| f.first() == Some(&b'C'))
            .map(|f| String::from_utf8_lossy(&f[1..]).into_owned())
    }
}

/// A client speaking the protocol by hand.
pub struct Raw {
    pub stream: TcpStream,
    buf: BytesMut,
    pub backend_key: Option<(i32, i32)>,
}

impl Raw {
    pub async fn connect(addr: SocketAddr) -> Raw {
        Raw {
            stream: TcpStream::connect(addr)
                .await
                .expect("connect to the proxy"),
            buf: BytesMut::new(),
            backend_key: None,
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("send");
    }

    /// Startup as `postgres` (trust auth) up to ReadyForQuery.
    pub async fn startup(&mut self, app: &str) {
        let mut b = BytesMut::new();
        frontend::startup_message(
            [
                ("user", "postgres"),
                ("database", "postgres"),
                ("application_name", app),
            ],
            &mut b,
        )
        .expect("startup message");
        self.send(&b).await;
        for m in self.until_ready().await {
            assert_ne!(m.tag, b'E', "startup failed: {:?}", m.sqlstate());
            if m.tag == b'K' {
                let mut body = &m.body[..];
                self.backend_key = Some((body.get_i32(), body.get_i32()));
            }
        }
    }

    /// The next message; `None` once the proxy closed the connection.
    pub async fn next(&mut self) -> Option<Msg> {
        loop {
            if self.buf.len() >= 5 {
                let len = i32::from_be_bytes(self.buf[1..5].try_into().ok()?) as usize;
                if self.buf.len() > len {
                    let tag = self.buf.get_u8();
                    self.buf.advance(4);
                    let body = self.buf.split_to(len - 4).to_vec();
                    return Some(Msg { tag, body });
                }
            }
            match self.stream.read_buf(&mut self.buf).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Messages up to and including ReadyForQuery.
    pub async fn until_ready(&mut self) -> Vec<Msg> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            let done = m.tag == b'Z';
            out.push(m);
            if done {
                return out;
            }
        }
        panic!("connection closed before ReadyForQuery: {out:?}");
    }

    /// Runs a simple query and returns its data rows.
    pub async fn simple(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        let mut b = BytesMut::new();
        frontend::query(sql, &mut b).expect("query");
        self.send(&b).await;
        let msgs = self.until_ready().await;
        if let Some(e) = msgs.iter().find(|m| m.tag == b'E') {
            panic!("{sql}: error {:?}", e.sqlstate());
        }
        msgs.iter()
            .filter(|m| m.tag == b'D')
            .map(Msg::row)
            .collect()
    }
}
