//! djust-vdom: Django's template language, compiled into static parts and
//! dynamic slots with dependency sets, rendered and diffed in Rust.
//!
//! This crate has no Python in it: host objects are read through the
//! [`value`] module's traits, which `djust._native` implements for Python.
#![deny(missing_docs)]

/// The crate version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_semver() {
        assert_eq!(super::VERSION.split('.').count(), 3);
    }
}
