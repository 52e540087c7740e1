//! The protocol of intelgraph-api.md: auth, filters, paging, the envelope, byte-exact records.
mod common;

use common::*;
use intelgraph_sim::{Config, Dataset};
use serde_json::value::RawValue;
use serde_json::Value;
use ti_core::time::parse_timestamp;

/// Hand-written records covering each filter's edge: equal bounds, missing and non-numeric
/// values, missing and unparseable last_modified, and a replication_id of 2^53 + 1 that an
/// f64 cannot hold. The odd spacing and `1.50` check that records are not re-serialised.
const FIXTURE: &str = r#"{"results": [
  {"key": "a.example", "type": "domain", "severity": 5, "confidence": 90, "last_modified": "2026-12-01T00:00:00.000Z", "replication_id": 1796083200000000001},
  {"key": "10.0.0.1",   "type": "ip", "severity": 3, "confidence": 50, "last_modified": "2026-11-20T00:00:00.000Z", "replication_id": 1795132800000000002, "score": 1.50},
  {"key": "http://b.example/x?a=1,2", "type": "url", "severity": 2, "confidence": 49, "last_modified": "2026-12-03T12:00:00.000Z", "replication_id": 1796299200000000003},
  {"key": "d41d8cd98f00b204e9800998ecf8427e", "type": "file", "severity": 4, "last_modified": "2026-12-02T00:00:00.000Z", "replication_id": 9007199254740993},
  {"key": "no-sev.example", "type": "domain", "confidence": 75, "last_modified": "2026-11-30T00:00:00.000Z"},
  {"key": "no-date.example", "type": "domain", "severity": 4, "confidence": 80},
  {"key": "bad-date.example", "type": "url", "severity": 4, "confidence": 80, "last_modified": "yesterday"},
  {"key": "text-sev.example", "type": "ip", "severity": "5", "confidence": "90", "last_modified": "2026-12-01T00:00:00.000Z"}
], "total_size": 8, "page": 1, "page_size": 8, "more": false}"#;

fn fixture_sim(config: Config) -> intelgraph_sim::SimHandle {
    with_data(FIXTURE.as_bytes(), config)
}

/// The raw texts of a response's results.
fn results(body: &str) -> Vec<&RawValue> {
    #[derive(serde::Deserialize)]
    struct Env<'a> {
        #[serde(borrow)]
        results: Vec<&'a RawValue>,
    }
    serde_json::from_str::<Env>(body).expect("a response with results").results
}

fn assert_error_body(reply: &Reply) {
    let v = reply.json();
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 2, "only message and timestamp: {}", reply.body);
    assert!(!obj["message"].as_str().unwrap().is_empty());
    assert!(parse_timestamp(obj["timestamp"].as_str().unwrap()).is_some(), "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

#[test]
fn missing_or_wrong_token_is_401_with_message_and_timestamp() {
    let sim = fixture_sim(Config::default());
    for token in [None, Some("wrong"), Some(""), Some("DEMO"), Some("demo2")] {
        let r = post(&sim.url(), token, "{}");
        assert_eq!(r.status, 401, "token {token:?}");
        assert_error_body(&r);
    }
    let r = post(&sim.url(), Some("demo"), "{}");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total_size"], 8);
}

#[test]
fn a_custom_token_replaces_demo() {
    let sim = fixture_sim(Config { token: "s3cret".into(), ..Config::default() });
    assert_eq!(post(&sim.url(), Some("demo"), "{}").status, 401);
    assert_eq!(post(&sim.url(), Some("s3cret"), "{}").status, 200);
}

#[test]
fn no_filter_serves_everything_in_data_order() {
    let sim = fixture_sim(Config::default());
    let v = query(&sim, "{}").json();
    assert_eq!(
        keys(&v),
        ["a.example", "10.0.0.1", "http://b.example/x?a=1,2", "d41d8cd98f00b204e9800998ecf8427e", "no-sev.example", "no-date.example", "bad-date.example", "text-sev.example"]
    );
    assert_eq!((v["total_size"].as_u64(), v["page"].as_u64(), v["page_size"].as_u64(), v["more"].as_bool()), (Some(8), Some(1), Some(25), Some(false)));
}

#[test]
fn start_date_keeps_last_modified_at_or_after_it_and_drops_undated_records() {
    let sim = fixture_sim(Config::default());
    let v = query(&sim, r#"{"start_date": "2026-12-01T00:00:00.000Z"}"#).json();
    assert_eq!(keys(&v), ["a.example", "http://b.example/x?a=1,2", "d41d8cd98f00b204e9800998ecf8427e", "text-sev.example"]);
    assert_eq!(v["total_size"], 4);
}

#[test]
fn severity_from_keeps_numeric_severity_at_or_above() {
    let sim = fixture_sim(Config::default());
    let v = query(&sim, r#"{"severity": {"from": 4}}"#).json();
    assert_eq!(keys(&v), ["a.example", "d41d8cd98f00b204e9800998ecf8427e", "no-date.example", "bad-date.example"]);
    let v = query(&sim, r#"{"severity": {"from": 3}}"#).json();
    assert_eq!(v["total_size"], 5);
}

#[test]
fn confidence_from_keeps_numeric_confidence_at_or_above() {
    let sim = fixture_sim(Config::default());
    let v = query(&sim, r#"{"confidence": {"from": 50}}"#).json();
    assert_eq!(keys(&v), ["a.example", "10.0.0.1", "no-sev.example", "no-date.example", "bad-date.example"]);
    let v = query(&sim, r#"{"confidence": {"from": 75}}"#).json();
    assert_eq!(keys(&v), ["a.example", "no-sev.example", "no-date.example", "bad-date.example"]);
}

#[test]
fn type_values_keep_the_listed_types() {
    let sim = fixture_sim(Config::default());
    let v = query(&sim, r#"{"type": {"values": ["url", "ip"]}}"#).json();
    assert_eq!(keys(&v), ["10.0.0.1", "http://b.example/x?a=1,2", "bad-date.example", "text-sev.example"]);
    let v = query(&sim, r#"{"type": {"values": ["file"]}}"#).json();
    assert_eq!(keys(&v), ["d41d8cd98f00b204e9800998ecf8427e"]);
    // An empty list, like an absent filter or null, does not filter.
    assert_eq!(query(&sim, r#"{"type": {"values": []}}"#).json()["total_size"], 8);
    assert_eq!(query(&sim, r#"{"type": null, "severity": null}"#).json()["total_size"], 8);
}

#[test]
fn the_legacy_scripts_request_is_understood() {
    let sim = fixture_sim(Config::default());
    let body = r#"{"start_date": "2026-11-27T14:00:00.000Z", "page_size": 200, "page": 1, "severity": {"from": 3}, "confidence": {"from": 50}, "type": {"values": ["url", "domain", "ip"]}}"#;
    let v = query(&sim, body).json();
    assert_eq!(keys(&v), ["a.example"]);
    assert_eq!(v["page_size"], 200);
}

#[test]
fn records_are_served_byte_exact() {
    let sim = fixture_sim(Config::default());
    let r = query(&sim, "{}");
    let input = ti_core::Input::read(FIXTURE.as_bytes()).unwrap();
    let served = results(&r.body);
    assert_eq!(served.len(), input.records.len());
    for (served, original) in served.iter().zip(&input.records) {
        assert_eq!(served.get(), original.raw);
    }
    assert!(r.body.contains(r#""replication_id": 9007199254740993}"#));
    assert!(r.body.contains(r#""score": 1.50}"#));
}

#[test]
fn generated_records_keep_their_big_replication_ids() {
    let data = intelgraph_sim::generate(300, 5, NOW);
    let sim = with_data(&data, Config::default());
    let dataset = Dataset::from_bytes(&data).unwrap();
    let mut page = 1;
    let mut served = 0;
    loop {
        let r = query(&sim, &format!(r#"{{"page_size": 200, "page": {page}}}"#));
        let env: Value = r.json();
        for raw in results(&r.body) {
            assert_eq!(raw.get(), dataset.raw(served).unwrap());
            let rid: u64 = serde_json::from_str::<Value>(raw.get()).unwrap()["replication_id"].as_u64().unwrap();
            assert!(rid > 1 << 53);
            served += 1;
        }
        if !env["more"].as_bool().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!((served, page), (300, 2));
}

#[test]
fn paging_defaults_to_25_and_sets_more() {
    let sim = generated(60, Config::default());
    let p1 = query(&sim, r#"{"page": 1}"#).json();
    assert_eq!(p1["results"].as_array().unwrap().len(), 25);
    assert_eq!((p1["total_size"].as_u64(), p1["page_size"].as_u64(), p1["more"].as_bool()), (Some(60), Some(25), Some(true)));
    let p3 = query(&sim, r#"{"page": 3}"#).json();
    assert_eq!(p3["results"].as_array().unwrap().len(), 10);
    assert_eq!(p3["more"], false);
    // Past the end: results left out, the rest of the envelope present.
    let p4 = query(&sim, r#"{"page": 4}"#);
    assert_eq!(p4.body, r#"{"total_size":60,"page":4,"page_size":25,"more":false}"#);
}

#[test]
fn pages_put_together_are_the_data_in_order() {
    let data = intelgraph_sim::generate(50, 9, NOW);
    let sim = with_data(&data, Config::default());
    let all = keys(&query(&sim, r#"{"page_size": 200}"#).json());
    assert_eq!(all.len(), 50);
    let mut paged = Vec::new();
    for page in 1.. {
        let v = query(&sim, &format!(r#"{{"page_size": 7, "page": {page}}}"#)).json();
        paged.extend(keys(&v));
        assert_eq!(v["more"].as_bool().unwrap(), page * 7 < 50);
        if v["more"] == false {
            break;
        }
    }
    assert_eq!(paged, all);
}

#[test]
fn page_size_above_200_is_clamped_to_200() {
    let sim = generated(250, Config::default());
    let v = query(&sim, r#"{"page_size": 1000}"#).json();
    assert_eq!(v["results"].as_array().unwrap().len(), 200);
    assert_eq!((v["page_size"].as_u64(), v["more"].as_bool(), v["total_size"].as_u64()), (Some(200), Some(true), Some(250)));
    let v = query(&sim, r#"{"page_size": 1000, "page": 2}"#).json();
    assert_eq!(v["results"].as_array().unwrap().len(), 50);
    // page_size 1 reads total_size cheaply.
    let v = query(&sim, r#"{"page_size": 1}"#).json();
    assert_eq!((v["results"].as_array().unwrap().len(), v["total_size"].as_u64()), (1, Some(250)));
}

#[test]
fn no_match_leaves_results_out() {
    let sim = fixture_sim(Config::default());
    let r = query(&sim, r#"{"start_date": "2099-01-01T00:00:00.000Z"}"#);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, r#"{"total_size":0,"page":1,"page_size":25,"more":false}"#);
    let empty = intelgraph_sim::spawn(Config::default());
    assert_eq!(query(&empty, "{}").body, r#"{"total_size":0,"page":1,"page_size":25,"more":false}"#);
}

#[test]
fn a_malformed_body_is_400_with_message_and_timestamp() {
    let sim = fixture_sim(Config::default());
    for body in ["", "not json", "[1]", "{\"page\": \"x\"}", "{\"page\": 0}", "{\"page_size\": 0}", "{\"page\": -1}", "{\"start_date\": \"yesterday\"}", "{\"severity\": {\"from\": \"high\"}}", "{\"type\": {\"values\": \"url\"}}", "{\"page\": 1"] {
        let r = query(&sim, body);
        assert_eq!(r.status, 400, "body {body:?}: {}", r.body);
        assert_error_body(&r);
    }
    // Unknown fields are ignored.
    assert_eq!(query(&sim, r#"{"end_date_unknown": 1, "page": 1}"#).status, 200);
}

#[test]
fn forbidden_answers_the_spring_style_403_to_the_right_token() {
    let sim = fixture_sim(Config { forbidden: true, ..Config::default() });
    let r = query(&sim, "{}");
    assert_eq!(r.status, 403);
    let v = r.json();
    assert_eq!(v.as_object().unwrap().len(), 5, "{}", r.body);
    assert_eq!((v["status"].as_u64(), v["error"].as_str(), v["message"].as_str(), v["path"].as_str()), (Some(403), Some("Forbidden"), Some("Forbidden"), Some("/rest/threatindicator/v0")));
    assert!(parse_timestamp(v["timestamp"].as_str().unwrap()).is_some());
    assert_eq!(post(&sim.url(), Some("wrong"), "{}").status, 401);
}

#[test]
fn unknown_paths_are_404_with_an_error_body() {
    let sim = fixture_sim(Config::default());
    let r = get(&format!("{}/rest/other/v0", sim.base_url()));
    assert_eq!(r.status, 404);
    assert_error_body(&r);
}
