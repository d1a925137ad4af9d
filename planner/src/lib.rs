//! djust-planner: turns the field accesses of a compiled template into a
//! Django query plan (`select_related`, `Prefetch`, `only`), and
//! fingerprints SQL statements for the N+1 audit.
#![deny(missing_docs)]

mod fingerprint;
#[cfg(feature = "wire")]
pub mod wire;

pub use fingerprint::{
    fingerprint, fingerprint_statements, parses, Dialect, Fingerprint, UnknownDialect,
};

/// The crate version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn builds_against_vdom() {
        assert_eq!(super::VERSION, djust_vdom::VERSION);
    }
}
