//! PostgreSQL wire-protocol query watcher.
