//! Django's HTML-parser based helpers (`strip_tags`, `Truncator` with
//! `html=True`), which need Python's `html.parser.HTMLParser`.
use crate::error::{Error, ErrorKind, Result};
use crate::host::Host;

/// `django.utils.html.strip_tags`.
pub(crate) fn strip_tags(_text: &str) -> Result<String> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "striptags is not implemented in Rust yet",
    ))
}

/// `Truncator(text).chars(n, html=True)` / `.words(n, html=True, truncate=" …")`.
pub(crate) fn truncate_html(_host: &dyn Host, text: &str, _n: i64, _words: bool) -> Result<String> {
    let _ = text;
    Err(Error::new(
        ErrorKind::Unsupported,
        "truncate*_html is not implemented in Rust yet",
    ))
}
