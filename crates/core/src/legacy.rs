//! The legacy feed: row mapping (legacy-format.md, "CSV columns") and the CSV and JSON writers.
use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::record::{FirstFile, Indicator, Joined, LegacyRow, Loose};

/// Legacy CSV feed version: 2 has `confidence` and `severity` columns, 1 does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CsvVersion {
    V1,
    #[default]
    V2,
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    #[default]
    Csv,
    Json,
}

pub const HEADER_V2: [&str; 10] = ["type", "format", "value", "role", "sample-md5", "last-observed", "comment", "ref-id", "confidence", "severity"];

/// One legacy row. Field order is the JSON output's key order.
#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    pub format: Cow<'a, str>,
    pub value: Cow<'a, str>,
    #[serde(rename = "type")]
    pub threat_type: Cow<'a, str>,
    #[serde(rename = "last-observed")]
    pub last_observed: Cow<'a, str>,
    pub severity: Cow<'a, str>,
    pub confidence: Cow<'a, str>,
    pub role: Cow<'a, str>,
    pub comment: Cow<'a, str>,
    #[serde(rename = "sample-md5")]
    pub sample_md5: Cow<'a, str>,
    #[serde(rename = "ref-id")]
    pub ref_id: Cow<'a, str>,
    pub uuid: Option<&'a RawValue>,
}

/// `confidence` label: >= 75 HIGH, >= 50 MED, >= 25 LOW, >= 0 NONE, otherwise empty.
pub fn confidence_label(c: Option<f64>) -> &'static str {
    match c {
        Some(n) if n >= 75.0 => "HIGH",
        Some(n) if n >= 50.0 => "MED",
        Some(n) if n >= 25.0 => "LOW",
        Some(n) if n >= 0.0 => "NONE",
        _ => "",
    }
}

/// The integer severity 1..=5 (a whole-valued float counts), if it is one.
pub fn severity_level(s: Option<f64>) -> Option<u8> {
    s.filter(|n| n.fract() == 0.0 && (1.0..=5.0).contains(n)).map(|n| n as u8)
}

pub const SEVERITY_LABELS: [&str; 6] = ["", "MINIMAL", "LOW", "MED", "HIGH", "EXTREME"];

/// The severity level a legacy row's label stands for.
pub fn severity_from_label(s: &str) -> Option<u8> {
    SEVERITY_LABELS.iter().skip(1).position(|l| *l == s).map(|i| i as u8 + 1)
}

fn joined<'a>(field: &'static str, j: Joined) -> Result<Cow<'a, str>, String> {
    match j {
        Joined::Empty => Ok(Cow::Borrowed("")),
        Joined::Text(s) => Ok(Cow::Owned(s)),
        Joined::Bad(kind) => Err(format!("\"{field}\" must be an array of strings (found {kind})")),
    }
}

fn text<'a>(field: &'static str, v: Loose<'a>) -> Result<Cow<'a, str>, String> {
    match v {
        Loose::Str(s) => Ok(s),
        Loose::Missing | Loose::Null => Ok(Cow::Borrowed("")),
        other => Err(format!("\"{field}\" must be a string (found {})", other.kind())),
    }
}

impl<'a> Row<'a> {
    /// Maps an indicator to its legacy row, or says why it cannot be mapped.
    pub fn from_indicator(ind: Indicator<'a>) -> Result<Self, String> {
        let value = match ind.key {
            Loose::Str(s) => s,
            Loose::Missing => return Err("it has no \"key\" (the indicator value)".into()),
            other => return Err(format!("\"key\" must be a string (found {})", other.kind())),
        };
        let sample_md5 = match ind.files {
            FirstFile::None => Cow::Borrowed(""),
            FirstFile::Key(k) => text("files[0].key", k)?,
            FirstFile::Bad(kind) => return Err(format!("\"files\" must be an array of file objects (found {kind})")),
        };
        Ok(Row {
            format: Cow::Borrowed("STRING"),
            value,
            threat_type: joined("threat_types", ind.threat_types)?,
            last_observed: text("last_seen", ind.last_seen)?,
            severity: Cow::Borrowed(SEVERITY_LABELS[usize::from(severity_level(ind.severity.as_num()).unwrap_or(0))]),
            confidence: Cow::Borrowed(confidence_label(ind.confidence.as_num())),
            role: joined("last_seen_as", ind.last_seen_as)?,
            comment: joined("malware_family", ind.malware_family)?,
            sample_md5,
            ref_id: Cow::Borrowed(""),
            uuid: ind.uuid,
        })
    }

    /// Takes a row of the legacy JSON output back as it was.
    pub fn from_legacy(r: LegacyRow<'a>) -> Result<Self, String> {
        let value = match r.value {
            Loose::Str(s) => s,
            other => return Err(format!("\"value\" must be a string (found {})", other.kind())),
        };
        Ok(Row {
            format: match r.format {
                Loose::Missing | Loose::Null => Cow::Borrowed("STRING"),
                f => text("format", f)?,
            },
            value,
            threat_type: text("type", r.threat_type)?,
            last_observed: text("last-observed", r.last_observed)?,
            severity: text("severity", r.severity)?,
            confidence: text("confidence", r.confidence)?,
            role: text("role", r.role)?,
            comment: text("comment", r.comment)?,
            sample_md5: text("sample-md5", r.sample_md5)?,
            ref_id: text("ref-id", r.ref_id)?,
            uuid: r.uuid,
        })
    }
}

/// Writes rows in one of the legacy formats.
#[allow(clippy::large_enum_variant)] // one per conversion
pub enum Sink<W: Write> {
    Csv { w: csv::Writer<W>, version: CsvVersion },
    Json { w: W, rows: u64, scratch: Vec<u8> },
}

impl<W: Write> Sink<W> {
    /// Starts the output (the CSV header).
    pub fn new(format: Format, version: CsvVersion, out: W, header: bool) -> io::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
                let n = if version == CsvVersion::V1 { 8 } else { 10 };
                if header {
                    w.write_record(&HEADER_V2[..n])?;
                }
                Sink::Csv { w, version }
            }
            Format::Json => Sink::Json { w: out, rows: 0, scratch: Vec::with_capacity(1024) },
        })
    }

    pub fn write(&mut self, row: &Row<'_>) -> io::Result<()> {
        match self {
            Sink::Csv { w, version } => {
                let fields = [&*row.threat_type, &*row.format, &*row.value, &*row.role, &*row.sample_md5, &*row.last_observed, &*row.comment, &*row.ref_id, &*row.confidence, &*row.severity];
                let n = if *version == CsvVersion::V1 { 8 } else { 10 };
                w.write_record(&fields[..n]).map_err(io::Error::from)
            }
            Sink::Json { w, rows, scratch } => {
                // The array is written item by item; serde_json formats each row and the two
                // spaces of array indentation are added to each of its lines.
                scratch.clear();
                serde_json::to_writer_pretty(&mut *scratch, row)?;
                w.write_all(if *rows == 0 { b"[\n  " } else { b",\n  " })?;
                for (i, line) in scratch.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        w.write_all(b"\n  ")?;
                    }
                    w.write_all(line)?;
                }
                *rows += 1;
                Ok(())
            }
        }
    }

    /// Ends the output and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Sink::Csv { w, .. } => w.into_inner().map_err(|e| e.into_error()),
            Sink::Json { mut w, rows, .. } => {
                w.write_all(if rows == 0 { b"[]" } else { b"\n]" })?;
                Ok(w)
            }
        }
    }
}
