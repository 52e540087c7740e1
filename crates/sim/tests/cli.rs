//! The binary: the first stdout line, serving generated or file data, logging, `generate`.
mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_intelgraph-sim");

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intelgraph-sim-cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{name}", std::process::id()))
}

/// A running `intelgraph-sim` and the base URL from its first stdout line; killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN).args(["--port", "0"]).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base = line.strip_suffix('\n').unwrap_or_else(|| panic!("a whole first line: {line:?}")).strip_prefix("listening on ").expect("the first line").to_string();
        let port: u16 = base.strip_prefix("http://127.0.0.1:").expect("127.0.0.1 by default").parse().expect("a port");
        assert_ne!(port, 0);
        Server { child, base }
    }
    fn url(&self) -> String {
        format!("{}/rest/threatindicator/v0", self.base)
    }
    /// Stops the server and returns what it wrote to stderr.
    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        err
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_generated_data_on_a_free_port() {
    let server = Server::start(&["--count", "30", "--seed", "2", "--token", "t0k"]);
    let r = post(&server.url(), Some("t0k"), r#"{"page_size": 200}"#);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total_size"], 30);
    assert_eq!(post(&server.url(), Some("demo"), "{}").status, 401);
    let stats = get(&format!("{}/_sim/stats", server.base)).json();
    assert_eq!((stats["requests"].as_u64(), stats["max_in_flight"].as_u64()), (Some(2), Some(1)));
}

#[test]
fn serves_a_data_file_and_logs_bodies_but_not_the_token() {
    let path = tmp("data.ndjson");
    std::fs::write(&path, "{\"key\": \"a.example\", \"type\": \"domain\", \"replication_id\": 9007199254740993}\n{\"key\": \"b.example\", \"type\": \"domain\"}\n").unwrap();
    let server = Server::start(&["--data", path.to_str().unwrap(), "--token", "s3cret-token", "--log-requests", "--forbidden"]);
    let r = post(&server.url(), Some("s3cret-token"), r#"{"page": 1, "page_size": 5}"#);
    assert_eq!(r.status, 403);
    let err = server.stop();
    assert!(err.contains(r#"{"page": 1, "page_size": 5}"#), "{err}");
    assert!(!err.contains("s3cret-token"), "the token is never logged: {err}");

    let server = Server::start(&["--data", path.to_str().unwrap()]);
    let r = post(&server.url(), Some("demo"), "{}");
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(r#"{"results":[{"key": "a.example", "type": "domain", "replication_id": 9007199254740993},{"key": "b.example""#), "{}", r.body);
}

#[test]
fn faults_and_no_cors_flags_apply() {
    let server = Server::start(&["--count", "3", "--fault-rate", "1", "--no-cors", "--latency-ms", "1"]);
    let r = post(&server.url(), Some("demo"), "{}");
    assert!([500, 502, 503].contains(&r.status));
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn bad_options_fail_with_a_message() {
    for args in [&["--fault-rate", "1.5"][..], &["--rate-limit", "0"], &["--now", "yesterday"], &["--data", "/nonexistent/x.json"], &["--data", "x.json", "--count", "5"]] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn generate_writes_the_librarys_bytes() {
    let now = "2026-12-04T15:00:00Z";
    let path = tmp("gen.json");
    let status = Command::new(BIN).args(["generate", "--count", "120", "--seed", "4", "--now", now, "-o", path.to_str().unwrap()]).status().unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read(&path).unwrap(), intelgraph_sim::generate(120, 4, NOW));

    let out = Command::new(BIN).args(["generate", "--count", "50", "--seed", "4", "--now", now, "--shape", "ndjson"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, intelgraph_sim::generate_shape(50, 4, NOW, intelgraph_sim::Shape::Ndjson));

    let out = Command::new(BIN).args(["generate", "--count", "5", "--shape", "csv"]).output().unwrap();
    assert!(!out.status.success());
}
