//! The generator: deterministic, readable by ti-core in every shape, and realistic.
mod common;

use common::NOW;
use intelgraph_sim::{generate, generate_shape, Shape};
use serde_json::Value;
use ti_core::record::{FirstFile, Indicator, Joined, Loose};
use ti_core::time::parse_timestamp;
use ti_core::{Input, Shape as InputShape};

const DAY: i64 = 86_400_000;

#[test]
fn same_seed_and_now_give_the_same_bytes() {
    let a = generate(400, 7, NOW);
    assert_eq!(a, generate(400, 7, NOW));
    assert_ne!(a, generate(400, 8, NOW), "another seed");
    assert_ne!(a, generate(400, 7, NOW + DAY), "another now");
    assert_eq!(generate_shape(400, 7, NOW, Shape::Response), a, "response is the default shape");
}

#[test]
fn the_default_shape_is_a_pretty_printed_api_response() {
    let bytes = generate(3, 1, NOW);
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("{\n  \"results\": [\n    {\n      \"key\": "), "{}", &text[..60]);
    assert!(text.ends_with("  \"total_size\": 3,\n  \"page\": 1,\n  \"page_size\": 3,\n  \"more\": false\n}\n"));
    let input = Input::read(&bytes).unwrap();
    assert_eq!((input.shape.clone(), input.records.len()), (InputShape::ApiResponse, 3));
}

fn values(bytes: &[u8]) -> Vec<Value> {
    Input::read(bytes).unwrap().records.iter().map(|r| serde_json::from_str(r.raw).unwrap()).collect()
}

#[test]
fn every_shape_reads_back_as_the_same_records() {
    let expected = values(&generate(450, 3, NOW));
    for (shape, read_as) in [
        (Shape::Pages, InputShape::ApiResponseArray { pages: 3 }),
        (Shape::Array, InputShape::IndicatorArray),
        (Shape::Ndjson, InputShape::IndicatorLines),
    ] {
        let bytes = generate_shape(450, 3, NOW, shape);
        let input = Input::read(&bytes).unwrap();
        assert_eq!(input.shape, read_as);
        assert!(input.records.iter().all(|r| r.problem.is_none()));
        assert_eq!(values(&bytes), expected, "{shape:?}");
    }
    let pages: Value = serde_json::from_slice(&generate_shape(450, 3, NOW, Shape::Pages)).unwrap();
    let more: Vec<bool> = pages.as_array().unwrap().iter().map(|p| p["more"].as_bool().unwrap()).collect();
    assert_eq!(more, [true, true, false]);
    assert_eq!(pages[2]["results"].as_array().unwrap().len(), 50);
    let ndjson = generate_shape(10, 3, NOW, Shape::Ndjson);
    assert_eq!(ndjson.iter().filter(|&&b| b == b'\n').count(), 10, "one line per record");
}

#[test]
fn records_are_about_900_bytes_each() {
    let n = 3000;
    let per = generate(n, 1, NOW).len() / n;
    assert!((800..=1050).contains(&per), "{per} bytes per record");
}

fn fraction(all: &[Value], p: impl Fn(&Value) -> bool) -> f64 {
    all.iter().filter(|v| p(v)).count() as f64 / all.len() as f64
}

#[test]
fn records_look_like_the_feed() {
    let n = 4000;
    let bytes = generate(n, 11, NOW);
    let input = Input::read(&bytes).unwrap();
    let all = values(&bytes);
    assert_eq!(all.len(), n);

    // Every record reads with ti-core's typed view, with the fields the formats use.
    for rec in &input.records {
        let ind: Indicator = serde_json::from_str(rec.raw).unwrap();
        assert!(matches!(ind.key, Loose::Str(_)));
        assert!(ind.uuid.is_some());
        assert!(matches!(ind.last_seen_as, Joined::Text(_)));
        assert!(matches!(ind.threat_types, Joined::Text(_)));
        assert!(!matches!(ind.malware_family, Joined::Bad(_)));
        assert!(!matches!(ind.files, FirstFile::Bad(_)));
    }

    for (i, v) in all.iter().enumerate() {
        for field in ["key", "display_text", "type", "uuid", "last_seen_as", "threat_types", "malware_family", "last_published", "last_modified", "index_timestamp", "replication_id"] {
            assert!(v.get(field).is_some(), "record {i} has no {field}");
        }
        let lm = parse_timestamp(v["last_modified"].as_str().unwrap()).unwrap();
        assert!((NOW - 30 * DAY..NOW).contains(&lm), "record {i}: last_modified in the 30 days before now");
        let rid = v["replication_id"].as_u64().expect("a u64, exact");
        assert!(rid > 1 << 53);
        assert_eq!(rid, lm as u64 * 1_000_000 + i as u64, "replication_id = last_modified ms * 10^6 + counter");
        assert!(parse_timestamp(v["last_published"].as_str().unwrap()).unwrap() <= lm);
        assert!(parse_timestamp(v["index_timestamp"].as_str().unwrap()).unwrap() >= lm);
        let uuid = v["uuid"].as_str().unwrap();
        assert!(uuid.len() == 36 && uuid.as_bytes()[14] == b'4', "{uuid}");
        if let Some(s) = v.get("severity") {
            assert!((1..=5).contains(&s.as_u64().unwrap()));
        }
        if let Some(c) = v.get("confidence") {
            assert!(c.as_u64().unwrap() <= 100);
        }
        let key = v["key"].as_str().unwrap();
        match v["type"].as_str().unwrap() {
            "ip" => {
                let ip: std::net::Ipv4Addr = key.parse().unwrap();
                assert_eq!(v["ip_int"].as_u64(), Some(u32::from(ip) as u64));
                assert_eq!(v["ip_type"], "4");
            }
            "url" => {
                assert!(key.starts_with("http://") || key.starts_with("https://"), "{key}");
                assert!(v["path"].is_array());
                if let Some(args) = v.get("arguments") {
                    assert!(key.ends_with(&format!("?{}", args.as_str().unwrap())));
                }
            }
            "file" => assert!(key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())),
            "domain" => assert!(key.contains('.') && !key.contains('/')),
            other => panic!("unknown type {other}"),
        }
        for f in v.get("files").and_then(Value::as_array).into_iter().flatten() {
            assert_eq!(f["key"].as_str().unwrap().len(), 32);
            assert_eq!(f["sha1"].as_str().unwrap().len(), 40);
            assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
            assert_eq!(f["type"], "file");
            assert!(f["relationship"].is_string() && f["relationship_created_on"].is_string() && f["href"].is_string());
        }
        assert!(v.get("files").and_then(Value::as_array).map_or(0, Vec::len) <= 3);
    }

    // The gaps the real feed has, in about the stated proportions.
    let between = |f: f64, lo: f64, hi: f64, what: &str| assert!(f >= lo && f <= hi, "{what}: {f}");
    between(fraction(&all, |v| v.get("confidence").is_none()), 0.07, 0.13, "missing confidence");
    between(fraction(&all, |v| v.get("severity").is_none()), 0.015, 0.05, "missing severity");
    between(fraction(&all, |v| v.get("last_seen").is_none()), 0.25, 0.35, "missing last_seen");
    between(fraction(&all, |v| v["malware_family"].as_array().unwrap().is_empty()), 0.05, 0.4, "empty malware_family");
    between(fraction(&all, |v| v.get("files").is_some_and(|f| f.as_array().unwrap().is_empty())), 0.02, 0.15, "files: []");
    between(fraction(&all, |v| v.get("files").is_some_and(|f| f.as_array().unwrap().len() >= 2)), 0.01, 0.2, "two or more files");
    between(fraction(&all, |v| v["last_modified"].as_str().unwrap() >= "2026-11-27T15:00:00.000Z"), 0.18, 0.30, "last 7 days");
    for kind in ["url", "domain", "ip", "file"] {
        between(fraction(&all, |v| v["type"] == kind), 0.05, 0.5, kind);
    }
    for related in ["seen_at", "threat_campaigns", "threat_actors", "threat_groups"] {
        assert!(all.iter().any(|v| v.get(related).is_some()), "some {related}");
    }
    let text = |v: &Value| serde_json::to_string(v).unwrap();
    assert!(all.iter().any(|v| v["key"].as_str().unwrap().contains(',')), "a key with a comma");
    assert!(all.iter().any(|v| v["malware_family"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().contains(','))), "a family with a comma");
    assert!(all.iter().any(|v| text(v).contains("\\\"")), "a value with a quote");
    assert!(all.iter().any(|v| !text(v).is_ascii()), "a value with unicode");
}

/// The benchmark's data set: 60,000 records with seed 1 are about 55 MB.
#[test]
fn sixty_thousand_records_are_about_55_mb() {
    let bytes = generate(60_000, 1, NOW);
    let mb = bytes.len() as f64 / 1e6;
    assert!((48.0..=62.0).contains(&mb), "{mb} MB");
    assert_eq!(Input::read(&bytes).unwrap().records.len(), 60_000);
}
