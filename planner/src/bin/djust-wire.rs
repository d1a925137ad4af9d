//! `djust-wire`: the PostgreSQL wire watcher as a program.
//!
//! ```text
//! djust-wire [--listen 127.0.0.1:6432] [--upstream 127.0.0.1:5432] [--stats 127.0.0.1:6433 | --no-stats]
//! ```
//!
//! Port 0 picks a free port. Once listening it prints one JSON line to
//! stdout, `{"proxy": "127.0.0.1:6432", "stats": "127.0.0.1:6433"}`, so a
//! test harness can start it on free ports and read where they are.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use djust_planner::wire::{Config, Watcher};

const USAGE: &str =
    "usage: djust-wire [--listen ADDR] [--upstream HOST:PORT] [--stats ADDR | --no-stats]";

fn parse_args(args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut config = Config::default();
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let addr = |s: String| {
            s.parse::<SocketAddr>()
                .map_err(|e| format!("bad address {s:?}: {e}"))
        };
        match arg.as_str() {
            "--listen" => config.listen = addr(value("--listen")?)?,
            "--upstream" => config.upstream = value("--upstream")?,
            "--stats" => config.stats = Some(addr(value("--stats")?)?),
            "--no-stats" => config.stats = None,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(config)
}

// One thread: a query's two extra hops through the proxy then never wait for
// a wake-up on another thread, which measured as the larger part of the
// latency the watcher adds. A development tool's connection count fits.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let watcher = match Watcher::bind(config).await {
        Ok(watcher) => watcher,
        Err(e) => {
            eprintln!("djust-wire: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ready = serde_json::json!({
        "proxy": watcher.proxy_addr().to_string(),
        "stats": watcher.stats_addr().map(|a| a.to_string()),
    });
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{ready}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    watcher.run().await;
    ExitCode::SUCCESS
}
