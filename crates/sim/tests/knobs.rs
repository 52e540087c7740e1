//! The test knobs: faults, rate limit, CORS, latency, the in-flight counters, shutdown.
mod common;

use std::time::{Duration, Instant};

use common::*;
use intelgraph_sim::{Config, Stats};
use ti_core::time::parse_timestamp;

fn statuses(sim: &intelgraph_sim::SimHandle, n: usize) -> Vec<u16> {
    (0..n).map(|_| query(sim, "{}").status).collect()
}

#[test]
fn fault_rate_1_fails_every_authorised_request_with_an_error_body() {
    let sim = generated(10, Config { fault_rate: 1.0, ..Config::default() });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let r = query(&sim, "{}");
        assert!([500, 502, 503].contains(&r.status), "{}", r.status);
        let v = r.json();
        assert_eq!(v.as_object().unwrap().len(), 2);
        assert!(v["message"].as_str().is_some() && parse_timestamp(v["timestamp"].as_str().unwrap()).is_some());
        seen.insert(r.status);
    }
    assert!(seen.len() > 1, "faults use several statuses: {seen:?}");
    // A wrong token is still a 401, not a fault.
    assert_eq!(post(&sim.url(), Some("nope"), "{}").status, 401);
    assert_eq!(sim.stats().faults, 30);
    assert_eq!(sim.stats().requests, 31);
}

#[test]
fn fault_rate_0_never_fails() {
    let sim = generated(10, Config { fault_rate: 0.0, ..Config::default() });
    assert!(statuses(&sim, 30).iter().all(|&s| s == 200));
    assert_eq!(sim.stats().faults, 0);
}

#[test]
fn faults_are_reproducible_from_the_seed() {
    let config = Config { fault_rate: 0.3, fault_seed: 42, ..Config::default() };
    let a = generated(5, config.clone());
    let b = generated(5, config);
    let first = statuses(&a, 60);
    assert_eq!(first, statuses(&b, 60), "same seed, same faults");
    let faults = first.iter().filter(|&&s| s != 200).count();
    assert!((6..=30).contains(&faults), "about 30% of 60: {faults}");
    assert_eq!(a.stats().faults, faults as u64);
    // Reset restarts the sequence.
    a.reset();
    assert_eq!(statuses(&a, 60), first);
    let other = generated(5, Config { fault_rate: 0.3, fault_seed: 43, ..Config::default() });
    assert_ne!(statuses(&other, 60), first, "another seed, other faults");
}

#[test]
fn beyond_the_rate_limit_is_429_with_retry_after() {
    // Half a request per second: one token, refilled after two seconds.
    let sim = generated(5, Config { rate_limit: Some(0.5), ..Config::default() });
    assert_eq!(query(&sim, "{}").status, 200);
    for _ in 0..2 {
        let r = query(&sim, "{}");
        assert_eq!(r.status, 429);
        let wait: u64 = r.header("retry-after").expect("Retry-After").parse().expect("whole seconds");
        assert!((1..=2).contains(&wait), "{wait}");
        assert!(r.json()["message"].is_string());
        assert_eq!(r.header("access-control-expose-headers"), Some("Retry-After"));
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    }
    assert_eq!(sim.stats().rate_limited, 2);
    // A reset refills the bucket.
    sim.reset();
    assert_eq!(query(&sim, "{}").status, 200);
}

#[test]
fn a_rate_allows_bursts_up_to_itself() {
    let sim = generated(5, Config { rate_limit: Some(5.0), ..Config::default() });
    let s = statuses(&sim, 8);
    assert_eq!(&s[..5], [200; 5]);
    assert!(s[5..].contains(&429), "{s:?}");
}

#[test]
fn cors_preflight_and_headers_by_default() {
    let sim = generated(5, Config::default());
    let r = options(&sim.url());
    assert!((200..300).contains(&r.status), "{}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let allowed = r.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    assert!(allowed.contains("auth-token") && allowed.contains("content-type"), "{allowed}");
    assert!(r.header("access-control-allow-methods").unwrap().contains("POST"));
    assert_eq!(sim.stats().requests, 0, "a preflight is not an API request");
    for (token, status) in [(Some("demo"), 200), (None, 401)] {
        let r = post(&sim.url(), token, "{}");
        assert_eq!(r.status, status);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "on {status} too");
        assert_eq!(r.header("access-control-expose-headers"), Some("Retry-After"));
    }
}

#[test]
fn no_cors_sends_no_cors_headers() {
    let sim = generated(5, Config { no_cors: true, ..Config::default() });
    let r = options(&sim.url());
    assert!(!(200..300).contains(&r.status), "no preflight answer: {}", r.status);
    assert!(r.headers.keys().all(|k| !k.as_str().starts_with("access-control-")), "{:?}", r.headers);
    for token in [Some("demo"), None] {
        let r = post(&sim.url(), token, "{}");
        assert!(r.headers.keys().all(|k| !k.as_str().starts_with("access-control-")), "{:?}", r.headers);
    }
}

/// Waits until `cond` holds for the stats, polling; fails after 30 s.
fn wait_for(sim: &intelgraph_sim::SimHandle, cond: impl Fn(&Stats) -> bool) -> Stats {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = sim.stats();
        if cond(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "condition never held: {s:?}");
        std::thread::yield_now();
    }
}

#[test]
fn in_flight_counters_see_concurrent_requests() {
    let sim = generated(30, Config::default());
    sim.hold();
    let url = sim.url();
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || post(&url, Some("demo"), "{}").status)
        })
        .collect();
    let held = wait_for(&sim, |s| s.in_flight == 4);
    assert_eq!((held.max_in_flight, held.requests), (4, 4));
    sim.release();
    for c in clients {
        assert_eq!(c.join().unwrap(), 200);
    }
    let after = wait_for(&sim, |s| s.in_flight == 0);
    assert_eq!(after, Stats { in_flight: 0, max_in_flight: 4, requests: 4, faults: 0, rate_limited: 0 });

    // The same figures over HTTP, and a reset there.
    let stats = get(&format!("{}/_sim/stats", sim.base_url()));
    assert_eq!(stats.status, 200);
    let v = stats.json();
    assert_eq!(v.as_object().unwrap().len(), 5);
    assert_eq!(serde_json::from_value::<Stats>(v).unwrap(), after);
    let reset = post(&format!("{}/_sim/reset", sim.base_url()), None, "");
    assert_eq!(reset.status, 200);
    assert_eq!(sim.stats(), Stats::default());
    query(&sim, "{}");
    assert_eq!((sim.stats().requests, sim.stats().max_in_flight), (1, 1));
    sim.reset();
    assert_eq!(sim.stats(), Stats::default());
}

#[test]
fn latency_delays_each_answer() {
    let sim = generated(5, Config { latency_ms: 300, ..Config::default() });
    let t = Instant::now();
    assert_eq!(query(&sim, "{}").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300), "{:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(post(&sim.url(), None, "{}").status, 401);
    assert!(t.elapsed() >= Duration::from_millis(300), "errors are delayed too");
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let sim = generated(5, Config::default());
    let addr = sim.addr();
    assert_eq!(query(&sim, "{}").status, 200);
    drop(sim);
    assert!(std::net::TcpStream::connect(addr).is_err(), "nothing listens on {addr} any more");
}

#[test]
fn dropping_the_handle_ends_held_requests() {
    let sim = generated(5, Config::default());
    sim.hold();
    let url = sim.url();
    let client = std::thread::spawn(move || agent().post(&url).header("auth-token", "demo").send("{}").map(|r| r.status().as_u16()));
    wait_for(&sim, |s| s.in_flight == 1);
    drop(sim);
    // The held request is answered or cut off; either way the client is not left hanging.
    let _ = client.join().unwrap();
}
