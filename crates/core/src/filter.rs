//! The filters, with the API's semantics (legacy-format.md, "Filters").
use std::fmt;
use std::str::FromStr;

use crate::time::EpochMs;

/// A minimum level for severity or confidence, as the legacy `-s` / `-c` flags name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Medium,
    High,
}

impl Level {
    /// The API's `severity.from` for this level.
    pub fn severity_from(self) -> u8 {
        match self {
            Self::Medium => 3,
            Self::High => 4,
        }
    }
    /// The API's `confidence.from` for this level.
    pub fn confidence_from(self) -> u8 {
        match self {
            Self::Medium => 50,
            Self::High => 75,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            _ => Err(format!("\"{s}\" is not a level: use medium or high")),
        }
    }
}

/// The four primary indicator types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndicatorType {
    Url,
    Domain,
    Ip,
    File,
}

impl IndicatorType {
    pub const ALL: [Self; 4] = [Self::Url, Self::Domain, Self::Ip, Self::File];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Domain => "domain",
            Self::Ip => "ip",
            Self::File => "file",
        }
    }
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for IndicatorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IndicatorType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim()).ok_or_else(|| format!("\"{s}\" is not an indicator type: use url, domain, ip or file"))
    }
}

/// A set of indicator types; the empty set means "all types".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TypeSet(u8);

impl TypeSet {
    pub fn insert(&mut self, t: IndicatorType) {
        self.0 |= t.bit();
    }
    pub fn contains(self, t: IndicatorType) -> bool {
        self.0 & t.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = IndicatorType> {
        IndicatorType::ALL.into_iter().filter(move |t| self.contains(*t))
    }
    /// Whether an indicator whose `type` is `ty` passes (all pass when the set is empty).
    pub fn admits(self, ty: Option<&str>) -> bool {
        self.is_empty() || ty.and_then(|s| s.parse::<IndicatorType>().ok()).is_some_and(|t| self.contains(t))
    }
}

impl FromIterator<IndicatorType> for TypeSet {
    fn from_iter<I: IntoIterator<Item = IndicatorType>>(iter: I) -> Self {
        let mut s = Self::default();
        iter.into_iter().for_each(|t| s.insert(t));
        s
    }
}

/// What to keep. The default keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub min_severity: Option<Level>,
    pub min_confidence: Option<Level>,
    pub types: TypeSet,
    /// Keep only indicators whose `last_modified` is at or after this instant.
    pub modified_since: Option<EpochMs>,
}

/// Which filter dropped a record (the first one that failed, in this order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    Type,
    Severity,
    Confidence,
    Modified,
}

impl Filters {
    /// Applies the filters to an indicator's values: `severity` and `confidence` are the JSON
    /// numbers (if numbers), `ty` the `type`, `modified` the parsed `last_modified`.
    pub fn check(&self, ty: Option<&str>, severity: Option<f64>, confidence: Option<f64>, modified: Option<EpochMs>) -> Result<(), Dropped> {
        if !self.types.admits(ty) {
            return Err(Dropped::Type);
        }
        if let Some(l) = self.min_severity {
            if !severity.is_some_and(|s| s >= f64::from(l.severity_from())) {
                return Err(Dropped::Severity);
            }
        }
        if let Some(l) = self.min_confidence {
            if !confidence.is_some_and(|c| c >= f64::from(l.confidence_from())) {
                return Err(Dropped::Confidence);
            }
        }
        if let Some(since) = self.modified_since {
            if modified.is_none_or(|m| m < since) {
                return Err(Dropped::Modified);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantics_match_the_api() {
        let f = Filters { min_severity: Some(Level::Medium), ..Default::default() };
        assert_eq!(f.check(None, Some(3.0), None, None), Ok(()));
        assert_eq!(f.check(None, Some(2.0), None, None), Err(Dropped::Severity));
        assert_eq!(f.check(None, None, None, None), Err(Dropped::Severity));
        let f = Filters { min_confidence: Some(Level::High), ..Default::default() };
        assert_eq!(f.check(None, None, Some(75.0), None), Ok(()));
        assert_eq!(f.check(None, None, Some(74.9), None), Err(Dropped::Confidence));
        let f = Filters { types: [IndicatorType::Url, IndicatorType::Ip].into_iter().collect(), ..Default::default() };
        assert_eq!(f.check(Some("ip"), None, None, None), Ok(()));
        assert_eq!(f.check(Some("domain"), None, None, None), Err(Dropped::Type));
        assert_eq!(f.check(None, None, None, None), Err(Dropped::Type));
        assert_eq!(Filters::default().check(None, None, None, None), Ok(()));
    }
}
