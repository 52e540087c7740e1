//! Conversion with honest accounting: every record is converted, filtered out, dropped as a
//! duplicate, or rejected with its position and a reason.
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::{json_kind, InputError, Position};
use crate::filter::{Dropped, Filters};
use crate::input::{Input, LineCursor, RecordKind, Shape};
use crate::legacy::{severity_from_label, severity_level, CsvVersion, Format, Row, Sink};
use crate::record::{Indicator, LegacyRow};
use crate::time::parse_timestamp;

/// Everything that decides the output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub filters: Filters,
    pub format: Format,
    pub version: CsvVersion,
    /// Drop a record whose `uuid` was already converted (for pages fetched from the API).
    pub dedup_uuid: bool,
}

/// A record that could not be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub position: Position,
    pub reason: String,
    /// The record's text as it stood in the input.
    pub raw: String,
    /// Whether `raw` is valid JSON (false for a record that failed to parse as JSON).
    pub raw_is_json: bool,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.reason)
    }
}

/// Counts of records dropped by each filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FilteredBy {
    pub r#type: u64,
    pub severity: u64,
    pub confidence: u64,
    pub last_modified: u64,
}

/// What happened to every record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub shape: Option<Shape>,
    pub records: u64,
    pub converted: u64,
    pub filtered_out: u64,
    pub filtered_by: FilteredBy,
    pub duplicates: u64,
    pub rejected: Vec<Rejection>,
    /// Converted records by indicator `type` (legacy rows carry none).
    pub by_type: BTreeMap<String, u64>,
    /// Converted records by severity level; index 0 counts those without a valid severity.
    pub by_severity: [u64; 6],
}

impl Report {
    /// One sentence with every count, for a status line.
    pub fn summary(&self) -> String {
        let mut s = format!("{} record{} read: {} converted, {} filtered out", self.records, if self.records == 1 { "" } else { "s" }, self.converted, self.filtered_out);
        if self.duplicates > 0 {
            s += &format!(", {} duplicate{} dropped", self.duplicates, if self.duplicates == 1 { "" } else { "s" });
        }
        s += &format!(", {} rejected.", self.rejected.len());
        s
    }

    /// Adds the counts of a report on a later part of the same input.
    pub fn merge(&mut self, other: Report) {
        self.records += other.records;
        self.converted += other.converted;
        self.filtered_out += other.filtered_out;
        self.filtered_by.r#type += other.filtered_by.r#type;
        self.filtered_by.severity += other.filtered_by.severity;
        self.filtered_by.confidence += other.filtered_by.confidence;
        self.filtered_by.last_modified += other.filtered_by.last_modified;
        self.duplicates += other.duplicates;
        self.rejected.extend(other.rejected);
        for (t, n) in other.by_type {
            *self.by_type.entry(t).or_default() += n;
        }
        for (a, b) in self.by_severity.iter_mut().zip(other.by_severity) {
            *a += b;
        }
    }

    /// Writes the rejected records as JSON lines: position, reason and the record itself.
    pub fn write_rejects<W: Write>(&self, mut w: W) -> io::Result<()> {
        #[derive(Serialize)]
        struct Line<'a> {
            record: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            page: Option<u32>,
            line: u64,
            column: u64,
            reason: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            json: Option<&'a RawValue>,
            #[serde(skip_serializing_if = "Option::is_none")]
            text: Option<&'a str>,
        }
        for r in &self.rejected {
            let json = if r.raw_is_json { serde_json::from_str::<&RawValue>(&r.raw).ok() } else { None };
            let line = Line { record: r.position.record, page: r.position.page, line: r.position.line, column: r.position.column, reason: &r.reason, json, text: json.is_none().then_some(r.raw.as_str()) };
            serde_json::to_writer(&mut w, &line)?;
            w.write_all(b"\n")?;
        }
        w.flush()
    }
}

/// Either the input could not be read, or the output could not be written.
#[derive(Debug)]
pub enum ConvertError {
    Input(InputError),
    Io(io::Error),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(e) => e.fmt(f),
            Self::Io(e) => write!(f, "Could not write the output: {e}."),
        }
    }
}

impl std::error::Error for ConvertError {}

impl From<io::Error> for ConvertError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<InputError> for ConvertError {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

/// Streams records into a legacy output, keeping the report.
pub struct Converter<W: Write> {
    opts: Options,
    sink: Sink<W>,
    report: Report,
    seen: HashSet<Box<str>>,
    /// Records counted before this converter's first one (for a chunk of a larger input).
    first_record: u64,
    cursor: LineCursor,
}

#[allow(clippy::large_enum_variant)] // built and consumed at once, never stored
pub(crate) enum Outcome<'a> {
    Row(Row<'a>),
    Filtered(Dropped),
    Duplicate,
}

impl<W: Write> Converter<W> {
    /// Starts the output (writes the CSV header).
    pub fn new(opts: Options, out: W) -> io::Result<Self> {
        Self::chunk(opts, out, true, 0)
    }

    /// A converter for a later part of an input: no header, numbering from `first_record`.
    fn chunk(opts: Options, out: W, header: bool, first_record: u64) -> io::Result<Self> {
        let sink = Sink::new(opts.format, opts.version, out, header)?;
        Ok(Converter { opts, sink, report: Report::default(), seen: HashSet::new(), first_record, cursor: LineCursor::default() })
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Converts every record of `input` (after [`check`]).
    pub fn push_input(&mut self, input: &Input<'_>, page: Option<u32>) -> io::Result<()> {
        self.push_range(input, 0..input.records.len(), page)
    }

    /// Converts records `range` of `input`, so a caller can report progress between chunks.
    pub fn push_range(&mut self, input: &Input<'_>, range: std::ops::Range<usize>, page: Option<u32>) -> io::Result<()> {
        if self.report.shape.is_none() {
            self.report.shape = Some(input.shape.clone());
        }
        for i in range {
            self.report.records += 1;
            let rec = &input.records[i];
            let outcome = match &rec.problem {
                Some(p) => Err(p.clone()),
                None => self.outcome(input.kind, rec.raw),
            };
            match outcome {
                Ok(o) => self.apply(o)?,
                Err(reason) => {
                    let mut position = input.position_from(i, &mut self.cursor);
                    position.record = self.first_record + self.report.records;
                    position.page = page;
                    self.report.rejected.push(Rejection { position, reason, raw: rec.raw.to_string(), raw_is_json: rec.problem.is_none() });
                }
            }
        }
        Ok(())
    }

    pub(crate) fn count_record(&mut self) {
        self.report.records += 1;
    }

    pub(crate) fn set_shape(&mut self, shape: Shape) {
        self.report.shape = Some(shape);
    }

    pub(crate) fn apply(&mut self, outcome: Outcome<'_>) -> io::Result<()> {
        match outcome {
            Outcome::Row(row) => {
                self.sink.write(&row)?;
                self.report.converted += 1;
            }
            Outcome::Filtered(d) => {
                self.report.filtered_out += 1;
                let by = &mut self.report.filtered_by;
                *match d {
                    Dropped::Type => &mut by.r#type,
                    Dropped::Severity => &mut by.severity,
                    Dropped::Confidence => &mut by.confidence,
                    Dropped::Modified => &mut by.last_modified,
                } += 1;
            }
            Outcome::Duplicate => self.report.duplicates += 1,
        }
        Ok(())
    }

    pub(crate) fn indicator_outcome<'a>(&mut self, mut ind: Indicator<'a>) -> Result<Outcome<'a>, String> {
        let modified = match self.opts.filters.modified_since {
            None => None,
            Some(_) => match ind.last_modified.text_or_empty() {
                Ok("") => None,
                Ok(s) => Some(parse_timestamp(s).ok_or_else(|| format!("\"last_modified\" is not a timestamp: \"{s}\""))?),
                Err(k) => return Err(format!("\"last_modified\" must be a string (found {k})")),
            },
        };
        let (severity, confidence) = (ind.severity.as_num(), ind.confidence.as_num());
        let kind = std::mem::take(&mut ind.kind);
        let ty = kind.as_str();
        let uuid = ind.uuid.filter(|u| u.get().starts_with('"'));
        let row = Row::from_indicator(ind)?;
        if let Err(d) = self.opts.filters.check(ty, severity, confidence, modified) {
            return Ok(Outcome::Filtered(d));
        }
        if self.opts.dedup_uuid {
            if let Some(u) = uuid {
                if !self.seen.insert(u.get().into()) {
                    return Ok(Outcome::Duplicate);
                }
            }
        }
        let ty = ty.unwrap_or("(none)");
        match self.report.by_type.get_mut(ty) {
            Some(n) => *n += 1,
            None => {
                self.report.by_type.insert(ty.to_string(), 1);
            }
        }
        self.report.by_severity[usize::from(severity_level(severity).unwrap_or(0))] += 1;
        Ok(Outcome::Row(row))
    }

    fn outcome<'a>(&mut self, kind: RecordKind, raw: &'a str) -> Result<Outcome<'a>, String> {
        if !raw.starts_with('{') {
            return Err(format!("it is {}, not an object", json_kind(raw)));
        }
        let read_err = |e: serde_json::Error| format!("it cannot be read: {}", e.to_string().split(" at line ").next().unwrap_or_default());
        match kind {
            RecordKind::Indicator => {
                let ind: Indicator<'a> = serde_json::from_str(raw).map_err(read_err)?;
                self.indicator_outcome(ind)
            }
            RecordKind::LegacyRow => {
                let r: LegacyRow<'a> = serde_json::from_str(raw).map_err(read_err)?;
                let row = Row::from_legacy(r)?;
                let sev = severity_from_label(&row.severity);
                let conf = match &*row.confidence {
                    "HIGH" => Some(75.0),
                    "MED" => Some(50.0),
                    "LOW" => Some(25.0),
                    "NONE" => Some(0.0),
                    _ => None,
                };
                if let Err(d) = self.opts.filters.check(None, sev.map(f64::from), conf, None) {
                    return Ok(Outcome::Filtered(d));
                }
                self.report.by_severity[usize::from(sev.unwrap_or(0))] += 1;
                Ok(Outcome::Row(row))
            }
        }
    }

    /// Ends the output; gives the writer and the report back.
    pub fn finish(self) -> io::Result<(W, Report)> {
        Ok((self.sink.finish()?, self.report))
    }
}

/// Whether the options can apply to this input at all: legacy rows carry neither the
/// indicator type nor `last_modified`, so those filters cannot apply to them.
pub fn check(opts: &Options, input: &Input<'_>) -> Result<(), InputError> {
    if input.kind == RecordKind::LegacyRow {
        if !opts.filters.types.is_empty() {
            return Err(InputError::Unsupported("The input holds legacy ti-export JSON rows, which do not say each indicator's type, so an indicator type filter cannot be applied. Choose all types, or convert the original API data.".into()));
        }
        if opts.filters.modified_since.is_some() {
            return Err(InputError::Unsupported("The input holds legacy ti-export JSON rows, which carry no \"last_modified\", so a date window cannot be applied. Turn the window off, or convert the original API data.".into()));
        }
    }
    Ok(())
}

/// Reads `bytes` (any supported shape), converts and writes to `out`.
pub fn convert<W: Write>(bytes: &[u8], opts: &Options, mut out: W) -> Result<(W, Report), ConvertError> {
    if let Some((converted, report)) = crate::fast::try_convert(bytes, opts) {
        out.write_all(&converted)?;
        return Ok((out, report));
    }
    let input = Input::read(bytes)?;
    check(opts, &input)?;
    Ok(convert_input(&input, opts, out)?)
}

/// Converts pages fetched from the API as the fetch itself does: in page order, dropping a
/// record whose `uuid` was already converted, numbering records across pages. Calls
/// `progress(records done, records in all)` every few thousand records.
pub fn convert_pages<'p, W: Write>(pages: impl IntoIterator<Item = (u32, &'p [u8])>, opts: &Options, out: W, mut progress: impl FnMut(u64, u64)) -> Result<(W, Report), ConvertError> {
    const STEP: usize = 4096;
    let inputs = pages.into_iter().map(|(page, body)| Input::read(body).map(|i| (page, i)).map_err(|e| InputError::Page { page, error: Box::new(e) })).collect::<Result<Vec<_>, _>>()?;
    let total = inputs.iter().map(|(_, i)| i.records.len() as u64).sum();
    let opts = Options { dedup_uuid: true, ..opts.clone() };
    for (page, input) in &inputs {
        check(&opts, input).map_err(|e| InputError::Page { page: *page, error: Box::new(e) })?;
    }
    let mut c = Converter::new(opts, out)?;
    let mut done = 0;
    progress(0, total);
    for (page, input) in &inputs {
        for start in (0..input.records.len()).step_by(STEP) {
            let end = (start + STEP).min(input.records.len());
            c.push_range(input, start..end, Some(*page))?;
            done += (end - start) as u64;
            progress(done, total);
        }
    }
    Ok(c.finish()?)
}

/// Converts a read input (after [`check`]). Large CSV conversions use every core: each
/// thread converts a contiguous run of records into its own buffer, written out in order.
pub fn convert_input<W: Write>(input: &Input<'_>, opts: &Options, mut out: W) -> io::Result<(W, Report)> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let n = input.records.len();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(n / 8192);
        if threads > 1 && opts.format == Format::Csv && !opts.dedup_uuid {
            let per = n.div_ceil(threads);
            let parts: Vec<io::Result<(Vec<u8>, Report)>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|i| {
                        let range = i * per..((i + 1) * per).min(n);
                        s.spawn(move || {
                            let mut c = Converter::chunk(opts.clone(), Vec::with_capacity(range.len() * 160), i == 0, range.start as u64)?;
                            c.push_range(input, range, None)?;
                            c.finish()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
            });
            let mut report = Report { shape: Some(input.shape.clone()), ..Report::default() };
            for part in parts {
                let (bytes, r) = part?;
                out.write_all(&bytes)?;
                report.merge(r);
            }
            return Ok((out, report));
        }
    }
    let mut c = Converter::new(opts.clone(), out)?;
    c.push_input(input, None)?;
    c.finish()
}
