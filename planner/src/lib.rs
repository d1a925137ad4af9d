//! djust-planner: turns the field accesses of a compiled template into a
//! Django query plan (`select_related`, `Prefetch`, `only`), and
//! fingerprints SQL statements for the N+1 audit.
#![deny(missing_docs)]

pub mod access;
pub mod cache;
pub mod extract;
mod fingerprint;
pub mod plan;
pub mod schema;
#[cfg(feature = "wire")]
pub mod wire;

pub use fingerprint::{
    fingerprint, fingerprint_statements, parses, Dialect, Fingerprint, UnknownDialect,
};

pub use access::{AccessNode, Accesses, Origin};
pub use cache::{CacheStats, PlanCache, PlanKey};
pub use extract::{extract, ExtractError, Extraction};
pub use plan::{plan, Plan, PlanError, PrefetchPlan, QuerySetPlan, Shape};
pub use schema::{SchemaError, SchemaGraph};

/// The crate version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn builds_against_vdom() {
        assert_eq!(super::VERSION, djust_vdom::VERSION);
    }
}
