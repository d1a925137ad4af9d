//! The wire watcher: a PostgreSQL wire-protocol proxy that counts and
//! fingerprints every statement, per connection and per request tag.
//!
//! The application connects to the watcher as if it were PostgreSQL; the
//! watcher connects to the real server and forwards every message unchanged
//! in both directions (authentication, simple and extended protocol, COPY,
//! notifications). It refuses SSL and GSS encryption requests with `N`, so
//! clients go on in clear text, and forwards cancel requests to the server.
//! A client that breaks the protocol gets an `ErrorResponse` (SQLSTATE
//! 08P01) and only its connection is closed.
//!
//! What is counted: each statement of a simple `Query` message, and each
//! first `Execute` of a bound portal (so a prepared statement counts once per
//! execution, never for its `Parse`). Statements are grouped by
//! [`fingerprint`](crate::fingerprint) and, when their SQL carries a
//! `/* djust_request=... */` comment ([`tag`]), by request id. The counts are
//! served as JSON by a small HTTP endpoint ([`Config::stats`]): `GET /stats`
//! returns a [`Snapshot`], `POST /reset` zeroes it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), djust_planner::wire::WireError> {
//! use djust_planner::wire::{Config, Watcher};
//!
//! let watcher = Watcher::bind(Config::default()).await?;
//! println!("proxy on {}", watcher.proxy_addr());
//! let stats = watcher.stats();
//! tokio::spawn(watcher.run());
//! // ... run queries through the proxy ...
//! println!("{} statements", stats.snapshot().total.statements);
//! # Ok(()) }
//! ```

mod analyse;
mod conn;
mod error;
mod frontend;
mod http;
mod stats;
pub mod tag;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use error::{ProtocolError, WireError};
pub use stats::{ConnectionStats, Counts, Snapshot, Stats};

/// Where the watcher listens and where PostgreSQL is.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the application connects to (port 0: any free port).
    pub listen: SocketAddr,
    /// The PostgreSQL server, `host:port`.
    pub upstream: String,
    /// Address of the JSON stats endpoint; `None` serves no endpoint.
    pub stats: Option<SocketAddr>,
}

impl Default for Config {
    /// Listens on 127.0.0.1:6432, stats on 127.0.0.1:6433, PostgreSQL at
    /// 127.0.0.1:5432.
    fn default() -> Self {
        Config {
            listen: ([127, 0, 0, 1], 6432).into(),
            upstream: "127.0.0.1:5432".into(),
            stats: Some(([127, 0, 0, 1], 6433).into()),
        }
    }
}

/// A bound, not yet running watcher.
pub struct Watcher {
    proxy: TcpListener,
    proxy_addr: SocketAddr,
    stats_listener: Option<(TcpListener, SocketAddr)>,
    shared: Arc<analyse::Shared>,
}

async fn listen(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), WireError> {
    let bind_err = |source| WireError::Bind {
        addr: addr.to_string(),
        source,
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    Ok((listener, local))
}

impl Watcher {
    /// Binds the proxy and stats listeners.
    pub async fn bind(config: Config) -> Result<Watcher, WireError> {
        let (proxy, proxy_addr) = listen(config.listen).await?;
        let stats_listener = match config.stats {
            Some(addr) => Some(listen(addr).await?),
            None => None,
        };
        Ok(Watcher {
            proxy,
            proxy_addr,
            stats_listener,
            shared: Arc::new(analyse::Shared::new(config.upstream)),
        })
    }

    /// The address clients connect to.
    pub fn proxy_addr(&self) -> SocketAddr {
        self.proxy_addr
    }

    /// The address of the stats endpoint, if any.
    pub fn stats_addr(&self) -> Option<SocketAddr> {
        self.stats_listener.as_ref().map(|(_, addr)| *addr)
    }

    /// The live statistics (also readable after [`run`](Self::run) starts).
    pub fn stats(&self) -> Arc<Stats> {
        self.shared.stats.clone()
    }

    /// Serves connections forever. Each connection runs in its own task, so
    /// one client's failure never reaches another.
    pub async fn run(self) {
        if let Some((listener, _)) = self.stats_listener {
            tokio::spawn(http::serve(listener, self.shared.stats.clone()));
        }
        loop {
            match self.proxy.accept().await {
                Ok((socket, peer)) => {
                    tokio::spawn(conn::serve(socket, peer, self.shared.clone()));
                }
                Err(e) => {
                    // Usually out of file descriptors: wait for some to close.
                    eprintln!("djust-wire: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }
}
