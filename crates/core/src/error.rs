//! Whole-input failures: the input cannot be read at all, so nothing is written.
use std::fmt;

/// Where something is in the input. Lines and columns count from 1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The record's number in the input, counting every record (1-based).
    pub record: u64,
    /// The API page the record came from, for fetched data.
    pub page: Option<u32>,
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {}", self.record)?;
        match self.page {
            Some(p) => write!(f, " (page {p}, line {}, column {})", self.line, self.column),
            None => write!(f, " (line {}, column {})", self.line, self.column),
        }
    }
}

/// A failure that concerns the whole input. Its `Display` is a plain sentence naming what is
/// wrong and where; it is `Clone` so a UI can keep it in its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    Empty,
    Utf16,
    InvalidUtf8 { line: u64, column: u64 },
    /// The JSON is malformed; `detail` is the parser's own words without its position.
    Syntax { detail: String, line: u64, column: u64 },
    Truncated { line: u64, column: u64 },
    TooDeep { line: u64, column: u64 },
    /// The document is a JSON string, number, boolean or null.
    Scalar { found: &'static str },
    /// A response's `results` is present but not an array.
    ResultsNotArray { found: &'static str, line: u64, column: u64 },
    /// A top-level object that is neither an API response nor an indicator.
    UnknownObject { line: u64, column: u64 },
    /// The chosen options cannot apply to this input (e.g. a type filter on legacy rows).
    Unsupported(String),
    /// A fetched API page cannot be read.
    Page { page: u32, error: Box<InputError> },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "The input is empty: there is no JSON in it."),
            Self::Utf16 => write!(f, "The input is UTF-16 text; ti-export reads UTF-8 JSON. Save the export as UTF-8 and try again."),
            Self::InvalidUtf8 { line, column } => write!(f, "The input is not valid UTF-8 text: a bad byte at line {line}, column {column}."),
            Self::Syntax { detail, line, column } => write!(f, "The input is not valid JSON: {detail} at line {line}, column {column}."),
            Self::Truncated { line, column } => write!(f, "The input ends in the middle of a JSON value (line {line}, column {column}): the file looks truncated."),
            Self::TooDeep { line, column } => write!(f, "The input nests JSON arrays or objects too deeply (more than 128 levels) at line {line}, column {column}."),
            Self::Scalar { found } => write!(f, "The input is a single JSON value ({found}), not an API response, an array or indicator records."),
            Self::ResultsNotArray { found, line, column } => write!(f, "The API response's \"results\" is {found}, not an array (line {line}, column {column})."),
            Self::UnknownObject { line, column } => write!(f, "The JSON object at line {line}, column {column} is neither an API response (no \"results\" or \"total_size\") nor an indicator (no \"key\")."),
            Self::Unsupported(s) => f.write_str(s),
            Self::Page { page, error } => write!(f, "The API's page {page} cannot be read: {error}"),
        }
    }
}

impl std::error::Error for InputError {}

impl InputError {
    /// Classifies a serde_json error met while reading the document's structure.
    pub(crate) fn from_json(e: &serde_json::Error) -> Self {
        let (line, column) = (e.line() as u64, (e.column() as u64).max(1));
        if e.is_eof() {
            return Self::Truncated { line, column };
        }
        let full = e.to_string();
        let detail = full.rsplit_once(" at line ").map_or(full.as_str(), |(d, _)| d).to_string();
        if detail.contains("recursion limit") {
            return Self::TooDeep { line, column };
        }
        Self::Syntax { detail, line, column }
    }
}

/// The JSON kind of a value, named for sentences ("a string", "a number").
pub(crate) fn json_kind(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}
