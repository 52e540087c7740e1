//! intelgraph-sim: a local server that speaks the IntelGraph threat indicator protocol
//! (`/work/shared/docs/intelgraph-api.md`), for tests, benchmarks and demos, and a generator
//! of realistic exports.
//!
//! In-process use from blocking tests:
//!
//! ```no_run
//! use std::sync::Arc;
//! let data = intelgraph_sim::Dataset::generated(500, 7, 1_767_225_600_000);
//! let sim = intelgraph_sim::spawn(intelgraph_sim::Config { data: Arc::new(data), ..Default::default() });
//! let url = sim.url(); // http://127.0.0.1:PORT/rest/threatindicator/v0, token "demo"
//! // ... run the client against `url` ...
//! assert!(sim.stats().max_in_flight <= 4);
//! // the server stops when `sim` is dropped
//! ```
//!
//! Order of checks for an API request: latency, the hold gate, `auth-token` (401), the rate
//! limit (429), `forbidden` (403), an injected fault (500/502/503), the body (400), then the
//! page (200). A `page_size` above 200 is clamped to 200 (the envelope says 200).
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};

mod data;
mod generate;
mod server;

pub use data::{Dataset, LoadError};
pub use generate::{generate, generate_shape, Shape};
pub use server::{API_PATH, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// How a simulator behaves. `Default`: token `demo`, no data, no latency, faults, rate
/// limit or 403, CORS on, no logging.
#[derive(Clone, Debug)]
pub struct Config {
    /// The `auth-token` a request must carry; anything else gets 401.
    pub token: String,
    /// The records served, in this order.
    pub data: Arc<Dataset>,
    /// A delay before every API request is answered (it counts as in flight meanwhile).
    pub latency_ms: u64,
    /// The fraction (0.0..=1.0) of authorised API requests answered 500, 502 or 503.
    pub fault_rate: f64,
    /// Seeds the fault draw: request n of a run faults or not depending only on this and n.
    pub fault_seed: u64,
    /// Authorised API requests per second (token bucket, bursts up to the rate); beyond it
    /// 429 with `Retry-After` in whole seconds. `None`: unlimited.
    pub rate_limit: Option<f64>,
    /// Answer every authorised API request 403 with the Spring-style body.
    pub forbidden: bool,
    /// Send no CORS headers and answer no preflights (like the real API appears to).
    pub no_cors: bool,
    /// Print each API request's status and body (never its headers) to stderr.
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: "demo".into(),
            data: Arc::new(Dataset::default()),
            latency_ms: 0,
            fault_rate: 0.0,
            fault_seed: 0,
            rate_limit: None,
            forbidden: false,
            no_cors: false,
            log_requests: false,
        }
    }
}

/// The counters, as `GET /_sim/stats` shows them. `requests`, `faults` and `rate_limited`
/// count API requests (`POST /rest/threatindicator/v0`, whatever their answer); preflights
/// and `/_sim` calls are not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub in_flight: u64,
    pub max_in_flight: u64,
    pub requests: u64,
    pub faults: u64,
    pub rate_limited: u64,
}

/// Serves `config` on an already bound listener until the future is dropped. The binary
/// uses this; tests want [`spawn`].
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> io::Result<()> {
    axum::serve(listener, server::router(Arc::new(server::Sim::new(config)))).await
}

/// A simulator running on its own thread and tokio runtime; it stops when dropped.
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<server::Sim>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Starts a simulator on 127.0.0.1 with a free port. Panics if it cannot (see [`try_spawn`]).
pub fn spawn(config: Config) -> SimHandle {
    try_spawn(config).expect("intelgraph-sim: cannot start the simulator")
}

/// Starts a simulator on 127.0.0.1 with a free port. The port is bound before this returns,
/// so the URL can be used at once.
pub fn try_spawn(config: Config) -> io::Result<SimHandle> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(workers).thread_name("intelgraph-sim").enable_all().build()?;
    let sim = Arc::new(server::Sim::new(config));
    let app = server::router(sim.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("intelgraph-sim".into()).spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a bound std listener converts");
            let server = tokio::spawn(axum::serve(listener, app).into_future());
            let _ = rx.await;
            server.abort();
        });
        // Dropping the runtime cancels the connection tasks and closes their sockets.
        drop(runtime);
    })?;
    Ok(SimHandle { addr, sim, shutdown: Some(tx), thread: Some(thread) })
}

impl SimHandle {
    /// The API URL: `http://127.0.0.1:PORT/rest/threatindicator/v0`.
    pub fn url(&self) -> String {
        format!("http://{}{API_PATH}", self.addr)
    }
    /// `http://127.0.0.1:PORT`, for the `/_sim` endpoints.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The counters now.
    pub fn stats(&self) -> Stats {
        self.sim.stats()
    }
    /// Zeroes the counters (as `POST /_sim/reset`): also restarts the fault sequence and
    /// refills the rate limit. `in_flight` stays (it is a gauge).
    pub fn reset(&self) {
        self.sim.reset()
    }
    /// Holds API requests after they arrive (and after latency) until [`SimHandle::release`]:
    /// a deterministic way to have several requests in flight at once.
    pub fn hold(&self) {
        self.sim.set_gate(false)
    }
    /// Lets held and later requests proceed.
    pub fn release(&self) {
        self.sim.set_gate(true)
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.sim.set_gate(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
