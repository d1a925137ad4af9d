//! What the watcher has seen: statement counts per connection and per
//! request tag, each with a count per fingerprint.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::Fingerprint;

/// Statements counted, in total and per fingerprint text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Statements sent for execution.
    pub statements: u64,
    /// Statements per fingerprint text.
    pub fingerprints: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, fp: &Fingerprint) {
        self.statements += 1;
        // Look up before inserting: a repeated fingerprint costs no allocation.
        match self.fingerprints.get_mut(&fp.text) {
            Some(n) => *n += 1,
            None => {
                self.fingerprints.insert(fp.text.clone(), 1);
            }
        }
    }
}

/// One client connection as the watcher saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStats {
    /// The watcher's id for the connection, in accept order from 1.
    pub id: u64,
    /// The client's address.
    pub peer: String,
    /// `user` from the startup message.
    pub user: String,
    /// `database` from the startup message (defaults to the user).
    pub database: String,
    /// `application_name` from the startup message, if any.
    pub application_name: String,
    /// Is the connection still open?
    pub open: bool,
    /// Its statements.
    #[serde(flatten)]
    pub counts: Counts,
}

/// A copy of all the statistics, as `GET /stats` serves it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// All statements since start or the last reset.
    pub total: Counts,
    /// Connections, open ones and those closed since the last reset, by id.
    pub connections: Vec<ConnectionStats>,
    /// Tagged statements per request id.
    pub requests: BTreeMap<String, Counts>,
    /// Cancel requests forwarded.
    pub cancel_requests: u64,
    /// Connections closed because the client broke the protocol.
    pub protocol_errors: u64,
}

/// The live statistics, shared by every connection task.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    // Ids only grow and connections are pushed in id order, so
    // `snapshot.connections` stays sorted by id for binary search.
    snapshot: Snapshot,
}

/// Who opened a connection, from its startup message.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    /// `user`.
    pub user: String,
    /// `database`.
    pub database: String,
    /// `application_name`.
    pub application_name: String,
}

impl Stats {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves plain counters
        // behind; they are still worth reading.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection and returns its id.
    pub fn open(&self, peer: SocketAddr, startup: &Startup) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.snapshot.connections.push(ConnectionStats {
            id,
            peer: peer.to_string(),
            user: startup.user.clone(),
            database: startup.database.clone(),
            application_name: startup.application_name.clone(),
            open: true,
            counts: Counts::default(),
        });
        id
    }

    /// Marks connection `id` closed.
    pub fn close(&self, id: u64) {
        if let Some(c) = self.lock().connection_mut(id) {
            c.open = false;
        }
    }

    /// Counts statements run on connection `id`, under request `tag` if any.
    pub fn record(&self, id: u64, tag: Option<&str>, statements: &[Fingerprint]) {
        if statements.is_empty() {
            return;
        }
        let mut inner = self.lock();
        for fp in statements {
            inner.snapshot.total.add(fp);
        }
        if let Some(c) = inner.connection_mut(id) {
            for fp in statements {
                c.counts.add(fp);
            }
        }
        if let Some(tag) = tag {
            let counts = inner.snapshot.requests.entry(tag.to_string()).or_default();
            for fp in statements {
                counts.add(fp);
            }
        }
    }

    /// Counts a forwarded cancel request.
    pub fn cancel_request(&self) {
        self.lock().snapshot.cancel_requests += 1;
    }

    /// Counts a connection closed for a protocol violation.
    pub fn protocol_error(&self) {
        self.lock().snapshot.protocol_errors += 1;
    }

    /// A copy of everything.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().snapshot.clone()
    }

    /// Zeroes every count and forgets closed connections.
    pub fn reset(&self) {
        let mut inner = self.lock();
        let snapshot = &mut inner.snapshot;
        snapshot.connections.retain(|c| c.open);
        for c in &mut snapshot.connections {
            c.counts = Counts::default();
        }
        snapshot.total = Counts::default();
        snapshot.requests.clear();
        snapshot.cancel_requests = 0;
        snapshot.protocol_errors = 0;
    }
}

impl Inner {
    fn connection_mut(&mut self, id: u64) -> Option<&mut ConnectionStats> {
        let conns = &mut self.snapshot.connections;
        let i = conns.binary_search_by_key(&id, |c| c.id).ok()?;
        conns.get_mut(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fingerprint, Dialect};

    #[test]
    fn counts_per_connection_and_tag_and_resets() {
        let stats = Stats::default();
        let peer: SocketAddr = ([127, 0, 0, 1], 1).into();
        let a = stats.open(peer, &Startup::default());
        let b = stats.open(peer, &Startup::default());
        let q = fingerprint("SELECT 1", Dialect::Postgres);
        stats.record(a, Some("r1"), &[q.clone(), q.clone()]);
        stats.record(b, None, std::slice::from_ref(&q));
        stats.close(a);
        let s = stats.snapshot();
        assert_eq!(s.total.statements, 3);
        assert_eq!(s.connections[0].counts.statements, 2);
        assert!(!s.connections[0].open);
        assert_eq!(s.requests["r1"].fingerprints["SELECT ?"], 2);
        stats.reset();
        let s = stats.snapshot();
        assert_eq!(s.connections.len(), 1);
        assert_eq!(s.connections[0].id, b);
        assert_eq!(s.total, Counts::default());
    }
}
