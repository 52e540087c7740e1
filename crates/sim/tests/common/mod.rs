//! A small blocking client for the simulator's tests.
#![allow(dead_code)]
use std::sync::Arc;

use intelgraph_sim::{Config, Dataset, SimHandle};
use serde_json::Value;

/// One answer: status, headers (lower-case names) and body text.
pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

fn reply(mut resp: ureq::http::Response<ureq::Body>) -> Reply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.body_mut().with_config().limit(256 << 20).read_to_string().expect("a readable body");
    Reply { status, headers, body }
}

/// POST `body` as the legacy script does, with `token` as `auth-token` when given.
pub fn post(url: &str, token: Option<&str>, body: &str) -> Reply {
    let mut req = agent().post(url).content_type("application/json");
    if let Some(t) = token {
        req = req.header("auth-token", t);
    }
    reply(req.send(body).expect("the simulator answers"))
}

/// POST with the default token `demo`.
pub fn query(sim: &SimHandle, body: &str) -> Reply {
    post(&sim.url(), Some("demo"), body)
}

pub fn get(url: &str) -> Reply {
    reply(agent().get(url).call().expect("the simulator answers"))
}

pub fn options(url: &str) -> Reply {
    let req = agent()
        .options(url)
        .header("Origin", "http://localhost:8080")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "auth-token, content-type");
    reply(req.call().expect("the simulator answers"))
}

pub fn with_data(bytes: &[u8], config: Config) -> SimHandle {
    intelgraph_sim::spawn(Config { data: Arc::new(Dataset::from_bytes(bytes).expect("loadable data")), ..config })
}

/// 2026-12-04T15:00:00Z, the `now` of generated test data.
pub const NOW: i64 = 1_796_396_400_000;

pub fn generated(count: usize, config: Config) -> SimHandle {
    intelgraph_sim::spawn(Config { data: Arc::new(Dataset::generated(count, 1, NOW)), ..config })
}

/// The `key`s of a response's results, in order.
pub fn keys(v: &Value) -> Vec<String> {
    v["results"].as_array().map_or_else(Vec::new, |a| a.iter().map(|r| r["key"].as_str().unwrap().to_string()).collect())
}
