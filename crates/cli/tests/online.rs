//! `ti-export` against the IntelGraph simulator, in-process on a free port.
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use intelgraph_sim::{Config, Dataset};

const NOW: &str = "2026-12-04T15:55:00Z";
const NOW_MS: i64 = 1_796_399_700_000;

fn data(count: usize) -> (Vec<u8>, Arc<Dataset>) {
    let bytes = intelgraph_sim::generate(count, 7, NOW_MS);
    let ds = Arc::new(Dataset::from_bytes(&bytes).unwrap());
    (bytes, ds)
}

fn ti(dir: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ti-export"));
    c.current_dir(dir).env("TI_EXPORT_NOW", NOW).env_remove("IDEF_TOKEN").args(args);
    if let Some(t) = token {
        c.env("IDEF_TOKEN", t);
    }
    c.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_export_under_faults_and_rate_limits_equals_the_offline_conversion() {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, ds) = data(6000);
    std::fs::write(dir.path().join("export.json"), &bytes).unwrap();
    let sim = intelgraph_sim::spawn(Config { data: ds, fault_rate: 0.2, fault_seed: 3, rate_limit: Some(8.0), latency_ms: 5, ..Config::default() });
    let (mut faults, mut limited) = (0, 0);
    for args in [&["-n", "30", "-s", "medium"][..], &["-n", "30", "-c", "medium", "-t", "ip", "url", "-v", "1"], &["-n", "7", "-f", "json"], &["-n", "30"]] {
        sim.reset();
        let mut online = vec!["--url", &*Box::leak(sim.url().into_boxed_str()), "-o", "online.out", "--retries", "8"];
        online.extend_from_slice(args);
        let o = ti(dir.path(), Some("demo"), &online);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let mut offline = vec!["--input", "export.json", "-o", "offline.out", "-q"];
        offline.extend_from_slice(args);
        let off = ti(dir.path(), None, &offline);
        assert!(off.status.success(), "{}", stderr(&off));
        let (a, b) = (std::fs::read(dir.path().join("online.out")).unwrap(), std::fs::read(dir.path().join("offline.out")).unwrap());
        assert!(a == b, "{args:?}: online and offline outputs differ ({} vs {} bytes)", a.len(), b.len());
        assert!(a.len() > 1000, "{args:?}: only {} bytes", a.len());
        let stats = sim.stats();
        faults += stats.faults;
        limited += stats.rate_limited;
        assert!(stats.max_in_flight <= 6, "{stats:?}");
        assert!(stderr(&o).contains("0 rejected"), "{}", stderr(&o));
    }
    assert!(faults >= 3, "only {faults} faults were injected");
    assert!(limited >= 1, "the rate limit never answered 429");
}

#[test]
fn concurrency_stays_within_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ds) = data(2400);
    let sim = intelgraph_sim::spawn(Config { data: ds, latency_ms: 60, ..Config::default() });
    for (flag, bound) in [("6", 6u64), ("2", 2)] {
        sim.reset();
        let o = ti(dir.path(), Some("demo"), &["--url", &sim.url(), "-n", "30", "--concurrency", flag, "-o", "x.csv"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = sim.stats();
        assert_eq!(s.max_in_flight, bound, "{s:?}");
        assert_eq!(s.requests, 12);
    }
}

#[test]
fn an_empty_result_set_writes_a_header_only_file() {
    let dir = tempfile::tempdir().unwrap();
    let sim = intelgraph_sim::spawn(Config::default());
    let o = ti(dir.path(), Some("demo"), &["--url", &sim.url()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.path().join("ti.csv")).unwrap(), "type,format,value,role,sample-md5,last-observed,comment,ref-id,confidence,severity\r\n");
}

fn fails_with(dir: &Path, config: Config, token: &str, extra: &[&str], words: &str) {
    let sim = intelgraph_sim::spawn(config);
    let mut args = vec!["--url".to_string(), sim.url(), "-o".into(), "never.csv".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ti(dir, Some(token), &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(words), "expected {words:?} in {e}");
    assert!(e.trim_end().lines().count() <= 2, "{e}");
    assert!(!e.contains(token) || token == "demo", "the token leaked: {e}");
    assert!(!dir.join("never.csv").exists());
}

#[test]
fn failures_have_their_sentences_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ds) = data(100);
    fails_with(dir.path(), Config { data: ds.clone(), ..Config::default() }, "wrong-token-123", &["-q"], "rejected the token (401");
    fails_with(dir.path(), Config { data: ds.clone(), forbidden: true, ..Config::default() }, "demo", &["-q"], "not entitled");
    fails_with(dir.path(), Config { data: ds, fault_rate: 1.0, ..Config::default() }, "demo", &["-q", "--retries", "2"], "3 times in a row");
    // Nothing listens on port 9 of 127.0.0.1.
    let o = ti(dir.path(), Some("demo"), &["--url", "http://127.0.0.1:9/rest/threatindicator/v0", "--retries", "1", "-q", "-o", "never.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Could not reach the API") && stderr(&o).contains("127.0.0.1:9"), "{}", stderr(&o));
    assert!(!dir.path().join("never.csv").exists());
    // No token at all.
    let o = ti(dir.path(), None, &[]);
    assert!(stderr(&o).contains("No API token"));
}

#[test]
fn the_token_goes_only_into_the_auth_token_header() {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rest/threatindicator/v0", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") || !String::from_utf8_lossy(&req).contains('}') {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            req.extend_from_slice(&buf[..n]);
        }
        let body = r#"{"total_size": 0, "page": 1, "page_size": 200, "more": false}"#;
        write!(s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).unwrap();
        String::from_utf8(req).unwrap()
    });
    let secret = "s3cr3t-T0KEN-value";
    std::fs::write(dir.path().join("ti.cfg"), format!("[ti]\ntoken = {secret}\nurl = {url}\n")).unwrap();
    let o = ti(dir.path(), None, &["--debug", "-s", "high"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let req = server.join().unwrap();
    let with_token: Vec<&str> = req.lines().filter(|l| l.contains(secret)).collect();
    assert_eq!(with_token, [format!("auth-token: {secret}")]);
    assert!(req.starts_with("POST /rest/threatindicator/v0 HTTP/1.1"), "{req}");
    assert!(req.contains(r#""severity":{"from":4}"#) && req.contains(r#""start_date":"2026-11-27T15:00:00.000Z""#), "{req}");
    assert!(!stderr(&o).contains(secret), "the token reached the log");
    assert!(!std::fs::read_to_string(dir.path().join("ti.csv")).unwrap().contains(secret));
}

#[test]
fn progress_lines_go_to_stderr_when_it_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ds) = data(1000);
    let sim = intelgraph_sim::spawn(Config { data: ds, ..Config::default() });
    let o = ti(dir.path(), Some("demo"), &["--url", &sim.url(), "-n", "30"]);
    let e = stderr(&o);
    assert!(e.contains("page 5/5, 1000/1000 indicators"), "{e}");
    assert!(e.contains("Fetched 5 pages") && e.contains("1000 converted"), "{e}");
    let o = ti(dir.path(), Some("demo"), &["--url", &sim.url(), "-n", "30", "--quiet"]);
    assert!(o.stderr.is_empty());
}

/// Drives the core client over a plain blocking transport, one request at a time.
fn drive(client: &mut ti_core::client::Client, url: &str, stop_after_pages: Option<u32>) -> ti_core::client::Action {
    use ti_core::client::Action;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let now = || NOW_MS;
    loop {
        if stop_after_pages.is_some_and(|n| client.progress().pages_done >= n) {
            client.cancel();
        }
        match client.poll(now()) {
            Action::Send(r) => match agent.post(url).header("auth-token", "demo").send(r.body) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let body = resp.body_mut().read_to_vec().unwrap();
                    client.on_response(r.id, status, None, body, now());
                }
                Err(e) => client.on_network_error(r.id, &e.to_string(), now()),
            },
            Action::Wait { .. } | Action::Idle => unreachable!("one request at a time, no faults"),
            other => return other,
        }
    }
}

#[test]
fn a_cancelled_fetch_resumes_without_refetching() {
    use ti_core::client::{Action, Client, FetchOptions};
    let (_, ds) = data(1500);
    let sim = intelgraph_sim::spawn(Config { data: ds, ..Config::default() });
    let opts = FetchOptions { days: 30, concurrency: 1, ..FetchOptions::default() };
    let mut full = Client::new(opts.clone(), NOW_MS, 1);
    assert_eq!(drive(&mut full, &sim.url(), None), Action::Done);
    sim.reset();
    let mut c = Client::new(opts, NOW_MS, 1);
    assert_eq!(drive(&mut c, &sim.url(), Some(3)), Action::Cancelled);
    assert_eq!(sim.stats().requests, 3);
    c.resume();
    assert_eq!(drive(&mut c, &sim.url(), None), Action::Done);
    assert_eq!(sim.stats().requests, 8, "pages fetched before the cancel were fetched again");
    assert_eq!(c.into_pages(), full.into_pages());
}
