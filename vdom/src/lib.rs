//! djust-vdom: Django's template language, compiled into static parts and
//! dynamic slots with dependency sets, rendered and diffed in Rust.
//!
//! This crate has no Python in it: host objects are read through the
//! [`value::Object`] trait and host services through [`host::Host`], which
//! `djust._native` implements for Python and Django.
#![deny(missing_docs)]

pub mod ast;
pub mod context;
pub mod env;
pub mod error;
pub mod escape;
mod expr;
pub mod filters;
pub mod host;
pub mod lexer;
pub mod live;
mod lorem;
mod parser;
mod pystr;
pub mod render;
mod tags;
pub mod value;

pub use context::Context;
pub use env::{
    CustomFilter, CustomTag, Environment, Library, Loader, MapLoader, Options, Source, TagKind,
    TagSignature, Template, TemplateRef,
};
pub use error::{Error, ErrorKind, Result, Span};
pub use host::{DefaultHost, Host, NumberFormats};
pub use render::position::{current as current_position, Position};
pub use value::{Object, ObjectKind, Value};

/// The crate version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_semver() {
        assert_eq!(super::VERSION.split('.').count(), 3);
    }
}
