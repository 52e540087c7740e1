//! The IntelGraph paging client as a sans-IO state machine: it decides which requests to
//! send and when, and interprets the answers; the caller owns the network and the clock.
//!
//! Driving it: call [`Client::poll`] until it returns something other than
//! [`Action::Send`]; send each request; feed every answer to [`Client::on_response`] (or
//! [`Client::on_network_error`]); on [`Action::Wait`] sleep until then or until an answer
//! arrives; stop on `Done`, `Failed` or `Cancelled`.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::filter::Filters;
use crate::time::{format_timestamp, window_start, EpochMs};

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.intelgraph.idefense.com/rest/threatindicator/v0";
/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 200;

/// How to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchOptions {
    /// Days of data: `start_date` is now minus this, truncated to the hour (UTC).
    pub days: u32,
    /// Severity, confidence and type filters are sent to the API (`modified_since` is not).
    pub filters: Filters,
    pub page_size: u32,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Retries of one page after a server or network failure.
    pub max_retries: u32,
    /// 429 answers tolerated for one page before giving up.
    pub max_rate_limited: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// Pages with no results but `more: true` tolerated in a row before stopping.
    pub max_empty_pages: u32,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions { days: 7, filters: Filters::default(), page_size: MAX_PAGE_SIZE, concurrency: 6, max_retries: 5, max_rate_limited: 20, backoff_base_ms: 500, backoff_max_ms: 30_000, max_empty_pages: 2 }
    }
}

#[derive(Serialize)]
struct From {
    from: u8,
}

#[derive(Serialize)]
struct Values<'a> {
    values: Vec<&'a str>,
}

/// The JSON body the legacy script sent, for one page.
#[derive(Serialize)]
struct Body<'a> {
    start_date: String,
    page_size: u32,
    page: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<From>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<From>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Values<'a>>,
}

/// The request body for `page` (1-based).
pub fn request_body(opts: &FetchOptions, now: EpochMs, page: u32) -> String {
    let f = &opts.filters;
    let body = Body {
        start_date: format_timestamp(window_start(now, opts.days)),
        page_size: opts.page_size,
        page,
        severity: f.min_severity.map(|l| From { from: l.severity_from() }),
        confidence: f.min_confidence.map(|l| From { from: l.confidence_from() }),
        kind: (!f.types.is_empty()).then(|| Values { values: f.types.iter().map(|t| t.as_str()).collect() }),
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// Identifies one request sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// A request to send: `POST` the body to the API URL with the `auth-token` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: RequestId,
    pub page: u32,
    pub body: String,
}

/// Why the fetch stopped. `Display` gives a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    Unauthorized { message: Option<String> },
    Forbidden { message: Option<String> },
    RateLimited { page: u32, tries: u32 },
    Server { page: u32, status: u16, message: Option<String>, tries: u32 },
    Network { page: u32, message: String, tries: u32 },
    BadResponse { page: u32, detail: String, tries: u32 },
    Status { page: u32, status: u16, message: Option<String> },
}

fn with_message(m: &Option<String>) -> String {
    m.as_deref().map(|m| format!(" The API said: \"{m}\".")).unwrap_or_default()
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthorized { message } => write!(f, "The API rejected the token (401 Unauthorized): check that it is complete and has not expired.{}", with_message(message)),
            Self::Forbidden { message } => write!(f, "The token is not entitled to the threat indicator API (403 Forbidden): ask your iDefense account manager for access.{}", with_message(message)),
            Self::RateLimited { page, tries } => write!(f, "The API kept answering 429 Too Many Requests for page {page} ({tries} times): it is rate limiting this token. Try again later."),
            Self::Server { page, status, message, tries } => write!(f, "The API failed with HTTP {status} for page {page}, {tries} times in a row.{}", with_message(message)),
            Self::Network { page, message, tries } => write!(f, "Could not reach the API for page {page} ({tries} tries): {message}"),
            Self::BadResponse { page, detail, tries } => write!(f, "The API's answer for page {page} is not a threat indicator response ({tries} tries): {detail}"),
            Self::Status { page, status, message } => write!(f, "The API answered HTTP {status} for page {page}; check the API URL.{}", with_message(message)),
        }
    }
}

impl std::error::Error for FetchError {}

/// What the caller should do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Send(Request),
    /// Nothing to send before this instant (a retry is scheduled), unless an answer comes.
    Wait { until: EpochMs },
    /// Waiting for answers to requests in flight.
    Idle,
    Done,
    Failed(FetchError),
    Cancelled,
}

/// Figures for a progress display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub pages_done: u32,
    /// Known once the first page has arrived.
    pub pages_total: Option<u32>,
    pub indicators_done: u64,
    pub indicators_total: Option<u64>,
    pub in_flight: usize,
    /// Retries so far, of all pages.
    pub retries: u32,
    /// When the next scheduled retry is due, and why it was needed.
    pub retry_at: Option<(EpochMs, String)>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    results: Option<Vec<IgnoredAny>>,
    #[serde(default)]
    total_size: Option<u64>,
    #[serde(default)]
    more: Option<bool>,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

fn error_message(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body).ok().and_then(|b| b.message).filter(|m| !m.is_empty())
}

#[derive(Default)]
struct PageState {
    failures: u32,
    rate_limited: u32,
    not_before: EpochMs,
    last_reason: String,
}

/// The paging client. See the module documentation.
pub struct Client {
    opts: FetchOptions,
    now_at_start: EpochMs,
    rng: u64,
    next_id: u64,
    /// Pages known to exist and not yet fetched.
    todo: BTreeSet<u32>,
    in_flight: HashMap<RequestId, u32>,
    pages: BTreeMap<u32, Vec<u8>>,
    state: HashMap<u32, PageState>,
    /// The last page number known to exist (grows when a last page says `more`).
    last_page: Option<u32>,
    total: Option<u64>,
    indicators_done: u64,
    empty_more: u32,
    retries: u32,
    paused_until: EpochMs,
    failed: Option<FetchError>,
    cancelled: bool,
    finished: bool,
}

impl Client {
    /// `now` fixes `start_date` for the whole fetch; `seed` drives the backoff jitter.
    pub fn new(opts: FetchOptions, now: EpochMs, seed: u64) -> Self {
        let opts = FetchOptions { page_size: opts.page_size.clamp(1, MAX_PAGE_SIZE), concurrency: opts.concurrency.max(1), ..opts };
        Client {
            opts,
            now_at_start: now,
            rng: seed | 1,
            next_id: 0,
            todo: BTreeSet::from([1]),
            in_flight: HashMap::new(),
            pages: BTreeMap::new(),
            state: HashMap::new(),
            last_page: None,
            total: None,
            indicators_done: 0,
            empty_more: 0,
            retries: 0,
            paused_until: 0,
            failed: None,
            cancelled: false,
            finished: false,
        }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// The body of the request for `page`.
    pub fn body(&self, page: u32) -> String {
        request_body(&self.opts, self.now_at_start, page)
    }

    fn jitter(&mut self, ms: u64) -> u64 {
        // xorshift64: good enough to spread retries; half fixed, half random.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        ms / 2 + self.rng % (ms / 2 + 1)
    }

    pub fn poll(&mut self, now: EpochMs) -> Action {
        if self.cancelled {
            return Action::Cancelled;
        }
        if let Some(e) = &self.failed {
            return Action::Failed(e.clone());
        }
        if self.finished || (self.todo.is_empty() && self.in_flight.is_empty() && self.last_page.is_some()) {
            self.finished = true;
            return Action::Done;
        }
        // Until the first page has told the total, only page 1 is asked for.
        let limit = if self.last_page.is_none() { 1 } else { self.opts.concurrency };
        if self.in_flight.len() < limit && now >= self.paused_until {
            let ready = self.todo.iter().copied().find(|p| self.state.get(p).is_none_or(|s| s.not_before <= now));
            if let Some(page) = ready {
                self.todo.remove(&page);
                let id = RequestId(self.next_id);
                self.next_id += 1;
                self.in_flight.insert(id, page);
                return Action::Send(Request { id, page, body: self.body(page) });
            }
        }
        if self.in_flight.len() < limit {
            let due = self.todo.iter().map(|p| self.state.get(p).map_or(0, |s| s.not_before)).min();
            if let Some(t) = due {
                return Action::Wait { until: t.max(self.paused_until) };
            }
        }
        Action::Idle
    }

    fn retry(&mut self, page: u32, now: EpochMs, delay: u64, reason: String) {
        self.retries += 1;
        let st = self.state.entry(page).or_default();
        st.not_before = now + delay as i64;
        st.last_reason = reason;
        self.todo.insert(page);
    }

    fn backoff(&mut self, page: u32, now: EpochMs, err: impl FnOnce(u32) -> FetchError, reason: String) {
        let st = self.state.entry(page).or_default();
        st.failures += 1;
        let failures = st.failures;
        if failures > self.opts.max_retries {
            self.failed = Some(err(failures));
            self.todo.insert(page);
            return;
        }
        let exp = self.opts.backoff_base_ms.saturating_mul(1 << (failures - 1).min(20)).min(self.opts.backoff_max_ms);
        let delay = self.jitter(exp);
        self.retry(page, now, delay, reason);
    }

    /// An HTTP answer to request `id`. `retry_after` is the `Retry-After` header, if any.
    pub fn on_response(&mut self, id: RequestId, status: u16, retry_after: Option<&str>, body: Vec<u8>, now: EpochMs) {
        let Some(page) = self.in_flight.remove(&id) else { return };
        if self.cancelled || self.failed.is_some() {
            self.todo.insert(page);
            return;
        }
        match status {
            200..=299 => self.on_page(page, body, now),
            401 => self.failed = Some(FetchError::Unauthorized { message: error_message(&body) }),
            403 => self.failed = Some(FetchError::Forbidden { message: error_message(&body) }),
            429 => {
                let st = self.state.entry(page).or_default();
                st.rate_limited += 1;
                if st.rate_limited > self.opts.max_rate_limited {
                    self.failed = Some(FetchError::RateLimited { page, tries: st.rate_limited });
                    self.todo.insert(page);
                    return;
                }
                let attempt = st.rate_limited;
                let delay = retry_after.and_then(|v| parse_retry_after(v, now)).unwrap_or_else(|| self.opts.backoff_base_ms.saturating_mul(1 << (attempt - 1).min(20)).min(self.opts.backoff_max_ms));
                self.paused_until = self.paused_until.max(now + delay as i64);
                self.retry(page, now, delay, "rate limited (429)".into());
            }
            500..=599 | 408 => {
                let message = error_message(&body);
                self.backoff(page, now, |tries| FetchError::Server { page, status, message, tries }, format!("HTTP {status}"));
            }
            _ => {
                self.failed = Some(FetchError::Status { page, status, message: error_message(&body) });
                self.todo.insert(page);
            }
        }
    }

    fn on_page(&mut self, page: u32, body: Vec<u8>, now: EpochMs) {
        let body_text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
        let env: Envelope = match serde_json::from_slice(body_text) {
            Ok(e) => e,
            Err(e) => {
                let detail = e.to_string();
                return self.backoff(page, now, |tries| FetchError::BadResponse { page, detail, tries }, "unreadable answer".into());
            }
        };
        let n = env.results.as_ref().map_or(0, Vec::len) as u64;
        let more = env.more.unwrap_or(false);
        if self.last_page.is_none() {
            let total = env.total_size.unwrap_or(n);
            self.total = Some(total);
            let pages = total.div_ceil(u64::from(self.opts.page_size)).max(1).min(u64::from(u32::MAX)) as u32;
            self.last_page = Some(pages);
            self.todo.extend(2..=pages);
        }
        self.indicators_done += n;
        self.pages.insert(page, body);
        // `more` on the last known page: the data set grew; keep going one page at a time,
        // but not forever on empty pages.
        if Some(page) == self.last_page && more {
            self.empty_more = if n == 0 { self.empty_more + 1 } else { 0 };
            if self.empty_more < self.opts.max_empty_pages {
                let next = page + 1;
                self.last_page = Some(next);
                self.todo.insert(next);
            }
        }
    }

    /// A request that got no HTTP answer (connection refused, reset, timeout, CORS).
    pub fn on_network_error(&mut self, id: RequestId, message: &str, now: EpochMs) {
        let Some(page) = self.in_flight.remove(&id) else { return };
        if self.cancelled || self.failed.is_some() {
            self.todo.insert(page);
            return;
        }
        let message = message.to_string();
        // Before any page has arrived, a network failure is most likely a wrong URL or a
        // blocked cross-origin call, which waiting will not fix: give up sooner.
        let budget = if self.pages.is_empty() { self.opts.max_retries.min(2) } else { self.opts.max_retries };
        if self.state.get(&page).map_or(0, |s| s.failures) >= budget {
            let tries = self.state.get(&page).map_or(0, |s| s.failures) + 1;
            self.failed = Some(FetchError::Network { page, message, tries });
            self.todo.insert(page);
            return;
        }
        self.backoff(page, now, |tries| FetchError::Network { page, message, tries }, "network error".into());
    }

    /// Stops the fetch: `poll` answers `Cancelled`; answers still coming are ignored. The
    /// pages fetched so far are kept, and [`Client::resume`] continues.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        let pending: Vec<u32> = self.in_flight.drain().map(|(_, p)| p).collect();
        self.todo.extend(pending);
    }

    /// Continues after a failure or a cancel: fetches only the pages still missing, with
    /// fresh retry budgets.
    pub fn resume(&mut self) {
        self.cancelled = false;
        self.failed = None;
        self.paused_until = 0;
        let pending: Vec<u32> = self.in_flight.drain().map(|(_, p)| p).collect();
        self.todo.extend(pending);
        self.state.clear();
        self.empty_more = 0;
    }

    pub fn progress(&self) -> Progress {
        let retry_at = self.todo.iter().filter_map(|p| self.state.get(p)).filter(|s| !s.last_reason.is_empty()).map(|s| (s.not_before.max(self.paused_until), s.last_reason.clone())).min_by_key(|(t, _)| *t);
        Progress {
            pages_done: self.pages.len() as u32,
            pages_total: self.last_page,
            indicators_done: self.indicators_done,
            indicators_total: self.total,
            in_flight: self.in_flight.len(),
            retries: self.retries,
            retry_at,
        }
    }

    /// The page bodies fetched so far, in page order.
    pub fn pages(&self) -> impl Iterator<Item = (u32, &[u8])> {
        self.pages.iter().map(|(p, b)| (*p, b.as_slice()))
    }

    /// Takes the fetched page bodies, in page order.
    pub fn into_pages(self) -> BTreeMap<u32, Vec<u8>> {
        self.pages
    }
}

/// `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date.
pub fn parse_retry_after(v: &str, now: EpochMs) -> Option<u64> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts: Vec<&str> = v.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == parts[2])? + 1;
    let iso = format!("{}-{:02}-{:0>2}T{}Z", parts[3], month, parts[1], parts[4]);
    let at = crate::time::parse_timestamp(&iso)?;
    Some(u64::try_from(at - now).unwrap_or(0))
}
