//! Reading an export: detect its shape, split it into raw records (byte-exact slices of the
//! input), and say where each one is. Nothing is converted here.
use std::fmt;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{json_kind, InputError, Position};

/// What kind of records the input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// IntelGraph indicators (API data).
    Indicator,
    /// Rows of the legacy tool's own JSON output.
    LegacyRow,
}

/// The shape that was found, for telling the user what was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    ApiResponse,
    ApiResponseArray { pages: usize },
    IndicatorArray,
    EmptyArray,
    IndicatorLines,
    ResponseLines { pages: usize },
    MixedLines { pages: usize },
    LegacyRows,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiResponse => f.write_str("one API response"),
            Self::ApiResponseArray { pages } => write!(f, "a JSON array of {pages} API responses (saved pages)"),
            Self::IndicatorArray => f.write_str("a JSON array of indicators"),
            Self::EmptyArray => f.write_str("an empty JSON array"),
            Self::IndicatorLines => f.write_str("newline-delimited JSON indicators"),
            Self::ResponseLines { pages } => write!(f, "newline-delimited JSON API responses ({pages} pages)"),
            Self::MixedLines { pages } => write!(f, "newline-delimited JSON of indicators and {pages} API responses"),
            Self::LegacyRows => f.write_str("legacy ti-export JSON rows"),
        }
    }
}

/// One record as it stands in the input.
#[derive(Clone, Debug)]
pub struct RawRecord<'a> {
    /// The record's JSON text, exactly as in the input.
    pub raw: &'a str,
    /// Set when the record could not even be read as JSON (newline-delimited input only).
    pub problem: Option<String>,
}

/// A read input: its shape and its records in input order, borrowing the input text.
pub struct Input<'a> {
    pub shape: Shape,
    pub kind: RecordKind,
    pub records: Vec<RawRecord<'a>>,
    text: &'a str,
}

/// Remembers where the last position asked for was, so that positions asked in increasing
/// order cost one pass over the text in all.
#[derive(Clone, Debug, Default)]
pub struct LineCursor {
    text: usize,
    at: usize,
    line: u64,
    line_start: usize,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a byte offset of `text` is: 1-based line and column (in characters).
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() as u64 + 1)
}

/// The fields that tell an API response, an indicator and a legacy row apart.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Probe {
    key: Option<IgnoredAny>,
    results: Option<IgnoredAny>,
    total_size: Option<IgnoredAny>,
    more: Option<IgnoredAny>,
    page_size: Option<IgnoredAny>,
    value: Option<IgnoredAny>,
    format: Option<IgnoredAny>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ObjectKind {
    Response,
    Indicator,
    LegacyRow,
    Unknown,
}

fn classify(raw: &RawValue) -> ObjectKind {
    // A duplicate field makes the probe fail: such a record is treated as an indicator and
    // rejected with the parser's reason later.
    let p: Probe = match serde_json::from_str(raw.get()) {
        Ok(p) => p,
        Err(_) => return ObjectKind::Indicator,
    };
    if p.key.is_some() {
        ObjectKind::Indicator
    } else if p.results.is_some() || p.total_size.is_some() || p.more.is_some() || p.page_size.is_some() {
        ObjectKind::Response
    } else if p.value.is_some() && p.format.is_some() {
        ObjectKind::LegacyRow
    } else {
        ObjectKind::Unknown
    }
}

/// An API response read in one pass, its results split into raw records.
#[derive(Deserialize)]
struct FastEnvelope<'a> {
    #[serde(borrow, default)]
    results: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    key: Option<IgnoredAny>,
    #[serde(default)]
    total_size: Option<IgnoredAny>,
    #[serde(default)]
    more: Option<IgnoredAny>,
    #[serde(default)]
    page_size: Option<IgnoredAny>,
}

impl FastEnvelope<'_> {
    fn is_response(&self) -> bool {
        self.key.is_none() && (self.results.is_some() || self.total_size.is_some() || self.more.is_some() || self.page_size.is_some())
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    results: Option<&'a RawValue>,
}

/// A JSON syntax error inside `text[base..]`, as a position in the whole text.
fn abs_error(text: &str, base: usize, e: &serde_json::Error) -> (u64, u64) {
    let (bl, bc) = line_col(text, base);
    let (l, c) = (e.line() as u64, e.column() as u64);
    if l <= 1 { (bl, bc + c.saturating_sub(1)) } else { (bl + l - 1, c.max(1)) }
}

impl<'a> Input<'a> {
    /// Reads an export of any supported shape. Fails only when the input as a whole is not
    /// usable; problems of single records are left for the converter to report.
    pub fn read(bytes: &'a [u8]) -> Result<Self, InputError> {
        if bytes.is_empty() {
            return Err(InputError::Empty);
        }
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || (bytes.len() >= 2 && (bytes[0] == 0 || bytes[1] == 0)) {
            return Err(InputError::Utf16);
        }
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (line, column) = line_col(valid, valid.len());
            InputError::InvalidUtf8 { line, column }
        })?;
        if text.trim().is_empty() {
            return Err(InputError::Empty);
        }
        let mut input = Input { shape: Shape::EmptyArray, kind: RecordKind::Indicator, records: Vec::new(), text };
        if input.read_fast() {
            return Ok(input);
        }
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
        let first = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(InputError::from_json(&e)),
            None => return Err(InputError::Empty),
        };
        let after_first = stream.byte_offset();
        if text[after_first..].trim().is_empty() {
            input.read_document(first)?;
        } else {
            input.read_lines(first)?;
        }
        Ok(input)
    }

    /// The common shapes (one API response, an array) in a single pass over the text. Anything
    /// unusual, including every error, is left to the general path.
    fn read_fast(&mut self) -> bool {
        let text = self.text;
        let mut de = serde_json::Deserializer::from_str(text);
        match text.trim_start().as_bytes()[0] {
            b'{' => match FastEnvelope::deserialize(&mut de) {
                Ok(env) if env.is_response() && de.end().is_ok() => {
                    self.shape = Shape::ApiResponse;
                    self.records = env.results.unwrap_or_default().into_iter().map(|r| RawRecord { raw: r.get(), problem: None }).collect();
                    true
                }
                _ => false,
            },
            b'[' => match Vec::<&'a RawValue>::deserialize(&mut de) {
                Ok(items) if de.end().is_ok() => self.take_array(items).is_ok(),
                _ => false,
            },
            _ => false,
        }
    }

    fn offset(&self, raw: &str) -> usize {
        raw.as_ptr() as usize - self.text.as_ptr() as usize
    }

    fn error_at(&self, raw: &str, f: impl FnOnce(u64, u64) -> InputError) -> InputError {
        let (l, c) = line_col(self.text, self.offset(raw));
        f(l, c)
    }

    /// A single JSON document: a response object, an indicator, or an array.
    fn read_document(&mut self, doc: &'a RawValue) -> Result<(), InputError> {
        match doc.get().as_bytes()[0] {
            b'{' => match classify(doc) {
                ObjectKind::Response => {
                    self.shape = Shape::ApiResponse;
                    self.push_results(doc)
                }
                ObjectKind::Indicator => {
                    self.shape = Shape::IndicatorLines;
                    self.records.push(RawRecord { raw: doc.get(), problem: None });
                    Ok(())
                }
                ObjectKind::LegacyRow => {
                    self.shape = Shape::LegacyRows;
                    self.kind = RecordKind::LegacyRow;
                    self.records.push(RawRecord { raw: doc.get(), problem: None });
                    Ok(())
                }
                ObjectKind::Unknown => Err(self.error_at(doc.get(), |line, column| InputError::UnknownObject { line, column })),
            },
            b'[' => self.read_array(doc),
            _ => Err(InputError::Scalar { found: json_kind(doc.get()) }),
        }
    }

    fn read_array(&mut self, doc: &'a RawValue) -> Result<(), InputError> {
        let items: Vec<&'a RawValue> = serde_json::from_str(doc.get()).map_err(|e| InputError::from_json(&e))?;
        self.take_array(items)
    }

    fn take_array(&mut self, items: Vec<&'a RawValue>) -> Result<(), InputError> {
        self.records.clear();
        let first_object = items.iter().find(|v| v.get().starts_with('{')).map(|v| classify(v));
        match first_object {
            None if items.is_empty() => self.shape = Shape::EmptyArray,
            Some(ObjectKind::Response) => {
                let mut pages = 0;
                for item in items {
                    if item.get().starts_with('{') {
                        pages += 1;
                        self.push_results(item)?;
                    } else {
                        self.records.push(RawRecord { raw: item.get(), problem: Some(format!("{} where an API response object was expected", json_kind(item.get()))) });
                    }
                }
                self.shape = Shape::ApiResponseArray { pages };
            }
            Some(ObjectKind::LegacyRow) => {
                self.shape = Shape::LegacyRows;
                self.kind = RecordKind::LegacyRow;
                self.records.extend(items.into_iter().map(|r| RawRecord { raw: r.get(), problem: None }));
            }
            _ => {
                self.shape = Shape::IndicatorArray;
                self.records.extend(items.into_iter().map(|r| RawRecord { raw: r.get(), problem: None }));
            }
        }
        Ok(())
    }

    /// Appends the `results` of one API response object (absent or null means none).
    fn push_results(&mut self, response: &'a RawValue) -> Result<(), InputError> {
        if let Ok(FastEnvelope { results, .. }) = serde_json::from_str(response.get()) {
            self.records.extend(results.unwrap_or_default().into_iter().map(|r| RawRecord { raw: r.get(), problem: None }));
            return Ok(());
        }
        let env: Envelope<'a> = serde_json::from_str(response.get()).map_err(|e| {
            let (line, column) = abs_error(self.text, self.offset(response.get()), &e);
            InputError::Syntax { detail: e.to_string().rsplit_once(" at line ").map_or(e.to_string(), |(d, _)| d.to_string()), line, column }
        })?;
        let Some(results) = env.results else { return Ok(()) };
        match results.get().as_bytes()[0] {
            b'n' => Ok(()),
            b'[' => {
                let items: Vec<&'a RawValue> = serde_json::from_str(results.get()).map_err(|e| InputError::from_json(&e))?;
                self.records.extend(items.into_iter().map(|r| RawRecord { raw: r.get(), problem: None }));
                Ok(())
            }
            _ => {
                let found = json_kind(results.get());
                Err(self.error_at(results.get(), |line, column| InputError::ResultsNotArray { found, line, column }))
            }
        }
    }

    /// Several top-level values: newline-delimited (or concatenated) JSON. A value that is not
    /// valid JSON becomes a rejected record, and reading resumes at the next line that starts
    /// with `{` or `[`.
    fn read_lines(&mut self, first: &'a RawValue) -> Result<(), InputError> {
        let text = self.text;
        let (mut pages, mut indicators) = (0usize, 0usize);
        let take = |this: &mut Self, v: &'a RawValue, pages: &mut usize, indicators: &mut usize| -> Result<(), InputError> {
            if v.get().starts_with('{') && classify(v) == ObjectKind::Response {
                *pages += 1;
                this.push_results(v)
            } else {
                *indicators += 1;
                this.records.push(RawRecord { raw: v.get(), problem: None });
                Ok(())
            }
        };
        take(self, first, &mut pages, &mut indicators)?;
        let mut start = self.offset(first.get()) + first.get().len();
        loop {
            let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<&RawValue>();
            let failure = loop {
                match stream.next() {
                    None => break None,
                    Some(Ok(v)) => take(self, v, &mut pages, &mut indicators)?,
                    Some(Err(e)) => break Some(e),
                }
            };
            let Some(e) = failure else { break };
            let seg_start = start + stream.byte_offset();
            // Skip JSON whitespace only: other Unicode spaces are part of the broken segment.
            let seg_start = seg_start + (text[seg_start..].len() - text[seg_start..].trim_start_matches([' ', '\t', '\r', '\n']).len());
            // Resume at the next line that opens an object or array (past at least one character).
            let from = (seg_start + text[seg_start..].chars().next().map_or(0, char::len_utf8)).min(text.len());
            let next = text[from..].match_indices('\n').map(|(i, _)| from + i + 1).find(|&i| matches!(text.as_bytes().get(i), Some(b'{' | b'[')));
            let seg_end = next.unwrap_or(text.len());
            let (line, column) = abs_error(text, start, &e);
            let what = match InputError::from_json(&e) {
                InputError::Truncated { .. } => "the record is cut short (truncated)".to_string(),
                InputError::TooDeep { .. } => "it nests arrays or objects too deeply".to_string(),
                InputError::Syntax { detail, .. } => detail,
                other => other.to_string(),
            };
            indicators += 1;
            self.records.push(RawRecord { raw: text[seg_start..seg_end].trim_end(), problem: Some(format!("not valid JSON: {what} (at line {line}, column {column})")) });
            match next {
                Some(n) => start = n,
                None => break,
            }
        }
        self.shape = match (pages, indicators) {
            (0, _) => Shape::IndicatorLines,
            (p, 0) => Shape::ResponseLines { pages: p },
            (p, _) => Shape::MixedLines { pages: p },
        };
        Ok(())
    }

    /// The position of record `index` (0-based in `records`), for messages.
    pub fn position(&self, index: usize) -> Position {
        self.position_from(index, &mut LineCursor::default())
    }

    /// Like [`Input::position`], resuming from `cursor`: cheap when asked in increasing order.
    pub fn position_from(&self, index: usize, cursor: &mut LineCursor) -> Position {
        let off = self.offset(self.records[index].raw);
        if cursor.text != self.text.as_ptr() as usize || off < cursor.at || cursor.line == 0 {
            *cursor = LineCursor { text: self.text.as_ptr() as usize, at: 0, line: 1, line_start: 0 };
        }
        let (at, mut line, mut line_start) = (cursor.at, cursor.line, cursor.line_start);
        let bytes = &self.text.as_bytes()[at..off];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                line += 1;
                line_start = at + i + 1;
            }
        }
        *cursor = LineCursor { text: cursor.text, at: off, line, line_start };
        let column = self.text[line_start..off].chars().count() as u64 + 1;
        Position { record: index as u64 + 1, page: None, line, column }
    }

    /// The input text after any byte-order mark.
    pub fn text(&self) -> &'a str {
        self.text
    }
}
