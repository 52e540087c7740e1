//! The user's choices, as plain data: what is stored, what the worker gets, and how they map
//! to `ti-core`'s options.
use serde::{Deserialize, Serialize};
use ti_core::client::{FetchOptions, DEFAULT_API_URL};
use ti_core::time::EpochMs;
use ti_core::{CsvVersion, Filters, Format, IndicatorType, Level, Options, TypeSet};

/// A minimum severity or confidence as the `<select>` offers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MinLevel {
    #[default]
    Any,
    Medium,
    High,
}

impl MinLevel {
    pub const ALL: [Self; 3] = [Self::Any, Self::Medium, Self::High];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|l| l.as_str() == s).unwrap_or_default()
    }
    fn level(self) -> Option<Level> {
        match self {
            Self::Any => None,
            Self::Medium => Some(Level::Medium),
            Self::High => Some(Level::High),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutFormat {
    #[default]
    Csv,
    Json,
}

impl OutFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "json" { Self::Json } else { Self::Csv }
    }
    pub fn default_file_name(self) -> &'static str {
        match self {
            Self::Csv => "ti.csv",
            Self::Json => "ti.json",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Self::Csv => "text/csv",
            Self::Json => "application/json",
        }
    }
}

/// What decides a conversion: sent to the worker with each job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertSettings {
    pub min_severity: MinLevel,
    pub min_confidence: MinLevel,
    /// url, domain, ip, file; none set means all.
    pub types: [bool; 4],
    /// 1 or 2.
    pub csv_version: u8,
    pub format: OutFormat,
}

impl ConvertSettings {
    pub fn filters(&self) -> Filters {
        let types: TypeSet = IndicatorType::ALL.into_iter().zip(self.types).filter(|(_, on)| *on).map(|(t, _)| t).collect();
        Filters { min_severity: self.min_severity.level(), min_confidence: self.min_confidence.level(), types, modified_since: None }
    }

    /// The core's options. Fetched data is converted as the CLI converts API pages: repeated
    /// uuids dropped, and the fetch's date window (`since`) applied again.
    pub fn options(&self, fetched: bool, since: Option<EpochMs>) -> Options {
        Options {
            filters: Filters { modified_since: since, ..self.filters() },
            format: match self.format {
                OutFormat::Csv => Format::Csv,
                OutFormat::Json => Format::Json,
            },
            version: if self.csv_version == 1 { CsvVersion::V1 } else { CsvVersion::V2 },
            dedup_uuid: fetched,
        }
    }
}

/// Everything on the form but the token. Kept in `localStorage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub api_url: String,
    pub days: u32,
    pub convert: ConvertSettings,
    pub file_name: String,
    /// Whether the user typed a file name (then a format change leaves it alone).
    pub file_name_edited: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { api_url: DEFAULT_API_URL.into(), days: 7, convert: ConvertSettings { csv_version: 2, ..Default::default() }, file_name: "ti.csv".into(), file_name_edited: false }
    }
}

impl Settings {
    /// Changes the format; an unedited file name follows it.
    pub fn set_format(&mut self, format: OutFormat) {
        self.convert.format = format;
        if !self.file_name_edited {
            self.file_name = format.default_file_name().into();
        }
    }

    pub fn set_file_name(&mut self, name: String) {
        self.file_name_edited = !name.is_empty() && name != self.convert.format.default_file_name();
        self.file_name = name;
    }

    /// The name to save under: what the user typed, or the format's default.
    pub fn download_name(&self) -> String {
        let n = self.file_name.trim();
        if n.is_empty() { self.convert.format.default_file_name().into() } else { n.replace(['/', '\\'], "_") }
    }

    pub fn fetch_options(&self) -> FetchOptions {
        FetchOptions { days: self.days, filters: self.convert.filters(), ..FetchOptions::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_legacy_tool() {
        let s = Settings::default();
        assert_eq!((s.days, s.convert.csv_version, s.file_name.as_str()), (7, 2, "ti.csv"));
        assert_eq!(s.convert.options(false, None), Options::default());
        let fetched = s.convert.options(true, Some(5));
        assert!(fetched.dedup_uuid && fetched.filters.modified_since == Some(5));
    }

    #[test]
    fn file_name_follows_the_format_until_edited() {
        let mut s = Settings::default();
        s.set_format(OutFormat::Json);
        assert_eq!(s.file_name, "ti.json");
        s.set_file_name("feed.out".into());
        s.set_format(OutFormat::Csv);
        assert_eq!(s.file_name, "feed.out");
        s.set_file_name(String::new());
        s.set_format(OutFormat::Json);
        assert_eq!(s.file_name, "ti.json");
        assert_eq!(Settings { file_name: "../a/b.csv".into(), ..Settings::default() }.download_name(), ".._a_b.csv");
    }

    #[test]
    fn choices_become_filters() {
        let c = ConvertSettings { min_severity: MinLevel::High, min_confidence: MinLevel::Medium, types: [false, true, true, false], csv_version: 1, format: OutFormat::Json };
        let o = c.options(false, None);
        assert_eq!(o.filters.min_severity, Some(Level::High));
        assert_eq!(o.filters.min_confidence, Some(Level::Medium));
        assert_eq!(o.filters.types.iter().collect::<Vec<_>>(), vec![IndicatorType::Domain, IndicatorType::Ip]);
        assert_eq!((o.version, o.format), (CsvVersion::V1, Format::Json));
        assert_eq!(MinLevel::parse("nonsense"), MinLevel::Any);
    }

    #[test]
    fn stored_settings_survive_missing_fields() {
        let s: Settings = serde_json::from_str(r#"{"days": 3}"#).unwrap_or_default();
        assert_eq!(s.days, 3);
        assert_eq!(s.api_url, DEFAULT_API_URL);
    }
}
