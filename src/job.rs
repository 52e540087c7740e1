//! One conversion job as plain Rust over bytes: what the worker runs. Kept free of browser
//! types so `cargo test` exercises it on the host.
use serde::{Deserialize, Serialize};
use ti_core::{Converter, Input, Options, Report};

use crate::preview::parse_csv;

/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 100;
/// Records converted between two progress messages.
const CHUNK: usize = 4000;
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
/// between chunks of records. Fails with a sentence when the input cannot be read at all.
pub fn run(input: JobInput<'_>, opts: &Options, mut progress: impl FnMut(u64, u64)) -> Result<Converted, String> {
    let (inputs, pages) = match input {
        JobInput::Export(bytes) => (vec![(None, Input::read(bytes).map_err(|e| e.to_string())?)], None),
        JobInput::Pages(pages) => {
            let n = pages.len();
            let read = pages.into_iter().map(|(p, body)| Input::read(body).map(|i| (Some(p), i)).map_err(|e| format!("Page {p}: {e}"))).collect::<Result<Vec<_>, _>>()?;
            (read, Some(n))
        }
    };
    let total: u64 = inputs.iter().map(|(_, i)| i.records.len() as u64).sum();
    let io = |e: std::io::Error| format!("Could not write the output: {e}.");
    let mut main = Converter::new(opts.clone(), Vec::new()).map_err(io)?;
    let preview_opts = Options { format: ti_core::Format::Csv, ..opts.clone() };
    let mut preview = Some(Converter::new(preview_opts, Vec::new()).map_err(io)?);
    let mut preview_csv = Vec::new();
    let mut done = 0u64;
    progress(0, total);
    for (page, input) in &inputs {
        main.check(input).map_err(|e| e.to_string())?;
        let n = input.records.len();
        let mut start = 0;
        while start < n {
            let end = (start + CHUNK).min(n);
            main.push_range(input, start..end, *page).map_err(io)?;
            if let Some(p) = preview.as_mut() {
                p.push_range(input, start..end, *page).map_err(io)?;
                if p.report().converted as usize >= PREVIEW_ROWS {
                    if let Some(p) = preview.take() {
                        preview_csv = p.finish().map_err(io)?.0;
                    }
                }
            }
            done += (end - start) as u64;
            progress(done, total);
            start = end;
        }
    }
    if let Some(p) = preview.take() {
        preview_csv = p.finish().map_err(io)?.0;
    }
    let (output, report) = main.finish().map_err(io)?;
    let rejects = if report.rejected.is_empty() {
        None
    } else {
        let mut buf = Vec::new();
        report.write_rejects(&mut buf).map_err(io)?;
        Some(buf)
    };
    Ok(Converted { output, rejects, summary: Summary::new(&report, pages), preview: parse_csv(&String::from_utf8_lossy(&preview_csv), PREVIEW_ROWS + 1) })
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
    fn an_unreadable_export_is_one_sentence() {
        let e = run(JobInput::Export(b"{\"key\": "), &Options::default(), |_, _| {}).err();
        assert!(e.is_some_and(|e| e.contains("truncated")));
    }
}
