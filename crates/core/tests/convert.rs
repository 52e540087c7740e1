//! Conversion against golden files, every input shape, rejects and whole-input errors.
use serde_json::Value;
use ti_core::{convert, CsvVersion, Filters, Format, IndicatorType, Input, InputError, Level, Options, Report, Shape};

const NASTY: &str = include_str!("fixtures/nasty.json");

fn run(input: &[u8], opts: &Options) -> (String, Report) {
    let (out, report) = convert(input, opts, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
    (String::from_utf8(out).unwrap(), report)
}

fn csv2(input: &[u8]) -> String {
    run(input, &Options::default()).0
}

fn results() -> Vec<Value> {
    let doc: Value = serde_json::from_str(NASTY).unwrap();
    doc["results"].as_array().unwrap().clone()
}

#[test]
fn nasty_values_match_the_python_golden_files_byte_for_byte() {
    let v2 = run(NASTY.as_bytes(), &Options::default()).0;
    assert_eq!(v2, include_str!("fixtures/nasty.v2.csv"));
    let v1 = run(NASTY.as_bytes(), &Options { version: CsvVersion::V1, ..Options::default() }).0;
    assert_eq!(v1, include_str!("fixtures/nasty.v1.csv"));
    assert!(v2.ends_with("\r\n") && !v2.starts_with('\u{feff}'));
    assert!(v2.starts_with("type,format,value,role,sample-md5,last-observed,comment,ref-id,confidence,severity\r\n"));
}

#[test]
fn json_output_equals_what_the_script_wrote() {
    let (json, report) = run(NASTY.as_bytes(), &Options { format: Format::Json, ..Options::default() });
    let ours: Value = serde_json::from_str(&json).unwrap();
    let theirs: Value = serde_json::from_str(include_str!("fixtures/nasty.py.json")).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(report.converted, 14);
    // Pretty printed with two spaces, keys in the script's order.
    assert!(json.starts_with("[\n  {\n    \"format\": \"STRING\",\n    \"value\": \"185.25.50.93\",\n    \"type\": "));
    let keys: Vec<&str> = json.lines().take(13).skip(2).map(|l| l.trim().split('"').nth(1).unwrap()).collect();
    assert_eq!(keys, ["format", "value", "type", "last-observed", "severity", "confidence", "role", "comment", "sample-md5", "ref-id", "uuid"]);
    assert_eq!(run(b"[]", &Options { format: Format::Json, ..Options::default() }).0, "[]");
}

#[test]
fn every_input_shape_gives_the_same_rows() {
    let recs = results();
    let expected = csv2(NASTY.as_bytes());
    let lines: Vec<String> = recs.iter().map(|r| serde_json::to_string(r).unwrap()).collect();
    let pages: Vec<Value> = recs.chunks(5).enumerate().map(|(i, c)| serde_json::json!({"results": c, "total_size": recs.len(), "page": i + 1, "more": true})).collect();
    let shapes: Vec<(Vec<u8>, Shape)> = vec![
        (serde_json::to_vec(&recs).unwrap(), Shape::IndicatorArray),
        (serde_json::to_vec_pretty(&pages).unwrap(), Shape::ApiResponseArray { pages: 3 }),
        (lines.join("\n").into_bytes(), Shape::IndicatorLines),
        ((lines.join("\r\n") + "\r\n").into_bytes(), Shape::IndicatorLines),
        (pages.iter().map(|p| serde_json::to_string(p).unwrap() + "\n").collect::<String>().into_bytes(), Shape::ResponseLines { pages: 3 }),
        (recs.iter().map(|r| serde_json::to_string_pretty(r).unwrap() + "\n").collect::<String>().into_bytes(), Shape::IndicatorLines),
        ([b"\xEF\xBB\xBF".as_slice(), NASTY.as_bytes()].concat(), Shape::ApiResponse),
    ];
    for (bytes, shape) in shapes {
        let input = Input::read(&bytes).unwrap();
        assert_eq!(input.shape, shape);
        assert_eq!(csv2(&bytes), expected, "shape {shape}");
    }
}

#[test]
fn an_empty_result_set_gives_a_header_only_file() {
    for empty in [&br#"{"total_size": 0, "page": 1, "page_size": 25, "more": false}"#[..], b"[]", br#"{"results": null, "total_size": 0}"#, b"\n[ ]\n"] {
        let (csv, report) = run(empty, &Options::default());
        assert_eq!(csv, "type,format,value,role,sample-md5,last-observed,comment,ref-id,confidence,severity\r\n");
        assert_eq!(report.records, 0);
    }
}

#[test]
fn legacy_json_rows_convert_back_to_the_same_csv() {
    let (json, _) = run(NASTY.as_bytes(), &Options { format: Format::Json, ..Options::default() });
    let input = Input::read(json.as_bytes()).unwrap();
    assert_eq!(input.shape, Shape::LegacyRows);
    assert_eq!(csv2(json.as_bytes()), include_str!("fixtures/nasty.v2.csv"));
    let v1 = run(json.as_bytes(), &Options { version: CsvVersion::V1, ..Options::default() }).0;
    assert_eq!(v1, include_str!("fixtures/nasty.v1.csv"));
    // Severity/confidence filters apply to the labels; a type filter cannot apply.
    let (_, r) = run(json.as_bytes(), &Options { filters: Filters { min_severity: Some(Level::High), ..Filters::default() }, ..Options::default() });
    assert_eq!(r.converted, 4); // HIGH, EXTREME, HIGH, HIGH
    let opts = Options { filters: Filters { types: [IndicatorType::Ip].into_iter().collect(), ..Filters::default() }, ..Options::default() };
    assert!(matches!(convert(json.as_bytes(), &opts, Vec::new()), Err(ti_core::ConvertError::Input(InputError::Unsupported(_)))));
}

#[test]
fn filters_follow_the_api_semantics() {
    let bytes = NASTY.as_bytes();
    let count = |f: Filters| run(bytes, &Options { filters: f, ..Options::default() }).1;
    let r = count(Filters { min_severity: Some(Level::Medium), ..Filters::default() });
    // severity >= 3: 4, 3.0, 5, 6, 3.5, 4, 4, 3 (the non-numbers and missing ones drop)
    assert_eq!((r.converted, r.filtered_out, r.filtered_by.severity), (8, 6, 6));
    let r = count(Filters { min_confidence: Some(Level::High), ..Filters::default() });
    assert_eq!(r.converted, 3); // 75, 100, 90; the string "80" and true are not numbers (string "80" and true are not numbers)
    let r = count(Filters { types: [IndicatorType::Url, IndicatorType::File].into_iter().collect(), ..Filters::default() });
    assert_eq!((r.converted, r.filtered_by.r#type), (6, 8));
    assert_eq!(r.by_type.get("url"), Some(&5));
    let r = count(Filters { modified_since: Some(ti_core::time::parse_timestamp("2020-10-08T20:00:00Z").unwrap()), ..Filters::default() });
    assert_eq!((r.converted, r.filtered_by.last_modified), (1, 13));
}

#[test]
fn rejected_records_say_where_and_why_and_keep_their_bytes() {
    let input = "[\n  {\"key\": \"ok\", \"replication_id\": 1602190558122000001},\n  \"just a string\",\n  {\"display_text\": \"no key\", \"replication_id\": 18446744073709551615},\n  {\"key\": 42},\n  {\"key\": \"t\", \"threat_types\": [\"a\", 1]},\n  {\"key\": \"f\", \"files\": \"x\"},\n  {\"key\": \"s\", \"last_seen\": 5},\n  {\"key\": \"d\", \"key\": \"e\"},\n  {\"key\": \"n\", \"severity\": 1e999}\n]";
    let (csv, report) = run(input.as_bytes(), &Options::default());
    assert_eq!(csv.lines().count(), 2);
    assert_eq!(report.records, 9);
    assert_eq!(report.converted, 1);
    let got: Vec<(u64, u64, u64, &str)> = report.rejected.iter().map(|r| (r.position.record, r.position.line, r.position.column, r.reason.as_str())).collect();
    assert_eq!(got[0], (2, 3, 3, "it is a string, not an object"));
    assert_eq!(got[1], (3, 4, 3, "it has no \"key\" (the indicator value)"));
    assert_eq!(got[2].3, "\"key\" must be a string (found a number)");
    assert_eq!(got[3].3, "\"threat_types\" must be an array of strings (found a number)");
    assert_eq!(got[4].3, "\"files\" must be an array of file objects (found a string)");
    assert_eq!(got[5].3, "\"last_seen\" must be a string (found a number)");
    assert!(got[6].3.contains("duplicate field `key`"), "{}", got[6].3);
    assert!(got[7].3.contains("number out of range"), "{}", got[7].3);
    assert_eq!((got[7].0, got[7].1), (9, 10));
    assert!(report.summary().contains("8 rejected"));
    let mut saved = Vec::new();
    report.write_rejects(&mut saved).unwrap();
    let saved = String::from_utf8(saved).unwrap();
    assert_eq!(saved.lines().count(), 8);
    // Integers beyond 2^53 (and beyond u64) are kept as they were written.
    assert!(saved.contains("\"json\":{\"display_text\": \"no key\", \"replication_id\": 18446744073709551615}"), "{saved}");
    let first: Value = serde_json::from_str(saved.lines().next().unwrap()).unwrap();
    assert_eq!(first["record"], 2);
    assert_eq!(first["line"], 3);
}

#[test]
fn newline_delimited_input_rejects_broken_lines_and_goes_on() {
    let input = "{\"key\":\"a\"}\n{\"key\":\"b\"\n{\"key\":\"c\"}\ngarbage\n{\"results\":[{\"key\":\"d\"}],\"total_size\":1}\n{\"key\":\"e\", \"x\": [";
    let (csv, report) = run(input.as_bytes(), &Options::default());
    let values: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(values, ["a", "c", "d"]);
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.position.line).collect();
    assert_eq!(lines, [2, 4, 6]);
    assert!(report.rejected[2].reason.contains("truncated"), "{}", report.rejected[2].reason);
    assert_eq!(report.shape, Some(Shape::MixedLines { pages: 1 }));
}

#[test]
fn resyncing_after_a_broken_line_respects_multibyte_characters() {
    // Found by the fuzzer: a byte-order mark starting the broken segment.
    let input = b"{\"key\":\"a\"}\n\xEF\xBB\xBF%y\x02:a\n{}\"\"ke\"b\x10";
    let (_, r) = run(input, &Options::default());
    assert_eq!(r.converted, 1);
    assert_eq!(r.rejected.len(), 4); // the broken line, {}, "", and the broken rest
    let (_, r) = run("{\"key\":\"a\"}\nbroken é\n[1]\n{\"key\":\"b\"}".as_bytes(), &Options::default());
    assert_eq!((r.converted, r.rejected.len()), (2, 2));
    // Found by the fuzzer: a Unicode space that is not JSON whitespace at the end.
    for tail in ["\u{a0}", "\u{2028}", "\u{b}", "\u{c}"] {
        let (_, r) = run(format!("{{\"key\":\"a\"}}\n{{\"key\":\"b\"}}\n{tail}").as_bytes(), &Options::default());
        assert_eq!((r.converted, r.rejected.len()), (2, 1), "{tail:?}");
    }
}

#[test]
fn duplicates_are_dropped_only_by_uuid_and_only_when_asked() {
    let input = br#"[{"key":"a","uuid":"1"},{"key":"a","uuid":"2"},{"key":"b","uuid":"1"},{"key":"c"},{"key":"c"}]"#;
    let (_, r) = run(input, &Options { dedup_uuid: true, ..Options::default() });
    assert_eq!((r.converted, r.duplicates), (4, 1));
    assert!(r.summary().contains("1 duplicate dropped"));
    assert_eq!(run(input, &Options::default()).1.converted, 5);
}

fn err(input: &[u8]) -> InputError {
    match Input::read(input) {
        Err(e) => e,
        Ok(i) => panic!("read as {}", i.shape),
    }
}

#[test]
fn unusable_inputs_get_a_sentence_with_a_position() {
    assert_eq!(err(b""), InputError::Empty);
    assert_eq!(err(b" \n\t "), InputError::Empty);
    assert_eq!(err(b"\xFF\xFE{\0\"\0"), InputError::Utf16);
    assert_eq!(err(b"{\0\"\0"), InputError::Utf16);
    assert_eq!(err(b"[{\"key\": \"a\"},\n {\"key\": \"\xC3\"}]"), InputError::InvalidUtf8 { line: 2, column: 11 });
    // Found by differential fuzzing: a bad byte in a field nobody reads still fails the file.
    let ignored = b"{\"results\": [{\"key\": \"a\", \"unused\": \"\xD1\x91\x91\"}], \"total_size\": 1}";
    assert!(matches!(convert(ignored, &Options::default(), Vec::new()), Err(ti_core::ConvertError::Input(InputError::InvalidUtf8 { line: 1, .. }))));
    assert_eq!(err(b"[{\"key\": \"a\"},\n {\"key\": "), InputError::Truncated { line: 2, column: 9 });
    assert!(matches!(err(b"[{\"key\": \"a\"} {\"key\": \"b\"}]"), InputError::Syntax { line: 1, column: 15, .. }));
    assert_eq!(err(b"\"text\""), InputError::Scalar { found: "a string" });
    assert_eq!(err(b"null"), InputError::Scalar { found: "null" });
    assert_eq!(err(b"{\n\"results\": {\"key\": \"a\"}}"), InputError::ResultsNotArray { found: "an object", line: 2, column: 12 });
    assert_eq!(err(b"{\"foo\": 1}"), InputError::UnknownObject { line: 1, column: 1 });
    assert!(matches!(err(b"[[1, 2], {\"results\": 5}]"), InputError::ResultsNotArray { .. }) || Input::read(b"[[1, 2], {\"results\": 5}]").is_ok());
    for e in [err(b"[{\"key\": \"a\"},\n {\"key\": "), err(b"{\n\"results\": 3}"), err(b"[1 2]")] {
        let s = e.to_string();
        assert!(s.contains("line") && s.contains("column") && s.ends_with('.'), "{s}");
    }
    // Deep nesting neither overflows the stack nor passes silently.
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let (_, r) = run(deep.as_bytes(), &Options::default());
    assert_eq!(r.rejected.len(), 1);
    let unclosed = "[".repeat(200_000);
    assert!(matches!(err(unclosed.as_bytes()), InputError::Truncated { .. }));
}

/// Large inputs take the pipelined fast path and the multi-threaded general path: both must
/// give what the plain sequential converter gives, including when a record deep inside has
/// to be rejected.
#[test]
fn large_inputs_agree_across_every_path() {
    let recs = results();
    let mut many: Vec<Value> = (0..20_000).map(|i| {
        let mut r = recs[i % recs.len()].clone();
        r["key"] = format!("{}#{i}", r["key"].as_str().unwrap()).into();
        r
    }).collect();
    let sequential = |bytes: &[u8], opts: &Options| {
        let input = Input::read(bytes).unwrap();
        let mut c = ti_core::Converter::new(opts.clone(), Vec::new()).unwrap();
        c.push_input(&input, None).unwrap();
        let (out, report) = c.finish().unwrap();
        (String::from_utf8(out).unwrap(), report)
    };
    for opts in [Options::default(), Options { format: Format::Json, ..Options::default() }, Options { filters: Filters { min_severity: Some(Level::High), ..Filters::default() }, ..Options::default() }] {
        let bytes = serde_json::to_vec_pretty(&serde_json::json!({"results": many, "total_size": many.len()})).unwrap();
        assert!(bytes.len() > 4 << 20);
        let (expected, expected_report) = sequential(&bytes, &opts);
        let (got, report) = run(&bytes, &opts);
        assert!(got == expected, "fast path differs");
        assert_eq!(report, expected_report);
        let input = Input::read(&bytes).unwrap();
        let (par, par_report) = ti_core::convert_input(&input, &opts, Vec::new()).unwrap();
        assert!(par == expected.as_bytes(), "parallel path differs");
        assert_eq!(par_report, expected_report);
    }
    many[17_333]["key"] = serde_json::json!(["not", "a", "string"]);
    let bytes = serde_json::to_vec(&many).unwrap();
    let (expected, expected_report) = sequential(&bytes, &Options::default());
    let (got, report) = run(&bytes, &Options::default());
    assert_eq!(got, expected);
    assert_eq!(report, expected_report);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].position.record, 17_334);
}

#[test]
fn fetched_pages_convert_in_order_without_repeated_uuids() {
    let p1 = br#"{"results": [{"key": "a", "uuid": "1"}, {"key": "b", "uuid": "2"}], "total_size": 4, "more": true}"#;
    let p2 = br#"{"results": [{"key": "b", "uuid": "2"}, 7], "total_size": 4, "more": false}"#;
    let mut seen = Vec::new();
    let (out, report) = ti_core::convert_pages([(1, &p1[..]), (2, &p2[..])], &Options::default(), Vec::new(), |d, t| seen.push((d, t))).unwrap();
    let values: Vec<String> = String::from_utf8(out).unwrap().lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect();
    assert_eq!(values, ["a", "b"]);
    assert_eq!((report.duplicates, report.rejected.len()), (1, 1));
    assert_eq!((report.rejected[0].position.record, report.rejected[0].position.page), (4, Some(2)));
    assert_eq!(seen.last(), Some(&(4, 4)));
    let e = ti_core::convert_pages([(1, &p1[..]), (2, &b"<html>"[..])], &Options::default(), Vec::new(), |_, _| {}).unwrap_err();
    assert!(e.to_string().starts_with("The API's page 2 cannot be read: The input is not valid JSON"), "{e}");
}
