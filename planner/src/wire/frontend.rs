//! Frontend (client → server) messages: framing and the few fields the
//! watcher reads. Everything is forwarded byte for byte; this module only
//! decides where messages end, whether they are well formed, and what SQL
//! they carry.
//!
//! The startup phase has no type byte (`Int32 length, Int32 code, ...`);
//! after it every message is `Byte1 type, Int32 length, body`.

use super::error::ProtocolError;
use super::stats::Startup;

/// `SSLRequest` code.
pub const SSL_REQUEST: i32 = 80_877_103;
/// `GSSENCRequest` code.
pub const GSSENC_REQUEST: i32 = 80_877_104;
/// `CancelRequest` code.
pub const CANCEL_REQUEST: i32 = 80_877_102;
/// Largest startup packet accepted (PostgreSQL's own limit).
pub const MAX_STARTUP_LEN: usize = 10_000;
/// Largest typed message accepted (PostgreSQL's 1 GB limit).
pub const MAX_MESSAGE_LEN: usize = 1 << 30;

/// A startup-phase packet.
#[derive(Debug)]
pub enum StartupPacket {
    /// SSLRequest or GSSENCRequest: answered `N` by the watcher.
    EncryptionRequest,
    /// CancelRequest: forwarded to the server on a connection of its own.
    Cancel,
    /// StartupMessage (protocol 3.x), with its parameters.
    Startup(Startup),
}

fn be_i32(b: &[u8]) -> Option<i32> {
    Some(i32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}

/// Length of the startup packet that begins `buf` (from its length
/// word), once 4 bytes are there.
pub fn startup_len(buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
    let Some(len) = be_i32(buf) else {
        return Ok(None);
    };
    match usize::try_from(len) {
        Ok(n) if (8..=MAX_STARTUP_LEN).contains(&n) => Ok(Some(n)),
        _ => Err(ProtocolError::StartupLength(len)),
    }
}

/// Reads one complete startup packet.
pub fn parse_startup(packet: &[u8]) -> Result<StartupPacket, ProtocolError> {
    let code = be_i32(packet.get(4..).unwrap_or_default()).ok_or(ProtocolError::Truncated)?;
    match code {
        SSL_REQUEST | GSSENC_REQUEST if packet.len() == 8 => Ok(StartupPacket::EncryptionRequest),
        CANCEL_REQUEST if packet.len() == 16 => Ok(StartupPacket::Cancel),
        c if c >> 16 == 3 => parse_params(&packet[8..]).map(StartupPacket::Startup),
        c => Err(ProtocolError::StartupCode(c)),
    }
}

fn parse_params(mut body: &[u8]) -> Result<Startup, ProtocolError> {
    let mut startup = Startup::default();
    loop {
        let (key, rest) = cstr(body)?;
        if key.is_empty() {
            break;
        }
        let (value, rest) = cstr(rest)?;
        body = rest;
        match key {
            "user" => startup.user = value.to_string(),
            "database" => startup.database = value.to_string(),
            "application_name" => startup.application_name = value.to_string(),
            _ => {}
        }
    }
    if startup.database.is_empty() {
        startup.database = startup.user.clone();
    }
    Ok(startup)
}

/// A NUL-terminated UTF-8 string at the start of `b`, and what follows it.
fn cstr(b: &[u8]) -> Result<(&str, &[u8]), ProtocolError> {
    let end = b
        .iter()
        .position(|&c| c == 0)
        .ok_or(ProtocolError::Truncated)?;
    let s = std::str::from_utf8(&b[..end]).map_err(|_| ProtocolError::NotUtf8)?;
    Ok((s, &b[end + 1..]))
}

/// A typed frontend message's meaning, as far as counting needs it.
#[derive(Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// `Q`: a simple-protocol query (possibly several statements).
    Query(&'a str),
    /// `P`: prepare `query` as statement `name` (`""`: the unnamed one).
    Parse {
        /// Statement name.
        name: &'a str,
        /// Its SQL.
        query: &'a str,
    },
    /// `B`: bind statement `statement` into portal `portal`.
    Bind {
        /// Portal name.
        portal: &'a str,
        /// Statement name.
        statement: &'a str,
    },
    /// `E`: execute portal `portal`.
    Execute {
        /// Portal name.
        portal: &'a str,
    },
    /// `C`: close a statement (`S`) or portal (`P`) called `name`.
    Close {
        /// `b'S'` or `b'P'`.
        kind: u8,
        /// Its name.
        name: &'a str,
    },
    /// Anything else valid: forwarded, not counted.
    Other,
}

/// If `buf` starts with a complete typed message, its total length (type
/// byte included); errors if the header cannot be a frontend message.
pub fn message_len(buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
    let (Some(&tag), Some(len)) = (buf.first(), be_i32(buf.get(1..).unwrap_or_default())) else {
        return Ok(None);
    };
    if !b"BCdcfDEHFpPQSX".contains(&tag) {
        return Err(ProtocolError::UnknownType(tag));
    }
    let body_len = usize::try_from(len)
        .ok()
        .filter(|n| (4..=MAX_MESSAGE_LEN).contains(n))
        .ok_or(ProtocolError::Length { tag, len })?;
    // Messages without a body must say so.
    if b"SHXc".contains(&tag) && body_len != 4 {
        return Err(ProtocolError::Length { tag, len });
    }
    let total = 1 + body_len;
    Ok((buf.len() >= total).then_some(total))
}

/// Reads a complete, framed message (as measured by [`message_len`]).
pub fn parse_message(msg: &[u8]) -> Result<Message<'_>, ProtocolError> {
    let tag = msg.first().copied().ok_or(ProtocolError::Truncated)?;
    let body = msg.get(5..).ok_or(ProtocolError::Truncated)?;
    Ok(match tag {
        b'Q' => Message::Query(cstr(body)?.0),
        b'P' => {
            let (name, rest) = cstr(body)?;
            let (query, _) = cstr(rest)?;
            Message::Parse { name, query }
        }
        b'B' => {
            let (portal, rest) = cstr(body)?;
            let (statement, _) = cstr(rest)?;
            Message::Bind { portal, statement }
        }
        b'E' => Message::Execute {
            portal: cstr(body)?.0,
        },
        b'C' => {
            let kind = *body.first().ok_or(ProtocolError::Truncated)?;
            let (name, _) = cstr(&body[1..])?;
            if !matches!(kind, b'S' | b'P') {
                return Err(ProtocolError::UnknownType(kind));
            }
            Message::Close { kind, name }
        }
        _ => Message::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use postgres_protocol::message::frontend;

    #[test]
    fn frames_what_postgres_protocol_writes() {
        let mut buf = BytesMut::new();
        frontend::query("SELECT 1", &mut buf).unwrap();
        frontend::parse("s1", "SELECT $1", [], &mut buf).unwrap();
        frontend::execute("", 0, &mut buf).unwrap();
        frontend::sync(&mut buf);
        let mut rest = &buf[..];
        let mut got = Vec::new();
        while let Some(n) = message_len(rest).unwrap() {
            got.push(parse_message(&rest[..n]).unwrap());
            rest = &rest[n..];
        }
        assert_eq!(
            got,
            [
                Message::Query("SELECT 1"),
                Message::Parse {
                    name: "s1",
                    query: "SELECT $1"
                },
                Message::Execute { portal: "" },
                Message::Other
            ]
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(message_len(b"hello world").is_err());
        assert!(message_len(b"S\0\0\0\x05x").is_err());
        assert!(message_len(b"Q\xff\xff\xff\xff").is_err());
        assert!(parse_message(b"Q\0\0\0\x06ab").is_err());
        assert!(startup_len(b"\0\0\0\x02").is_err());
        assert!(parse_startup(b"\0\0\0\x08\0\x02\0\0").is_err());
    }

    #[test]
    fn reads_startup() {
        let mut buf = BytesMut::new();
        frontend::startup_message([("user", "u"), ("application_name", "app")], &mut buf).unwrap();
        let n = startup_len(&buf).unwrap().unwrap();
        match parse_startup(&buf[..n]).unwrap() {
            StartupPacket::Startup(s) => {
                assert_eq!((s.user.as_str(), s.database.as_str()), ("u", "u"));
                assert_eq!(s.application_name, "app");
            }
            other => panic!("{other:?}"),
        }
        let mut buf = BytesMut::new();
        frontend::ssl_request(&mut buf);
        assert!(matches!(
            parse_startup(&buf).unwrap(),
            StartupPacket::EncryptionRequest
        ));
    }
}
