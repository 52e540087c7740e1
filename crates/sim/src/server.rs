//! The HTTP side: `POST /rest/threatindicator/v0` as intelgraph-api.md describes it, the
//! fault, latency and rate-limit knobs, CORS, and the `/_sim` control endpoints.
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::watch;
use ti_core::time::{format_timestamp, parse_timestamp};

use crate::generate::mix;
use crate::{Config, Stats};

/// The API path, as the legacy script calls it.
pub const API_PATH: &str = "/rest/threatindicator/v0";
/// The largest page the API serves; a larger `page_size` is clamped to it.
pub const MAX_PAGE_SIZE: u64 = 200;
/// The page size when a request names none.
pub const DEFAULT_PAGE_SIZE: u64 = 25;

#[derive(Default)]
struct Counters {
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    requests: AtomicU64,
    faults: AtomicU64,
    rate_limited: AtomicU64,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// One simulator's state, shared by its handlers and its handle.
pub(crate) struct Sim {
    config: Config,
    counters: Counters,
    /// Requests that reached the fault draw: the fault of request n depends only on the
    /// seed and n, so a run is reproducible.
    fault_seq: AtomicU64,
    bucket: Mutex<Bucket>,
    /// `true` lets API requests proceed; `false` holds them (counted as in flight).
    gate: watch::Sender<bool>,
}

/// Decrements `in_flight` however the request ends (answered or cancelled).
struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// A non-200 answer with the `{message, timestamp}` body the legacy script printed.
fn error(status: StatusCode, message: &str) -> Response {
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        message: &'a str,
        timestamp: String,
    }
    let body = serde_json::to_vec(&ErrorBody { message, timestamp: format_timestamp(now_ms()) }).expect("serialisable");
    json_response(status, body)
}

/// The request body: the filters the legacy script sends. Unknown fields are ignored; a
/// field of the wrong type is a 400. `null` counts as absent.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Query {
    start_date: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
    severity: Option<Bounds>,
    confidence: Option<Bounds>,
    #[serde(rename = "type")]
    kind: Option<Values>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Bounds {
    from: Option<f64>,
    to: Option<f64>,
}

impl Bounds {
    /// A missing value never passes a bound that is set.
    fn keeps(&self, v: Option<f64>) -> bool {
        match (self.from, self.to, v) {
            (None, None, _) => true,
            (_, _, None) => false,
            (from, to, Some(v)) => from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Values {
    values: Vec<String>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<Vec<&'a RawValue>>,
    total_size: usize,
    page: u64,
    page_size: u64,
    more: bool,
}

impl Sim {
    pub(crate) fn new(config: Config) -> Self {
        let tokens = config.rate_limit.unwrap_or(0.0).max(1.0);
        Sim {
            config,
            counters: Counters::default(),
            fault_seq: AtomicU64::new(0),
            bucket: Mutex::new(Bucket { tokens, last: Instant::now() }),
            gate: watch::Sender::new(true),
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            in_flight: c.in_flight.load(SeqCst),
            max_in_flight: c.max_in_flight.load(SeqCst),
            requests: c.requests.load(SeqCst),
            faults: c.faults.load(SeqCst),
            rate_limited: c.rate_limited.load(SeqCst),
        }
    }

    /// Zeroes the counters, restarts the fault sequence and refills the rate-limit bucket.
    /// `in_flight` is a gauge and stays; `max_in_flight` restarts from it.
    pub(crate) fn reset(&self) {
        let c = &self.counters;
        c.requests.store(0, SeqCst);
        c.faults.store(0, SeqCst);
        c.rate_limited.store(0, SeqCst);
        c.max_in_flight.store(c.in_flight.load(SeqCst), SeqCst);
        self.fault_seq.store(0, SeqCst);
        let mut b = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        *b = Bucket { tokens: self.config.rate_limit.unwrap_or(0.0).max(1.0), last: Instant::now() };
    }

    pub(crate) fn set_gate(&self, open: bool) {
        self.gate.send_replace(open);
    }

    fn enter(&self) -> InFlight<'_> {
        let c = &self.counters;
        c.requests.fetch_add(1, SeqCst);
        let now = c.in_flight.fetch_add(1, SeqCst) + 1;
        c.max_in_flight.fetch_max(now, SeqCst);
        InFlight(c)
    }

    /// Takes one token; `Err(seconds to wait)` when none is left.
    fn take_token(&self) -> Result<(), u64> {
        let Some(rate) = self.config.rate_limit.filter(|r| *r > 0.0) else { return Ok(()) };
        let mut b = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(rate.max(1.0));
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - b.tokens) / rate).ceil() as u64).max(1))
        }
    }

    /// The injected failure of this request, if it draws one.
    fn fault(&self) -> Option<StatusCode> {
        if self.config.fault_rate <= 0.0 {
            return None;
        }
        let n = self.fault_seq.fetch_add(1, SeqCst);
        let h = mix(self.config.fault_seed ^ mix(n.wrapping_add(1)));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        (u < self.config.fault_rate).then(|| [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::BAD_GATEWAY, StatusCode::SERVICE_UNAVAILABLE][(mix(h) % 3) as usize])
    }

    /// Everything after latency and the hold gate: auth, rate limit, 403, faults, then the
    /// query itself.
    fn answer(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let token_ok = headers.get("auth-token").is_some_and(|v| v.as_bytes() == self.config.token.as_bytes());
        if !token_ok {
            let message = if headers.contains_key("auth-token") { "Invalid auth-token" } else { "Missing auth-token header" };
            return error(StatusCode::UNAUTHORIZED, message);
        }
        if let Err(wait) = self.take_token() {
            self.counters.rate_limited.fetch_add(1, SeqCst);
            let mut resp = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests: rate limit exceeded");
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return resp;
        }
        if self.config.forbidden {
            #[derive(Serialize)]
            struct Spring {
                timestamp: String,
                status: u16,
                error: &'static str,
                message: &'static str,
                path: &'static str,
            }
            let body = Spring { timestamp: format_timestamp(now_ms()), status: 403, error: "Forbidden", message: "Forbidden", path: API_PATH };
            return json_response(StatusCode::FORBIDDEN, serde_json::to_vec(&body).expect("serialisable"));
        }
        if let Some(status) = self.fault() {
            self.counters.faults.fetch_add(1, SeqCst);
            return error(status, status.canonical_reason().unwrap_or("Server error"));
        }
        match self.query(body) {
            Ok(resp) => resp,
            Err(message) => error(StatusCode::BAD_REQUEST, &message),
        }
    }

    fn query(&self, body: &[u8]) -> Result<Response, String> {
        let q: Query = serde_json::from_slice(body).map_err(|e| format!("Malformed request body: {e}"))?;
        let page = q.page.unwrap_or(1);
        if page == 0 {
            return Err("Malformed request body: page starts at 1".into());
        }
        let page_size = match q.page_size.unwrap_or(DEFAULT_PAGE_SIZE) {
            0 => return Err("Malformed request body: page_size must be at least 1".into()),
            n => n.min(MAX_PAGE_SIZE),
        };
        let start = match &q.start_date {
            None => None,
            Some(s) => Some(parse_timestamp(s).ok_or_else(|| format!("Malformed request body: start_date \"{s}\" is not a timestamp"))?),
        };
        let severity = q.severity.unwrap_or_default();
        let confidence = q.confidence.unwrap_or_default();
        let types = q.kind.map(|v| v.values).unwrap_or_default();
        let data = &self.config.data;
        let matches: Vec<usize> = (0..data.records.len())
            .filter(|&i| {
                let m = &data.meta[i];
                start.is_none_or(|s| m.last_modified.is_some_and(|t| t >= s))
                    && severity.keeps(m.severity)
                    && confidence.keeps(m.confidence)
                    && (types.is_empty() || m.kind.as_ref().is_some_and(|k| types.iter().any(|t| t == k)))
            })
            .collect();
        let total = matches.len();
        let from = usize::try_from((page - 1).saturating_mul(page_size)).unwrap_or(usize::MAX).min(total);
        let to = from.saturating_add(page_size as usize).min(total);
        let results: Vec<&RawValue> = matches[from..to].iter().map(|&i| &*data.records[i]).collect();
        let env = Envelope { results: (!results.is_empty()).then_some(results), total_size: total, page, page_size, more: to < total };
        Ok(json_response(StatusCode::OK, serde_json::to_vec(&env).expect("serialisable")))
    }
}

async fn indicators(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let _in_flight = sim.enter();
    if sim.config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(sim.config.latency_ms)).await;
    }
    let mut gate = sim.gate.subscribe();
    // The sender lives in `sim`, so this only fails if the simulator is going away.
    let _ = gate.wait_for(|open| *open).await;
    let resp = sim.answer(&headers, &body);
    if sim.config.log_requests {
        // The body only: the token is a header and is never logged.
        eprintln!("POST {API_PATH} -> {} {}", resp.status().as_u16(), String::from_utf8_lossy(&body));
    }
    resp
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    json_response(StatusCode::OK, serde_json::to_vec(&sim.stats()).expect("serialisable"))
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    sim.reset();
    json_response(StatusCode::OK, serde_json::to_vec(&sim.stats()).expect("serialisable"))
}

async fn not_found(req: Request) -> Response {
    error(StatusCode::NOT_FOUND, &format!("No endpoint {} {}", req.method(), req.uri().path()))
}

/// CORS for any origin: preflights are answered here, and every other answer (errors
/// included) gets `Access-Control-Allow-Origin` so a browser can read its status.
async fn cors(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        let h = resp.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("auth-token, content-type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        return resp;
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Retry-After"));
    resp
}

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    let no_cors = sim.config.no_cors;
    let app = Router::new()
        .route(API_PATH, post(indicators))
        .route("/_sim/stats", get(stats))
        .route("/_sim/reset", post(reset))
        .fallback(not_found)
        .with_state(sim);
    if no_cors {
        app
    } else {
        app.layer(middleware::from_fn(cors))
    }
}
