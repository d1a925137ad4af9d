//! A bounded LRU of plans with hit/miss counters.
//!
//! Keyed by everything a plan depends on: the template fingerprint, the
//! context name, the queryset's model, the queryset's shape and the schema
//! version. A hit is one hash and one list splice.
use std::hash::Hash;
use std::num::NonZeroUsize;

use lru::LruCache;

/// What a plan depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanKey {
    /// Fingerprint of the template (and everything it includes or extends).
    pub template: String,
    /// The context name the queryset is bound to.
    pub name: String,
    /// The queryset's model label.
    pub model: String,
    /// The queryset's shape, as a canonical string.
    pub shape: String,
    /// The schema version.
    pub schema: String,
}

/// Hit/miss counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found a plan.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
    /// Entries currently cached.
    pub size: usize,
    /// The bound.
    pub capacity: usize,
}

/// A bounded LRU cache.
#[derive(Debug)]
pub struct PlanCache<K: Hash + Eq, V> {
    entries: LruCache<K, V>,
    hits: u64,
    misses: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> PlanCache<K, V> {
    /// A cache holding at most `capacity` plans (at least one).
    pub fn new(capacity: usize) -> Self {
        let cap = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: LruCache::new(cap),
            hits: 0,
            misses: 0,
        }
    }

    /// The cached value for `key`, counting a hit or a miss.
    pub fn get(&mut self, key: &K) -> Option<V> {
        match self.entries.get(key) {
            Some(v) => {
                self.hits += 1;
                Some(v.clone())
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// Store a value (evicting the least recently used one when full).
    pub fn insert(&mut self, key: K, value: V) {
        self.entries.put(key, value);
    }

    /// Drop every entry for which `pred` holds (a widened template's plans).
    pub fn invalidate(&mut self, pred: impl Fn(&K) -> bool) -> usize {
        // Keys are cloned out so the cache can be mutated afterwards.
        let doomed: Vec<K> = self
            .entries
            .iter()
            .filter(|(k, _)| pred(k))
            .map(|(k, _)| k.clone())
            .collect();
        let n = doomed.len();
        for k in doomed {
            self.entries.pop(&k);
        }
        n
    }

    /// Drop everything and reset the counters.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.hits = 0;
        self.misses = 0;
    }

    /// Resize (evicts the least recently used entries when shrinking).
    pub fn resize(&mut self, capacity: usize) {
        self.entries
            .resize(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN));
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits,
            misses: self.misses,
            size: self.entries.len(),
            capacity: self.entries.cap().get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hits_and_misses_and_evicts() {
        let mut cache: PlanCache<String, u32> = PlanCache::new(2);
        assert_eq!(cache.get(&"a".to_owned()), None);
        cache.insert("a".into(), 1);
        cache.insert("b".into(), 2);
        assert_eq!(cache.get(&"a".to_owned()), Some(1));
        cache.insert("c".into(), 3); // evicts b, the least recently used
        assert_eq!(cache.get(&"b".to_owned()), None);
        let stats = cache.stats();
        assert_eq!(
            (stats.hits, stats.misses, stats.size, stats.capacity),
            (1, 2, 2, 2)
        );
        assert_eq!(cache.invalidate(|k| k == "a"), 1);
        assert_eq!(cache.stats().size, 1);
    }
}
