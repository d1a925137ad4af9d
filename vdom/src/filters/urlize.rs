//! `django.utils.html.urlize`.
use crate::error::{Error, ErrorKind, Result};

/// `urlize(text, trim_url_limit, nofollow=True, autoescape)`.
pub(crate) fn urlize(
    _text: &str,
    _limit: Option<i64>,
    _autoescape: bool,
    _safe: bool,
) -> Result<String> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "urlize is not implemented in Rust yet",
    ))
}
