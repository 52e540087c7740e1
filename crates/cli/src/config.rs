//! `ti.cfg`: the legacy script's INI file, section `[ti]`, read as Python's configparser
//! reads it (keys case-insensitive, `=` or `:`, `#`/`;` comments, `[DEFAULT]` fallback).
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Config {
    values: HashMap<String, String>,
}

impl Config {
    /// Reads the file; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map(Some).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("Cannot read the config file {}: {e}.", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut section: Option<String> = None;
        let (mut ti, mut default) = (HashMap::new(), HashMap::new());
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            if let Some(name) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = Some(name.trim().to_string());
                continue;
            }
            let Some(i) = t.find(['=', ':']) else {
                return Err(format!("line {}: expected \"key = value\" but found \"{t}\"", n + 1));
            };
            let (k, v) = (t[..i].trim().to_ascii_lowercase(), t[i + 1..].trim().to_string());
            match section.as_deref() {
                Some("ti") => ti.insert(k, v),
                Some("DEFAULT") => default.insert(k, v),
                Some(_) => None,
                None => return Err(format!("line {}: \"{t}\" comes before any [section] header", n + 1)),
            };
        }
        default.extend(ti);
        Ok(Config { values: default })
    }

    /// A non-empty value of `[ti]`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_configparser() {
        let c = Config::parse("# comment\n[DEFAULT]\nurl = http://d\n[ti]\nToken = abc \nformat: json\ndays=3\n; x\nseverity =\n[other]\ntoken = no\n").unwrap();
        assert_eq!(c.get("token"), Some("abc"));
        assert_eq!(c.get("format"), Some("json"));
        assert_eq!(c.get("days"), Some("3"));
        assert_eq!(c.get("url"), Some("http://d"));
        assert_eq!(c.get("severity"), None);
        assert!(Config::parse("token = x\n").unwrap_err().contains("line 1"));
        assert!(Config::parse("[ti]\njunk\n").unwrap_err().contains("line 2"));
    }
}
