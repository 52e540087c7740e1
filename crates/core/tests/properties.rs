//! Property tests: the CSV round-trips, the filters agree with a naive model, and every
//! shape of the same records gives the same bytes.
use proptest::prelude::*;
use serde_json::{json, Value};
use ti_core::{convert, CsvVersion, Filters, IndicatorType, Level, Options};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9./:-]{0,12}",
        "[ ,\"\r\n=+@<>a-z-]{0,8}",
        any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        (-5i64..110).prop_map(Value::from),
        (-5.0f64..110.0).prop_map(Value::from),
        Just(json!("80")),
        Just(json!(true)),
    ]
}

prop_compose! {
    fn indicator()(key in text(), ty in prop::sample::select(vec!["url", "domain", "ip", "file", "other"]),
                   sev in number(), conf in number(), seen in proptest::option::of(text()),
                   roles in prop::collection::vec(text(), 0..3), threats in prop::collection::vec(text(), 0..3),
                   fams in prop::collection::vec(text(), 0..3), files in prop::collection::vec(text(), 0..3),
                   omit in any::<u8>()) -> Value {
        let mut v = json!({"key": key, "type": ty, "uuid": format!("{key}-{omit}"), "severity": sev, "confidence": conf,
            "last_seen": seen, "last_seen_as": roles, "threat_types": threats, "malware_family": fams,
            "files": files.iter().map(|k| json!({"key": k, "sha256": "x"})).collect::<Vec<_>>(),
            "replication_id": 1_602_190_558_122_000_000u64});
        for (bit, field) in ["severity", "confidence", "last_seen", "files", "threat_types"].iter().enumerate() {
            if omit & (1 << bit) != 0 { v.as_object_mut().unwrap().remove(*field); }
        }
        v
    }
}

fn join(v: &Value) -> String {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>().join("+")).unwrap_or_default()
}

fn num(v: &Value) -> Option<f64> {
    if v.is_boolean() { None } else { v.as_f64() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_row_parses_back_to_its_fields(recs in prop::collection::vec(indicator(), 0..20)) {
        let (out, report) = convert(serde_json::to_string(&recs).unwrap().as_bytes(), &Options::default(), Vec::new()).unwrap();
        prop_assert_eq!(report.converted as usize, recs.len());
        let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        prop_assert_eq!(rows.len(), recs.len());
        for (row, r) in rows.iter().zip(&recs) {
            let sev = num(&r["severity"]).filter(|s| s.fract() == 0.0 && (1.0..=5.0).contains(s)).map_or("", |s| ["", "MINIMAL", "LOW", "MED", "HIGH", "EXTREME"][s as usize]);
            let conf = num(&r["confidence"]).map_or("", |c| if c >= 75.0 { "HIGH" } else if c >= 50.0 { "MED" } else if c >= 25.0 { "LOW" } else if c >= 0.0 { "NONE" } else { "" });
            let md5 = r["files"].get(0).map_or(String::new(), |f| f["key"].as_str().unwrap().to_string());
            let expected = [join(&r["threat_types"]), "STRING".into(), r["key"].as_str().unwrap().into(), join(&r["last_seen_as"]), md5,
                r["last_seen"].as_str().unwrap_or("").into(), join(&r["malware_family"]), String::new(), conf.into(), sev.into()];
            prop_assert_eq!(row.iter().collect::<Vec<_>>(), expected.iter().map(String::as_str).collect::<Vec<_>>());
        }
        // Every line, the header included, ends with CRLF; no bare LF outside quoted fields.
        prop_assert!(out.ends_with(b"\r\n"));
    }

    #[test]
    fn filters_agree_with_a_naive_model(recs in prop::collection::vec(indicator(), 0..30), sev in 0u8..3, conf in 0u8..3, types in prop::collection::vec(prop::sample::select(IndicatorType::ALL.to_vec()), 0..3)) {
        let level = |n: u8| [None, Some(Level::Medium), Some(Level::High)][n as usize];
        let filters = Filters { min_severity: level(sev), min_confidence: level(conf), types: types.iter().copied().collect(), modified_since: None };
        let (_, report) = convert(serde_json::to_string(&recs).unwrap().as_bytes(), &Options { filters, ..Options::default() }, Vec::new()).unwrap();
        let keep = |r: &Value| {
            let s_ok = match sev { 0 => true, n => num(&r["severity"]).is_some_and(|s| s >= [0.0, 3.0, 4.0][n as usize]) };
            let c_ok = match conf { 0 => true, n => num(&r["confidence"]).is_some_and(|c| c >= [0.0, 50.0, 75.0][n as usize]) };
            let t_ok = types.is_empty() || types.iter().any(|t| r["type"] == t.as_str());
            s_ok && c_ok && t_ok
        };
        let expected = recs.iter().filter(|r| keep(r)).count() as u64;
        prop_assert_eq!(report.converted, expected);
        prop_assert_eq!(report.filtered_out, recs.len() as u64 - expected);
    }

    #[test]
    fn every_shape_gives_the_same_bytes(recs in prop::collection::vec(indicator(), 1..25), page in 1usize..7, v1 in any::<bool>()) {
        let opts = Options { version: if v1 { CsvVersion::V1 } else { CsvVersion::V2 }, ..Options::default() };
        let run = |bytes: Vec<u8>| convert(&bytes, &opts, Vec::new()).unwrap().0;
        let expected = run(serde_json::to_vec(&json!({"results": recs, "total_size": recs.len()})).unwrap());
        let pages: Vec<Value> = recs.chunks(page).map(|c| json!({"results": c, "more": true})).collect();
        prop_assert_eq!(&run(serde_json::to_vec(&recs).unwrap()), &expected);
        prop_assert_eq!(&run(serde_json::to_vec_pretty(&pages).unwrap()), &expected);
        prop_assert_eq!(&run(recs.iter().map(|r| r.to_string() + "\n").collect::<String>().into_bytes()), &expected);
        prop_assert_eq!(&run(pages.iter().map(|r| r.to_string() + "\n").collect::<String>().into_bytes()), &expected);
    }
}
