//! The stats endpoint: just enough HTTP/1.1 for `curl` and test clients.
//! `GET /stats` → the [`Snapshot`](super::Snapshot) as JSON; `POST /reset`
//! zeroes it. One request per connection.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::stats::Stats;

const MAX_REQUEST_HEAD: usize = 16 * 1024;

pub(crate) async fn serve(listener: TcpListener, stats: Arc<Stats>) {
    loop {
        if let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(handle(socket, stats.clone()));
        }
    }
}

async fn handle(mut socket: TcpStream, stats: Arc<Stats>) {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let method = words.next().unwrap_or_default();
    let path = words.next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let (status, body) = match (method, path) {
        ("GET", "/stats") => match serde_json::to_string(&stats.snapshot()) {
            Ok(json) => ("200 OK", json),
            Err(e) => ("500 Internal Server Error", error_json(&e.to_string())),
        },
        ("POST", "/reset") => {
            stats.reset();
            ("200 OK", "{\"reset\": true}".to_string())
        }
        (_, "/stats" | "/reset") => ("405 Method Not Allowed", error_json("method not allowed")),
        _ => (
            "404 Not Found",
            error_json("not found: use GET /stats or POST /reset"),
        ),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}
