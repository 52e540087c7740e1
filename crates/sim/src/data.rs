//! The data set a simulator serves: raw records, byte-exact, with the few fields the
//! filters need read once at load time.
use std::fmt;

use serde_json::value::RawValue;
use ti_core::record::{Indicator, Loose};
use ti_core::time::{parse_timestamp, EpochMs};
use ti_core::{Input, InputError, RecordKind};

/// What the filters look at in one record, read once when the data is loaded.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meta {
    pub last_modified: Option<EpochMs>,
    pub severity: Option<f64>,
    pub confidence: Option<f64>,
    pub kind: Option<String>,
}

impl Meta {
    fn of(raw: &str) -> Self {
        // A record that is not an object (or not even valid) has no fields to filter on.
        let Ok(ind) = serde_json::from_str::<Indicator>(raw) else { return Self::default() };
        let num = |l: &Loose| l.as_num();
        Meta {
            last_modified: ind.last_modified.as_str().and_then(parse_timestamp),
            severity: num(&ind.severity),
            confidence: num(&ind.confidence),
            kind: ind.kind.as_str().map(str::to_owned),
        }
    }
}

/// Indicator records to serve, in data order, each kept as its exact JSON text.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub(crate) records: Vec<Box<RawValue>>,
    pub(crate) meta: Vec<Meta>,
    skipped: usize,
}

/// Why data could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The bytes are not a usable export (ti-core's plain-words reason).
    Input(InputError),
    /// The export holds legacy ti-export rows, not IntelGraph indicators.
    LegacyRows,
    /// The data file could not be read.
    Io(std::io::Error),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(e) => e.fmt(f),
            Self::LegacyRows => f.write_str("the data holds legacy ti-export rows, not IntelGraph indicators: the simulator serves indicators"),
            Self::Io(e) => write!(f, "cannot read the data file: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

impl Dataset {
    /// Reads an export of any shape `ti_core::Input::read` accepts (an API response, saved
    /// pages, an array of indicators, newline-delimited JSON). Records that are not valid
    /// JSON (possible in newline-delimited input) cannot be served and are skipped; see
    /// [`Dataset::skipped`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LoadError> {
        let input = Input::read(bytes).map_err(LoadError::Input)?;
        if input.kind == RecordKind::LegacyRow {
            return Err(LoadError::LegacyRows);
        }
        let mut data = Dataset { records: Vec::with_capacity(input.records.len()), meta: Vec::with_capacity(input.records.len()), skipped: 0 };
        for rec in &input.records {
            if rec.problem.is_some() {
                data.skipped += 1;
                continue;
            }
            // ti-core hands out slices that are whole JSON values; from_string keeps the
            // text as it is (no re-serialisation), so big integers survive.
            match RawValue::from_string(rec.raw.to_owned()) {
                Ok(raw) => {
                    data.meta.push(Meta::of(raw.get()));
                    data.records.push(raw);
                }
                Err(_) => data.skipped += 1,
            }
        }
        Ok(data)
    }

    /// Reads a data file (see [`Dataset::from_bytes`]).
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(LoadError::Io)?;
        Self::from_bytes(&bytes)
    }

    /// A generated, realistic data set (see [`crate::generate`]).
    pub fn generated(count: usize, seed: u64, now_ms: EpochMs) -> Self {
        Self::from_bytes(&crate::generate(count, seed, now_ms)).expect("the generator writes a readable export")
    }

    /// The number of records served.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records of the input that could not be served (not valid JSON).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The JSON text of record `index` (0-based), exactly as loaded.
    pub fn raw(&self, index: usize) -> Option<&str> {
        self.records.get(index).map(|r| r.get())
    }
}
