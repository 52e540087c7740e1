//! `ti-export --input`: the legacy bytes, the flags, the config file, and failures that
//! leave no output file behind.
use std::path::Path;
use std::process::{Command, Output, Stdio};

const NASTY: &str = "../core/tests/fixtures/nasty.json";

fn ti(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ti-export")).current_dir(dir).args(args).env_remove("IDEF_TOKEN").env_remove("TI_EXPORT_NOW").output().unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name).to_string_lossy().into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn converts_to_the_legacy_bytes_with_the_default_name() {
    let dir = tempfile::tempdir().unwrap();
    let o = ti(dir.path(), &["--input", &fixture(NASTY)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let golden = std::fs::read(fixture("../core/tests/fixtures/nasty.v2.csv")).unwrap();
    assert_eq!(std::fs::read(dir.path().join("ti.csv")).unwrap(), golden);
    assert!(stderr(&o).contains("14 converted, 0 filtered out, 0 rejected"), "{}", stderr(&o));
    let o = ti(dir.path(), &["--input", &fixture(NASTY), "-v", "1", "-o", "v1.csv", "--quiet"]);
    assert!(o.status.success() && o.stderr.is_empty());
    assert_eq!(std::fs::read(dir.path().join("v1.csv")).unwrap(), std::fs::read(fixture("../core/tests/fixtures/nasty.v1.csv")).unwrap());
}

#[test]
fn standard_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ti-export")).current_dir(dir.path()).args(["--input", "-", "-o", "-", "-q"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&std::fs::read(fixture(NASTY)).unwrap()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(o.stdout, std::fs::read(fixture("../core/tests/fixtures/nasty.v2.csv")).unwrap());
    assert!(!dir.path().join("ti.csv").exists());
}

#[test]
fn json_format_filters_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let o = ti(dir.path(), &["--input", &fixture(NASTY), "-f", "json", "-o", "out.json", "-s", "medium", "-t", "url", "domain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    let values: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["http://evil.example/a,b?x=\"1\"&y=2", "line\nbreak.example", "<script>alert(1)</script>", " leading and trailing spaces ", "escapedéA/slash"]);
    assert_eq!(rows[0]["uuid"], "u2");
    assert!(stderr(&o).contains("5 converted, 9 filtered out"), "{}", stderr(&o));
    // Comma-separated types and -c high.
    let o = ti(dir.path(), &["--input", &fixture(NASTY), "-t", "ip,file", "-c", "high", "-o", "-"]);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn days_window_applies_offline_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(&input, r#"[{"key":"new","last_modified":"2026-12-01T10:00:00.000Z"},{"key":"old","last_modified":"2026-11-01T10:00:00.000Z"},{"key":"none"}]"#).unwrap();
    let run = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ti-export"));
        c.current_dir(dir.path()).env("TI_EXPORT_NOW", "2026-12-04T15:55:00Z").args(["--input", "in.json", "-o", "-", "-q"]).args(extra);
        String::from_utf8(c.output().unwrap().stdout).unwrap().lines().count() - 1
    };
    assert_eq!(run(&[]), 3);
    assert_eq!(run(&["-n", "7"]), 1);
    assert_eq!(run(&["-n", "60"]), 2);
}

#[test]
fn the_config_file_supplies_defaults_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ti.cfg"), "[ti]\ntoken = secret\nformat = json\nout = from-config.json\nseverity = high\n").unwrap();
    let o = ti(dir.path(), &["--input", &fixture(NASTY)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("from-config.json")).unwrap()).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 5);
    let o = ti(dir.path(), &["--input", &fixture(NASTY), "-f", "csv", "-o", "x.csv", "-s", "medium"]);
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(dir.path().join("x.csv")).unwrap().matches("\r\n").count(), 9); // header + severity >= 3
    std::fs::write(dir.path().join("bad.cfg"), "[ti]\nseverity = extreme\n").unwrap();
    let o = ti(dir.path(), &["--input", &fixture(NASTY), "-C", "bad.cfg"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("severity"), "{}", stderr(&o));
}

#[test]
fn bad_input_fails_with_a_sentence_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ti.csv"), "previous export\r\n").unwrap();
    let cases: [(&[u8], &str); 7] = [
        (b"", "empty"),
        (b"[{\"key\": \"a\"},\n {\"key\"", "truncated"),
        (b"{\"results\": 5}", "not an array"),
        (b"<html>", "not valid JSON"),
        (b"\xFF\xFE[\0", "UTF-16"),
        (b"[\"a\xFF\"]", "UTF-8"),
        (b"3.14", "single JSON value"),
    ];
    for (bytes, words) in cases {
        std::fs::write(dir.path().join("in.json"), bytes).unwrap();
        for out in [&["-o", "new.csv"][..], &[]] {
            let mut args = vec!["--input", "in.json", "--rejects", "rej.jsonl"];
            args.extend_from_slice(out);
            let o = ti(dir.path(), &args);
            assert_eq!(o.status.code(), Some(1));
            let e = stderr(&o);
            assert!(e.contains(words), "{words}: {e}");
            assert!(e.lines().count() <= 2 && e.starts_with("ti-export: "), "{e}");
        }
        assert!(!dir.path().join("new.csv").exists() && !dir.path().join("rej.jsonl").exists());
        assert_eq!(std::fs::read(dir.path().join("ti.csv")).unwrap(), b"previous export\r\n");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let o = ti(dir.path(), &["--input", "missing.json"]);
    assert!(!o.status.success() && stderr(&o).contains("missing.json"));
}

#[test]
fn rejected_records_exit_zero_are_counted_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.json"), "[{\"key\": \"a\"},\n 5,\n {\"nokey\": 1, \"replication_id\": 1602190558122000001}]").unwrap();
    let o = ti(dir.path(), &["--input", "in.json", "--rejects", "rej.jsonl"]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("2 rejected"), "{}", stderr(&o));
    let saved = std::fs::read_to_string(dir.path().join("rej.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = saved.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((lines[0]["record"].as_u64(), lines[0]["line"].as_u64()), (Some(2), Some(2)));
    assert!(saved.contains("1602190558122000001"));
    assert_eq!(std::fs::read_to_string(dir.path().join("ti.csv")).unwrap().lines().count(), 2);
}

#[test]
fn without_input_or_token_it_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = ti(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("IDEF_TOKEN") && stderr(&o).contains("--input"), "{}", stderr(&o));
    assert!(!dir.path().join("ti.csv").exists());
    // No flag takes a token.
    let o = ti(dir.path(), &["--token", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ti(dir.path(), &["--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    for flag in ["--output", "--number", "--severity", "--confidence", "--types", "--version", "--format", "--config", "--debug", "--quiet", "--input", "--rejects"] {
        assert!(help.contains(flag), "{flag}");
    }
}

#[test]
fn big_files_are_mapped_and_convert_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture(NASTY)).unwrap()).unwrap();
    let recs = doc["results"].as_array().unwrap();
    let many: Vec<_> = (0..12000).map(|i| recs[i % recs.len()].clone()).collect();
    let bytes = serde_json::to_vec_pretty(&serde_json::json!({"results": many})).unwrap();
    assert!(bytes.len() > 1 << 20); // mapped, not read
    std::fs::write(dir.path().join("big.json"), &bytes).unwrap();
    let o = ti(dir.path(), &["--input", "big.json", "-o", "big.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (expected, _) = ti_core::convert(&bytes, &ti_core::Options::default(), Vec::new()).unwrap();
    assert!(std::fs::read(dir.path().join("big.csv")).unwrap() == expected);
    assert!(stderr(&o).contains("12000 converted"));
}
