//! The watcher's errors.

use std::io;

/// A client broke the PostgreSQL frontend protocol. The watcher answers
/// with an `ErrorResponse` (SQLSTATE 08P01) and closes that connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A startup packet's length word is out of range.
    #[error("invalid startup packet length {0}")]
    StartupLength(i32),
    /// A startup packet's code is not a protocol 3 startup, SSL, GSS or cancel request.
    #[error("unsupported frontend protocol or request code {0}")]
    StartupCode(i32),
    /// A message type byte no frontend message has.
    #[error("invalid frontend message type {0:#04x}")]
    UnknownType(u8),
    /// A message length out of range for its type.
    #[error("invalid length {len} for frontend message {tag:#04x}")]
    Length {
        /// The message type byte.
        tag: u8,
        /// The length word.
        len: i32,
    },
    /// A message ended before a field it must have.
    #[error("truncated frontend message")]
    Truncated,
    /// A string field is not UTF-8.
    #[error("frontend message string is not UTF-8")]
    NotUtf8,
}

/// Why the watcher could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Listening on an address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: io::Error,
    },
}
