//! The paging client state machine, driven by hand.
use serde_json::json;
use ti_core::client::{parse_retry_after, request_body, Action, Client, FetchError, FetchOptions, Request};
use ti_core::{Filters, IndicatorType, Level};

const NOW: i64 = 1_764_863_712_000; // 2025-12-04T15:55:12Z

fn page(n: u32, per: usize, total: usize) -> Vec<u8> {
    let start = (n as usize - 1) * per;
    let results: Vec<_> = (start..total.min(start + per)).map(|i| json!({"key": format!("k{i}"), "uuid": format!("u{i}")})).collect();
    let mut v = json!({"total_size": total, "page": n, "page_size": per, "more": start + per < total});
    if !results.is_empty() {
        v["results"] = json!(results);
    }
    serde_json::to_vec(&v).unwrap()
}

fn sends(c: &mut Client, now: i64) -> Vec<Request> {
    let mut out = Vec::new();
    while let Action::Send(r) = c.poll(now) {
        out.push(r);
    }
    out
}

fn opts(page_size: u32) -> FetchOptions {
    FetchOptions { page_size, ..FetchOptions::default() }
}

#[test]
fn the_request_body_is_what_the_legacy_script_sent() {
    let f = Filters { min_severity: Some(Level::Medium), min_confidence: Some(Level::High), types: [IndicatorType::Url, IndicatorType::Ip].into_iter().collect(), modified_since: None };
    let body: serde_json::Value = serde_json::from_str(&request_body(&FetchOptions { filters: f, ..FetchOptions::default() }, NOW, 3)).unwrap();
    assert_eq!(body, json!({"start_date": "2025-11-27T15:00:00.000Z", "page_size": 200, "page": 3, "severity": {"from": 3}, "confidence": {"from": 75}, "type": {"values": ["url", "ip"]}}));
    let body: serde_json::Value = serde_json::from_str(&request_body(&FetchOptions { days: 1, ..FetchOptions::default() }, NOW, 1)).unwrap();
    assert_eq!(body, json!({"start_date": "2025-12-03T15:00:00.000Z", "page_size": 200, "page": 1}));
}

#[test]
fn pages_after_the_first_go_out_with_bounded_concurrency_and_come_back_in_order() {
    let mut c = Client::new(opts(10), NOW, 7);
    let first = sends(&mut c, NOW);
    assert_eq!(first.iter().map(|r| r.page).collect::<Vec<_>>(), [1]);
    assert_eq!(c.poll(NOW), Action::Idle);
    c.on_response(first[0].id, 200, None, page(1, 10, 95), NOW);
    let p = c.progress();
    assert_eq!((p.pages_total, p.indicators_total, p.pages_done, p.indicators_done), (Some(10), Some(95), 1, 10));
    let batch = sends(&mut c, NOW);
    assert_eq!(batch.iter().map(|r| r.page).collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7]);
    // Answers in any order; each frees a slot.
    for r in batch.iter().rev() {
        c.on_response(r.id, 200, None, page(r.page, 10, 95), NOW);
    }
    let rest = sends(&mut c, NOW);
    assert_eq!(rest.iter().map(|r| r.page).collect::<Vec<_>>(), [8, 9, 10]);
    for r in &rest {
        c.on_response(r.id, 200, None, page(r.page, 10, 95), NOW);
    }
    assert_eq!(c.poll(NOW), Action::Done);
    assert_eq!(c.progress().indicators_done, 95);
    assert_eq!(c.into_pages().keys().copied().collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
}

#[test]
fn an_empty_result_set_is_one_request() {
    let mut c = Client::new(opts(200), NOW, 1);
    let r = sends(&mut c, NOW);
    c.on_response(r[0].id, 200, None, br#"{"total_size": 0, "page": 1, "page_size": 200, "more": false}"#.to_vec(), NOW);
    assert_eq!(c.poll(NOW), Action::Done);
    assert_eq!(c.into_pages().len(), 1);
}

#[test]
fn rate_limits_honour_retry_after_and_pause_everything() {
    let mut c = Client::new(opts(10), NOW, 1);
    let r = sends(&mut c, NOW);
    c.on_response(r[0].id, 200, None, page(1, 10, 30), NOW);
    let b = sends(&mut c, NOW);
    c.on_response(b[0].id, 429, Some("3"), b"{\"message\":\"slow down\"}".to_vec(), NOW);
    assert_eq!(c.poll(NOW), Action::Wait { until: NOW + 3000 }); // page 3 still in flight, page 2 waits
    c.on_response(b[1].id, 200, None, page(3, 10, 30), NOW);
    assert_eq!(c.poll(NOW), Action::Wait { until: NOW + 3000 });
    let p = c.progress();
    assert_eq!(p.retry_at, Some((NOW + 3000, "rate limited (429)".to_string())));
    assert!(sends(&mut c, NOW + 2999).is_empty());
    let again = sends(&mut c, NOW + 3000);
    assert_eq!(again.iter().map(|r| r.page).collect::<Vec<_>>(), [2]);
    c.on_response(again[0].id, 200, None, page(2, 10, 30), NOW + 3100);
    assert_eq!(c.poll(NOW + 3100), Action::Done);
    assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", 4000), Some(6000));
    assert_eq!(parse_retry_after("soon", 0), None);
}

#[test]
fn server_errors_back_off_with_jitter_then_give_up_with_a_sentence() {
    let mut c = Client::new(FetchOptions { max_retries: 3, backoff_base_ms: 1000, ..opts(10) }, NOW, 99);
    let mut now = NOW;
    let mut waits = Vec::new();
    loop {
        match c.poll(now) {
            Action::Send(r) => c.on_response(r.id, 503, None, br#"{"message": "down", "timestamp": "x"}"#.to_vec(), now),
            Action::Wait { until } => {
                waits.push(until - now);
                now = until;
            }
            Action::Failed(e) => {
                assert_eq!(e, FetchError::Server { page: 1, status: 503, message: Some("down".into()), tries: 4 });
                assert!(e.to_string().contains("HTTP 503 for page 1, 4 times"), "{e}");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waits.len(), 3);
    for (i, w) in waits.iter().enumerate() {
        let cap = 1000i64 << i;
        assert!(*w >= cap / 2 && *w <= cap, "wait {i} = {w}");
    }
}

#[test]
fn failures_resume_from_the_missing_pages_only() {
    let mut c = Client::new(FetchOptions { max_retries: 0, ..opts(10) }, NOW, 1);
    let r = sends(&mut c, NOW);
    c.on_response(r[0].id, 200, None, page(1, 10, 40), NOW);
    let b = sends(&mut c, NOW);
    c.on_response(b[0].id, 200, None, page(2, 10, 40), NOW);
    c.on_network_error(b[1].id, "connection reset", NOW);
    assert!(matches!(c.poll(NOW), Action::Failed(FetchError::Network { page: 3, .. })));
    c.on_response(b[2].id, 200, None, page(4, 10, 40), NOW); // late answer after the failure: kept for later
    c.resume();
    let again = sends(&mut c, NOW);
    assert_eq!(again.iter().map(|r| r.page).collect::<Vec<_>>(), [3, 4]);
    for r in &again {
        c.on_response(r.id, 200, None, page(r.page, 10, 40), NOW);
    }
    assert_eq!(c.poll(NOW), Action::Done);
    assert_eq!(c.progress().indicators_done, 40);
}

#[test]
fn cancel_stops_and_resume_continues() {
    let mut c = Client::new(opts(10), NOW, 1);
    let r = sends(&mut c, NOW);
    c.on_response(r[0].id, 200, None, page(1, 10, 30), NOW);
    let b = sends(&mut c, NOW);
    c.cancel();
    assert_eq!(c.poll(NOW), Action::Cancelled);
    c.on_response(b[0].id, 200, None, page(2, 10, 30), NOW); // ignored
    assert_eq!(c.progress().pages_done, 1);
    c.resume();
    let again = sends(&mut c, NOW);
    assert_eq!(again.iter().map(|r| r.page).collect::<Vec<_>>(), [2, 3]);
}

#[test]
fn more_with_empty_pages_stops_safely_and_growth_is_followed() {
    let mut c = Client::new(opts(10), NOW, 1);
    let r = sends(&mut c, NOW);
    // The last known page says more: keep going one page at a time...
    c.on_response(r[0].id, 200, None, br#"{"results":[{"key":"a"}],"total_size":1,"more":true}"#.to_vec(), NOW);
    let mut pages = 1;
    loop {
        match c.poll(NOW) {
            Action::Send(r) => {
                pages += 1;
                c.on_response(r.id, 200, None, br#"{"total_size":1,"page":2,"more":true}"#.to_vec(), NOW);
            }
            Action::Done => break,
            other => panic!("{other:?}"),
        }
    }
    // ...but not forever on empty pages.
    assert_eq!(pages, 3);
}

#[test]
fn auth_failures_stop_at_once_with_their_sentences() {
    for (status, check) in [(401u16, "rejected the token"), (403, "not entitled"), (404, "HTTP 404")] {
        let mut c = Client::new(opts(10), NOW, 1);
        let r = sends(&mut c, NOW);
        c.on_response(r[0].id, status, None, br#"{"message": "Forbidden", "timestamp": "t"}"#.to_vec(), NOW);
        match c.poll(NOW) {
            Action::Failed(e) => assert!(e.to_string().contains(check), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn unreadable_pages_are_retried() {
    let mut c = Client::new(FetchOptions { backoff_base_ms: 10, ..opts(10) }, NOW, 1);
    let r = sends(&mut c, NOW);
    c.on_response(r[0].id, 200, None, b"<html>proxy error</html>".to_vec(), NOW);
    let Action::Wait { until } = c.poll(NOW) else { panic!() };
    let r = sends(&mut c, until);
    c.on_response(r[0].id, 200, None, page(1, 10, 5), until);
    assert_eq!(c.poll(until), Action::Done);
    assert_eq!(c.progress().retries, 1);
}

#[test]
fn network_failures_before_any_page_give_up_sooner() {
    let mut c = Client::new(FetchOptions { backoff_base_ms: 10, ..opts(10) }, NOW, 1);
    let mut now = NOW;
    let mut tries = 0;
    let err = loop {
        match c.poll(now) {
            Action::Send(r) => {
                tries += 1;
                c.on_network_error(r.id, "TypeError: Failed to fetch", now);
            }
            Action::Wait { until } => now = until,
            Action::Failed(e) => break e,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(tries, 3);
    assert_eq!(err, FetchError::Network { page: 1, message: "TypeError: Failed to fetch".into(), tries: 3 });
}
