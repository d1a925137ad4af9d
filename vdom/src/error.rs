//! Errors with the template name, line and column they came from.
//!
//! Every error the engine returns says where it came from. The binding maps
//! [`ErrorKind::Syntax`] to Django's `TemplateSyntaxError`,
//! [`ErrorKind::TemplateNotFound`] to `TemplateDoesNotExist`, and returns a
//! [`ErrorKind::Host`] error's payload (the original Python exception)
//! unchanged.
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A position in a template source. `Copy`, and ignored by AST equality so
/// tests can compare structure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first character.
    pub start: u32,
    /// Byte offset one past the last character.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column (in characters) of `start`.
    pub col: u32,
}

/// What went wrong, broadly. Decides which Django exception class the
/// binding raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The template source is invalid (Django's `TemplateSyntaxError`).
    Syntax,
    /// A template named by `extends`/`include`/the loader does not exist
    /// (Django's `TemplateDoesNotExist`).
    TemplateNotFound,
    /// A render-time failure inside the engine (bad argument to a filter
    /// that Django rejects at render time, recursion limit, ...).
    Render,
    /// The template uses something this engine cannot run (a third-party tag
    /// with its own `Node` class); the host renders it with Django instead.
    Unsupported,
    /// Host code (a Python attribute, filter or tag) raised; the payload
    /// carries the original exception so it can be re-raised unchanged.
    Host,
}

/// An engine error: kind, message, and where in which template it happened.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    detail: String,
    template: Option<Arc<str>>,
    span: Option<Span>,
    source_line: Option<String>,
    payload: Option<Arc<dyn Any + Send + Sync>>,
}

impl Error {
    /// A new error with no location yet.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Error {
            kind,
            detail: detail.into(),
            template: None,
            span: None,
            source_line: None,
            payload: None,
        }
    }

    /// Shorthand for a [`ErrorKind::Syntax`] error.
    pub fn syntax(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Syntax, detail)
    }

    /// Shorthand for a [`ErrorKind::Render`] error.
    pub fn render(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Render, detail)
    }

    /// An error raised by host code, carrying the host's own exception.
    pub fn host(detail: impl Into<String>, payload: Arc<dyn Any + Send + Sync>) -> Self {
        let mut err = Self::new(ErrorKind::Host, detail);
        err.payload = Some(payload);
        err
    }

    /// Attach the template and position, unless a more precise one is
    /// already there (the innermost location wins).
    pub fn at(mut self, template: Option<&Arc<str>>, span: Span, source: Option<&str>) -> Self {
        if self.span.is_none() {
            self.template = template.cloned();
            self.span = Some(span);
            self.source_line = source.and_then(|src| line_of(src, span.line));
        }
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without location.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The template name, when known.
    pub fn template(&self) -> Option<&str> {
        self.template.as_deref()
    }

    /// Where in the template, when known.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The host exception this error carries, if host code raised.
    pub fn payload(&self) -> Option<&Arc<dyn Any + Send + Sync>> {
        self.payload.as_ref()
    }
}

fn line_of(source: &str, line: u32) -> Option<String> {
    source
        .lines()
        .nth(line.checked_sub(1)? as usize)
        .map(str::to_owned)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .field("template", &self.template)
            .field("span", &self.span)
            .finish()
    }
}

/// `{}` prints the message and location; `{:#}` adds the source line with a
/// caret under the column.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)?;
        if let Some(span) = self.span {
            let name = self.template.as_deref().unwrap_or("<string>");
            write!(f, " ({name}, line {}, column {})", span.line, span.col)?;
            if let (true, Some(line)) = (f.alternate(), &self.source_line) {
                let caret = " ".repeat(span.col.saturating_sub(1) as usize);
                write!(f, "\n    {line}\n    {caret}^")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_place_and_alternate_shows_the_line() {
        let src = "<p>\n{{ x|nope }}\n</p>";
        let span = Span {
            start: 4,
            end: 15,
            line: 2,
            col: 6,
        };
        let err =
            Error::syntax("Invalid filter: 'nope'").at(Some(&Arc::from("a.html")), span, Some(src));
        assert_eq!(
            err.to_string(),
            "Invalid filter: 'nope' (a.html, line 2, column 6)"
        );
        assert_eq!(
            format!("{err:#}"),
            "Invalid filter: 'nope' (a.html, line 2, column 6)\n    {{ x|nope }}\n         ^"
        );
    }

    #[test]
    fn innermost_location_wins() {
        let inner = Span {
            line: 3,
            col: 1,
            ..Span::default()
        };
        let outer = Span {
            line: 9,
            col: 1,
            ..Span::default()
        };
        let err = Error::render("boom")
            .at(None, inner, None)
            .at(None, outer, None);
        assert_eq!(err.span().map(|s| s.line), Some(3));
    }
}
