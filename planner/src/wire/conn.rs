//! One client connection: the startup phase, then two directions of
//! forwarding. Client → server is framed and analysed; server → client is
//! framed only so that an error the watcher writes itself lands between two
//! whole server messages.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use postgres_protocol::message::backend::Header;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::analyse::{Session, Shared};
use super::error::ProtocolError;
use super::frontend::{self, StartupPacket};

type ClientWriter = Arc<Mutex<OwnedWriteHalf>>;

/// Serves one accepted client until either side closes.
pub(crate) async fn serve(mut client: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    // Latency: every round trip goes through here twice.
    let _ = client.set_nodelay(true);
    let mut buf = BytesMut::with_capacity(8 * 1024);
    let (startup, packet) = loop {
        let packet = match read_startup(&mut client, &mut buf).await {
            Ok(Some(packet)) => packet,
            Ok(None) => return,
            Err(e) => return reject(client, e, &shared).await,
        };
        match frontend::parse_startup(&packet) {
            // No TLS here: the client is told so and carries on in clear.
            Ok(StartupPacket::EncryptionRequest) => {
                if client.write_all(b"N").await.is_err() {
                    return;
                }
            }
            Ok(StartupPacket::Cancel) => return forward_cancel(&packet, &shared).await,
            Ok(StartupPacket::Startup(startup)) => break (startup, packet),
            Err(e) => return reject(client, e, &shared).await,
        }
    };
    let mut server = match TcpStream::connect(&shared.upstream).await {
        Ok(server) => server,
        Err(e) => {
            let message = format!(
                "djust-wire cannot reach PostgreSQL at {}: {e}",
                shared.upstream
            );
            let _ = client.write_all(&error_response("08006", &message)).await;
            return;
        }
    };
    let _ = server.set_nodelay(true);
    if server.write_all(&packet).await.is_err() {
        return;
    }
    let id = shared.stats.open(peer, &startup);
    proxy(client, server, buf, id, &shared).await;
    shared.stats.close(id);
}

/// Reads one startup packet; `None` at end of stream.
async fn read_startup(
    client: &mut TcpStream,
    buf: &mut BytesMut,
) -> Result<Option<BytesMut>, ProtocolError> {
    loop {
        if let Some(n) = frontend::startup_len(buf)? {
            if buf.len() >= n {
                return Ok(Some(buf.split_to(n)));
            }
        }
        match client.read_buf(buf).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
    }
}

async fn reject(mut client: TcpStream, e: ProtocolError, shared: &Shared) {
    shared.stats.protocol_error();
    let _ = client
        .write_all(&error_response("08P01", &format!("djust-wire: {e}")))
        .await;
    let _ = client.shutdown().await;
}

/// A cancel request travels on a connection of its own; the server reads
/// it and closes. The key is the server's own (BackendKeyData is forwarded
/// unchanged), so the server finds the right backend.
async fn forward_cancel(packet: &[u8], shared: &Shared) {
    shared.stats.cancel_request();
    if let Ok(mut server) = TcpStream::connect(&shared.upstream).await {
        if server.write_all(packet).await.is_ok() {
            let mut sink = [0u8; 64];
            while matches!(server.read(&mut sink).await, Ok(n) if n > 0) {}
        }
    }
}

async fn proxy(client: TcpStream, server: TcpStream, mut buf: BytesMut, id: u64, shared: &Shared) {
    let (mut from_client, to_client) = client.into_split();
    let (from_server, mut to_server) = server.into_split();
    let to_client: ClientWriter = Arc::new(Mutex::new(to_client));
    let mut backend = tokio::spawn(server_to_client(from_server, to_client.clone()));
    let mut session = Session::new(id);
    loop {
        let (valid, error) = take_messages(&buf, &mut session, shared);
        if valid > 0 {
            let chunk = buf.split_to(valid);
            if to_server.write_all(&chunk).await.is_err() {
                break;
            }
        }
        if let Some(e) = error {
            shared.stats.protocol_error();
            return protocol_violation(e, &to_client, to_server, backend).await;
        }
        tokio::select! {
            read = from_client.read_buf(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            },
            // The server hung up (e.g. failed authentication): so do we.
            _ = &mut backend => return,
        }
    }
    // The client is gone: closing our side makes the server end the session.
    let _ = to_server.shutdown().await;
    let _ = backend.await;
}

/// Accounts for the complete messages at the start of `buf`; returns how
/// many bytes they take, and the protocol error that stopped it, if any.
fn take_messages(
    buf: &[u8],
    session: &mut Session,
    shared: &Shared,
) -> (usize, Option<ProtocolError>) {
    let mut valid = 0;
    loop {
        let rest = &buf[valid..];
        match frontend::message_len(rest) {
            Ok(Some(n)) => match frontend::parse_message(&rest[..n]) {
                Ok(message) => {
                    session.account(message, shared);
                    valid += n;
                }
                Err(e) => return (valid, Some(e)),
            },
            Ok(None) => return (valid, None),
            Err(e) => return (valid, Some(e)),
        }
    }
}

/// Tells the client what was wrong and closes its connection; the server
/// gets a clean Terminate (everything forwarded so far was whole messages).
async fn protocol_violation(
    e: ProtocolError,
    to_client: &ClientWriter,
    mut to_server: OwnedWriteHalf,
    backend: JoinHandle<()>,
) {
    // Holding the writer, the server-side task cannot be mid-message.
    let mut writer = to_client.lock().await;
    backend.abort();
    let _ = to_server.write_all(&[b'X', 0, 0, 0, 4]).await;
    let _ = to_server.shutdown().await;
    let _ = writer
        .write_all(&error_response("08P01", &format!("djust-wire: {e}")))
        .await;
    let _ = writer.shutdown().await;
}

async fn server_to_client(mut from_server: OwnedReadHalf, to_client: ClientWriter) {
    let mut buf = BytesMut::with_capacity(16 * 1024);
    loop {
        match from_server.read_buf(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let whole = whole_messages(&buf);
        if whole > 0 {
            let chunk = buf.split_to(whole);
            if to_client.lock().await.write_all(&chunk).await.is_err() {
                break;
            }
        }
    }
    let _ = to_client.lock().await.shutdown().await;
}

/// Bytes of complete backend messages at the start of `buf`. The server is
/// trusted: if its framing makes no sense, everything is passed on.
fn whole_messages(buf: &[u8]) -> usize {
    let mut at = 0;
    loop {
        match Header::parse(&buf[at..]) {
            Ok(Some(h)) => {
                let end = usize::try_from(h.len()).map_or(usize::MAX, |n| at + 1 + n);
                if end > buf.len() {
                    return at;
                }
                at = end;
            }
            Ok(None) => return at,
            Err(_) => return buf.len(),
        }
    }
}

/// A FATAL `ErrorResponse` with SQLSTATE `code`.
fn error_response(code: &str, message: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', code),
        (b'M', message),
    ] {
        body.push(field);
        body.extend_from_slice(value.replace('\0', " ").as_bytes());
        body.push(0);
    }
    body.push(0);
    let len = i32::try_from(body.len() + 4).unwrap_or(i32::MAX);
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(b'E');
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use postgres_protocol::message::backend::Message;

    #[test]
    fn error_response_parses_as_backend_message() {
        let bytes = error_response("08P01", "bad");
        assert!(bytes.windows(7).any(|w| w == b"C08P01\0"));
        let mut buf = BytesMut::from(&bytes[..]);
        assert!(matches!(
            Message::parse(&mut buf),
            Ok(Some(Message::ErrorResponse(_)))
        ));
        assert!(buf.is_empty());
    }

    #[test]
    fn whole_messages_stops_at_partial() {
        let mut b = error_response("1", "x");
        let n = b.len();
        b.extend_from_slice(&error_response("2", "y")[..3]);
        assert_eq!(whole_messages(&b), n);
    }
}
