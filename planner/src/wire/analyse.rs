//! From frontend messages to counted fingerprints: the per-connection
//! bookkeeping of prepared statements and portals, and a shared cache so a
//! repeated statement is fingerprinted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use super::frontend::Message;
use super::stats::Stats;
use super::tag;
use crate::{fingerprint_statements, Dialect, Fingerprint};

/// Fingerprints kept in the cache.
const CACHE_ENTRIES: usize = 4096;
/// Longer SQL is fingerprinted every time rather than cached.
const CACHE_MAX_SQL: usize = 16 * 1024;

/// What every connection task shares.
pub(crate) struct Shared {
    pub upstream: String,
    pub stats: Arc<Stats>,
    cache: Mutex<LruCache<String, Arc<[Fingerprint]>>>,
}

/// A statement's SQL, analysed: its request tag and fingerprints.
#[derive(Debug)]
pub(crate) struct Analysed {
    tag: Option<String>,
    fingerprints: Arc<[Fingerprint]>,
}

impl Shared {
    pub fn new(upstream: String) -> Shared {
        Shared {
            upstream,
            stats: Arc::default(),
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<[Fingerprint]>>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tag and fingerprints of `sql`; the tag comment is left out of the
    /// cache key, as it changes with every request.
    pub fn analyse(&self, sql: &str) -> Analysed {
        let (tag, key) = match tag::extract(sql) {
            Some((id, rest)) => (Some(id), Cow::Owned(rest)),
            None => (None, Cow::Borrowed(sql)),
        };
        if let Some(hit) = self.cache().get(key.as_ref()) {
            return Analysed {
                tag,
                fingerprints: hit.clone(),
            };
        }
        let fingerprints: Arc<[Fingerprint]> =
            fingerprint_statements(&key, Dialect::Postgres).into();
        if key.len() <= CACHE_MAX_SQL {
            self.cache().put(key.into_owned(), fingerprints.clone());
        }
        Analysed { tag, fingerprints }
    }
}

struct Portal {
    statement: Option<Arc<Analysed>>,
    executed: bool,
}

/// One connection's prepared statements and portals.
pub(crate) struct Session {
    id: u64,
    statements: HashMap<String, Arc<Analysed>>,
    portals: HashMap<String, Portal>,
}

impl Session {
    pub fn new(id: u64) -> Session {
        Session {
            id,
            statements: HashMap::new(),
            portals: HashMap::new(),
        }
    }

    /// Updates the bookkeeping for one message and counts what it runs.
    pub fn account(&mut self, message: Message<'_>, shared: &Shared) {
        match message {
            Message::Query(sql) => {
                let a = shared.analyse(sql);
                shared
                    .stats
                    .record(self.id, a.tag.as_deref(), &a.fingerprints);
            }
            Message::Parse { name, query } => {
                self.statements
                    .insert(name.to_string(), Arc::new(shared.analyse(query)));
            }
            Message::Bind { portal, statement } => {
                let statement = self.statements.get(statement).cloned();
                self.portals.insert(
                    portal.to_string(),
                    Portal {
                        statement,
                        executed: false,
                    },
                );
            }
            Message::Execute { portal } => {
                // A portal run in several steps (row limit, PortalSuspended)
                // is one statement: count its first Execute only.
                if let Some(p) = self.portals.get_mut(portal) {
                    if !p.executed {
                        p.executed = true;
                        if let Some(a) = &p.statement {
                            shared
                                .stats
                                .record(self.id, a.tag.as_deref(), &a.fingerprints);
                        }
                    }
                }
            }
            Message::Close { kind: b'S', name } => {
                self.statements.remove(name);
            }
            Message::Close { name, .. } => {
                self.portals.remove(name);
            }
            Message::Other => {}
        }
    }
}
