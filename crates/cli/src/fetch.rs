//! The native transport: ureq on worker threads, driven by ti-core's client state machine.
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use ti_core::client::{Action, Client, FetchError, FetchOptions, RequestId};
use ti_core::time::EpochMs;

use crate::Failure;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ProgressStyle {
    None,
    /// One line redrawn in place (stderr is a terminal).
    Bar,
    /// A plain line now and then (logs, cron).
    Lines,
}

enum Answer {
    Http { status: u16, retry_after: Option<String>, body: Vec<u8> },
    Network(String),
}

fn now_ms(start: EpochMs, clock: std::time::Instant) -> EpochMs {
    start + clock.elapsed().as_millis() as i64
}

fn send(agent: &ureq::Agent, url: &str, token: &str, body: String) -> Answer {
    let resp = agent.post(url).header("auth-token", token).header("Content-Type", "application/json").header("Accept", "application/json").send(body);
    match resp {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
            match r.body_mut().with_config().limit(1 << 30).read_to_vec() {
                Ok(body) => Answer::Http { status, retry_after, body },
                Err(e) => Answer::Network(format!("the answer broke off: {e}")),
            }
        }
        Err(e) => Answer::Network(e.to_string()),
    }
}

/// Fetches every page; returns the page bodies in page order.
pub fn fetch(url: &str, token: &str, opts: FetchOptions, now: EpochMs, progress: ProgressStyle, debug: bool) -> Result<BTreeMap<u32, Vec<u8>>, Failure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .timeout_connect(Some(Duration::from_secs(20)))
        .user_agent(concat!("ti-export/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let clock = std::time::Instant::now();
    let seed = now as u64 ^ u64::from(std::process::id()).rotate_left(32);
    let mut client = Client::new(opts, now, seed);
    let (tx, rx) = mpsc::channel::<(RequestId, Answer)>();
    let mut shown = Shown::default();
    loop {
        let t = now_ms(now, clock);
        let answer = match client.poll(t) {
            Action::Send(req) => {
                if debug {
                    eprintln!("debug: POST {url} page {}: {}", req.page, req.body);
                }
                let (agent, url, token, tx) = (agent.clone(), url.to_string(), token.to_string(), tx.clone());
                std::thread::spawn(move || {
                    let a = send(&agent, &url, &token, req.body);
                    let _ = tx.send((req.id, a));
                });
                continue;
            }
            Action::Wait { until } => rx.recv_timeout(Duration::from_millis(u64::try_from(until - t).unwrap_or(0).max(1))).ok(),
            Action::Idle => rx.recv().ok(),
            Action::Done => break,
            Action::Failed(e) => {
                shown.finish(progress);
                return Err(Failure(explain(&e, url)));
            }
            Action::Cancelled => return Err(Failure("The fetch was cancelled.".into())),
        };
        if let Some((id, a)) = answer {
            let t = now_ms(now, clock);
            match a {
                Answer::Http { status, retry_after, body } => {
                    if debug {
                        eprintln!("debug: answer HTTP {status}{}, {} bytes", retry_after.as_deref().map(|r| format!(" (Retry-After: {r})")).unwrap_or_default(), body.len());
                    }
                    client.on_response(id, status, retry_after.as_deref(), body, t);
                }
                Answer::Network(m) => {
                    if debug {
                        eprintln!("debug: network error: {m}");
                    }
                    client.on_network_error(id, &m, t);
                }
            }
        }
        shown.update(&client, progress);
    }
    shown.finish(progress);
    Ok(client.into_pages())
}

fn explain(e: &FetchError, url: &str) -> String {
    match e {
        FetchError::Network { .. } => format!("{e} (API URL: {url})"),
        _ => e.to_string(),
    }
}

#[derive(Default)]
struct Shown {
    last_decile: Option<u64>,
    retries: u32,
    drawn: bool,
}

impl Shown {
    fn update(&mut self, client: &Client, style: ProgressStyle) {
        let p = client.progress();
        let (Some(pages), Some(total)) = (p.pages_total, p.indicators_total) else { return };
        let line = format!("page {}/{pages}, {}/{total} indicators{}", p.pages_done, p.indicators_done, if p.retries > 0 { format!(", {} retries", p.retries) } else { String::new() });
        match style {
            ProgressStyle::None => {}
            ProgressStyle::Bar => {
                let width = 30u64;
                let filled = (u64::from(p.pages_done) * width).checked_div(u64::from(pages)).unwrap_or(width).min(width);
                let bar: String = (0..width).map(|i| if i < filled { '#' } else { '-' }).collect();
                eprint!("\r[{bar}] {line}\x1b[K");
                let _ = std::io::stderr().flush();
                self.drawn = true;
            }
            ProgressStyle::Lines => {
                let decile = u64::from(p.pages_done) * 10 / u64::from(pages.max(1));
                if self.last_decile != Some(decile) || p.retries != self.retries {
                    if p.retries != self.retries {
                        if let Some((_, why)) = &p.retry_at {
                            eprintln!("retrying: {why}");
                        }
                    }
                    eprintln!("{line}");
                    self.last_decile = Some(decile);
                    self.retries = p.retries;
                }
            }
        }
    }

    fn finish(&mut self, style: ProgressStyle) {
        if style == ProgressStyle::Bar && self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}
