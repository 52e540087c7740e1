//! One conversion job as plain Rust over bytes: what the worker runs. Kept free of browser
//! types so `cargo test` exercises it on the host.
use serde::{Deserialize, Serialize};
use ti_core::{Options, Report};

use crate::preview::parse_csv;

/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 100;
/// Rejections spelled out on the page (all of them are in the rejects download).
const SHOWN_REJECTIONS: usize = 5;

/// The input of a job: one export, or API pages (page number, response body) in page order.
pub enum JobInput<'a> {
    Export(&'a [u8]),
    Pages(Vec<(u32, &'a [u8])>),
}

/// The counts of a conversion, as the page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub shape: String,
    pub records: u64,
    pub converted: u64,
    pub filtered_out: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub first_rejections: Vec<String>,
    pub by_type: Vec<(String, u64)>,
    /// Index 0 counts converted records without a valid severity; 1..=5 MINIMAL..EXTREME.
    pub by_severity: [u64; 6],
    pub sentence: String,
}

impl Summary {
    fn new(r: &Report, pages: Option<usize>) -> Self {
        let shape = match (pages, &r.shape) {
            (Some(n), _) => format!("{n} API page{}", if n == 1 { "" } else { "s" }),
            (None, Some(s)) => s.to_string(),
            (None, None) => String::new(),
        };
        Summary {
            shape,
            records: r.records,
            converted: r.converted,
            filtered_out: r.filtered_out,
            duplicates: r.duplicates,
            rejected: r.rejected.len() as u64,
            first_rejections: r.rejected.iter().take(SHOWN_REJECTIONS).map(ToString::to_string).collect(),
            by_type: r.by_type.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            by_severity: r.by_severity,
            sentence: r.summary(),
        }
    }
}

/// A finished conversion.
pub struct Converted {
    pub output: Vec<u8>,
    /// Rejected records as JSON lines, when there are any.
    pub rejects: Option<Vec<u8>>,
    pub summary: Summary,
    /// The header and the first rows, in the chosen CSV version's columns.
    pub preview: Vec<Vec<String>>,
}

/// Converts `input` exactly as the CLI would with `opts`, calling `progress(done, total)`
/// (records) as it goes; `(0, 0)` means "working, count unknown". Fails with a sentence when
/// the input cannot be read at all.
pub fn run(input: JobInput<'_>, opts: &Options, mut progress: impl FnMut(u64, u64)) -> Result<Converted, String> {
    let io = |e: std::io::Error| format!("Could not write the output: {e}.");
    let (output, report, pages) = match input {
        // One call, as the CLI makes it: the core takes its one-pass path when it can.
        JobInput::Export(bytes) => {
            progress(0, 0);
            let (output, report) = ti_core::convert(bytes, opts, Vec::with_capacity(bytes.len() / 6)).map_err(|e| e.to_string())?;
            (output, report, None)
        }
        JobInput::Pages(pages) => {
            let n = pages.len();
            let (output, report) = ti_core::convert_pages(pages, opts, Vec::new(), &mut progress).map_err(|e| e.to_string())?;
            (output, report, Some(n))
        }
    };
    progress(report.records, report.records);
    let rejects = if report.rejected.is_empty() {
        None
    } else {
        let mut buf = Vec::new();
        report.write_rejects(&mut buf).map_err(io)?;
        Some(buf)
    };
    let preview = preview_rows(&output, opts);
    Ok(Converted { output, rejects, summary: Summary::new(&report, pages), preview })
}

/// Runs a small synthetic conversion so the engine compiles the hot code with its optimizing
/// tier before the user's file arrives (a cold first run is about twice as slow).
pub fn warm_up() {
    let mut text = String::from("[");
    for i in 0..3000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"key":"http://h{i}.example/p?x={i}","display_text":"h{i}","type":"url","uuid":"{i:08x}-aaaa-bbbb-cccc-dddddddddddd","severity":{},"confidence":{},"last_seen":"2026-11-{:02}T10:00:00.000Z","last_seen_as":["MALWARE_C2"],"threat_types":["Cyber Crime","Hacktivism"],"malware_family":["Zeus, x"],"files":[{{"key":"0123456789abcdef0123456789abcdef","sha1":"x","relationship":"contactsC2At"}}],"last_modified":"2026-11-20T10:00:00.000Z","replication_id":1602190558122000000,"path":["a","b"],"ip_int":3232235777}}"#,
            i % 5 + 1,
            (i * 7) % 101,
            i % 28 + 1
        ));
    }
    text.push(']');
    for format in [ti_core::Format::Csv, ti_core::Format::Json] {
        let opts = Options { format, ..Options::default() };
        let _ = ti_core::convert(text.as_bytes(), &opts, Vec::new());
        let _ = run(JobInput::Pages(vec![(1, text.as_bytes())]), &Options { dedup_uuid: true, ..opts }, |_, _| {});
    }
}

/// A JSON output row, as the preview shows it.
#[derive(Deserialize)]
struct JsonRow {
    #[serde(rename = "type")]
    threat_type: String,
    format: String,
    value: String,
    role: String,
    #[serde(rename = "sample-md5")]
    sample_md5: String,
    #[serde(rename = "last-observed")]
    last_observed: String,
    comment: String,
    #[serde(rename = "ref-id")]
    ref_id: String,
    confidence: String,
    severity: String,
}

/// The header and the first rows of an output, read back from its start.
fn preview_rows(output: &[u8], opts: &Options) -> Vec<Vec<String>> {
    match opts.format {
        ti_core::Format::Csv => {
            let head = &output[..output.len().min(1 << 20)];
            parse_csv(&String::from_utf8_lossy(head), PREVIEW_ROWS + 1)
        }
        ti_core::Format::Json => {
            // The writer pretty-prints with two spaces, so each row ends with "\n  }" (a
            // newline inside a value is escaped): cut after the last row wanted.
            let end = output.windows(4).enumerate().filter(|(_, w)| w == b"\n  }").map(|(i, _)| i + 4).nth(PREVIEW_ROWS - 1).unwrap_or(output.len());
            let mut text = output[..end].to_vec();
            if end < output.len() {
                text.extend_from_slice(b"\n]");
            }
            let rows: Vec<JsonRow> = serde_json::from_slice(&text).unwrap_or_default();
            let header = ti_core::legacy::HEADER_V2.iter().map(|h| h.to_string()).collect();
            std::iter::once(header).chain(rows.into_iter().map(|r| vec![r.threat_type, r.format, r.value, r.role, r.sample_md5, r.last_observed, r.comment, r.ref_id, r.confidence, r.severity])).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE1: &str = r#"{"results":[{"key":"a.example","type":"domain","uuid":"u1","severity":4},{"key":"1.2.3.4","type":"ip","uuid":"u2"}],"total_size":3,"more":true}"#;
    const PAGE2: &str = r#"{"results":[{"key":"a.example","type":"domain","uuid":"u1","severity":4},{"key":7}],"total_size":3,"more":false}"#;

    #[test]
    fn same_bytes_as_ti_core_convert() {
        let opts = Options::default();
        let expected = ti_core::convert(PAGE1.as_bytes(), &opts, Vec::new()).map(|(w, _)| w).map_err(|e| e.to_string());
        let got = run(JobInput::Export(PAGE1.as_bytes()), &opts, |_, _| {}).map(|c| c.output);
        assert_eq!(got, expected);
    }

    #[test]
    fn pages_are_deduplicated_and_rejections_carry_their_page() {
        let opts = Options { dedup_uuid: true, ..Options::default() };
        let mut last = (0, 0);
        let c = run(JobInput::Pages(vec![(1, PAGE1.as_bytes()), (2, PAGE2.as_bytes())]), &opts, |d, t| last = (d, t)).map_err(|e| e.to_string());
        let Ok(c) = c else { panic!("{c:?}", c = c.err()) };
        assert_eq!(last, (4, 4));
        assert_eq!((c.summary.converted, c.summary.duplicates, c.summary.rejected), (2, 1, 1));
        assert_eq!(c.summary.shape, "2 API pages");
        assert!(c.summary.first_rejections[0].contains("page 2"), "{:?}", c.summary.first_rejections);
        assert_eq!(c.preview.len(), 3);
        assert_eq!(c.preview[1][2], "a.example");
        assert!(c.rejects.is_some());
    }

    #[test]
    fn the_json_preview_reads_the_first_rows_back() {
        let many: Vec<String> = (0..150).map(|i| format!(r#"{{"key":"h{i}.example\n<b>","type":"domain","uuid":"u{i}","severity":3}}"#)).collect();
        let input = format!("[{}]", many.join(","));
        let opts = Options { format: ti_core::Format::Json, ..Options::default() };
        let c = run(JobInput::Export(input.as_bytes()), &opts, |_, _| {}).map_err(|e| e.to_string());
        let Ok(c) = c else { panic!("{:?}", c.err()) };
        assert_eq!(c.preview.len(), PREVIEW_ROWS + 1);
        assert_eq!(c.preview[0][0], "type");
        assert_eq!(c.preview[100][2], "h99.example\n<b>");
        assert_eq!(c.preview[1][9], "MED");
    }

    #[test]
    fn an_unreadable_export_is_one_sentence() {
        let e = run(JobInput::Export(b"{\"key\": "), &Options::default(), |_, _| {}).err();
        assert!(e.is_some_and(|e| e.contains("truncated")));
    }
}
