//! `ti-export`: the legacy script's command line over ti-core, plus offline conversion.
mod config;
mod fetch;
mod output;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use ti_core::client::{FetchOptions, DEFAULT_API_URL};
use ti_core::legacy::SEVERITY_LABELS;
use ti_core::time::{parse_timestamp, window_start, EpochMs};
use ti_core::{CsvVersion, Filters, Format, IndicatorType, Level, Options, Report};

use crate::config::Config;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LevelArg {
    Medium,
    High,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TypeArg {
    Url,
    Domain,
    Ip,
    File,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum FormatArg {
    Csv,
    Json,
}

/// Export iDefense IntelGraph threat indicators as the legacy ti-export CSV (v1/v2) or JSON
/// feed, from the API or, with --input, from a saved JSON export (no token, no network).
///
/// The API token comes from the IDEF_TOKEN environment variable or `token=` in the config
/// file, never from the command line.
#[derive(Parser, Debug)]
#[command(name = "ti-export", disable_version_flag = true, max_term_width = 100)]
struct Args {
    /// Output file, `-` for standard output [default: ti.csv, or `out` in the config]
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    output: Option<String>,
    /// Days of data [default: 7, or `days` in the config]. With --input, filters on
    /// `last_modified` only when given.
    #[arg(short = 'n', long, value_name = "NUMBER")]
    number: Option<u32>,
    /// Minimum severity (medium: 3+, high: 4+); drops indicators without one
    #[arg(short = 's', long, value_enum)]
    severity: Option<LevelArg>,
    /// Minimum confidence (medium: 50+, high: 75+); drops indicators without one
    #[arg(short = 'c', long, value_enum)]
    confidence: Option<LevelArg>,
    /// Primary indicator types to keep (space or comma separated); none means all
    #[arg(short = 't', long, value_enum, num_args = 0.., value_delimiter = ',')]
    types: Option<Vec<TypeArg>>,
    /// Legacy feed version: 2 has confidence and severity columns, 1 does not
    #[arg(short = 'v', long = "version", value_name = "VERSION", value_parser = ["1", "2"], default_value = "2")]
    feed_version: String,
    /// Output format [default: csv, or `format` in the config]
    #[arg(short = 'f', long, value_enum)]
    format: Option<FormatArg>,
    /// Config file (INI, section [ti]: token, format, days, out, confidence, severity, url)
    #[arg(short = 'C', long, value_name = "FILE", default_value = "ti.cfg")]
    config: PathBuf,
    /// Convert this saved JSON export (`-` for standard input) instead of calling the API
    #[arg(long, value_name = "FILE")]
    input: Option<String>,
    /// Save the records that could not be converted, as JSON lines with position and reason
    #[arg(long, value_name = "FILE")]
    rejects: Option<String>,
    /// API URL [default: the IntelGraph API, or `url` in the config]
    #[arg(long)]
    url: Option<String>,
    /// API requests in flight at most
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: u16,
    /// Retries of a page after a server or network failure
    #[arg(long, default_value_t = 5)]
    retries: u32,
    /// Extra diagnostics on standard error (request bodies, never the token)
    #[arg(long)]
    debug: bool,
    /// Print nothing but errors
    #[arg(short = 'q', long, conflicts_with = "debug")]
    quiet: bool,
}

/// A failure with the sentence to print.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn level(flag: Option<LevelArg>, cfg: Option<&str>, name: &str) -> Result<Option<Level>, Failure> {
    match (flag, cfg) {
        (Some(LevelArg::Medium), _) => Ok(Some(Level::Medium)),
        (Some(LevelArg::High), _) => Ok(Some(Level::High)),
        (None, Some(v)) => v.parse().map(Some).map_err(|e| Failure(format!("The config's {name}: {e}."))),
        (None, None) => Ok(None),
    }
}

/// The current time, or TI_EXPORT_NOW (RFC 3339) to pin it for tests.
fn now() -> Result<EpochMs, Failure> {
    match std::env::var("TI_EXPORT_NOW") {
        Ok(v) => parse_timestamp(&v).ok_or_else(|| Failure(format!("TI_EXPORT_NOW=\"{v}\" is not an RFC 3339 timestamp."))),
        Err(_) => Ok(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)),
    }
}

struct Log {
    quiet: bool,
    debug: bool,
}

impl Log {
    fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
    fn debug(&self, msg: impl AsRef<str>) {
        if self.debug {
            eprintln!("debug: {}", msg.as_ref());
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("ti-export: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Failure> {
    let log = Log { quiet: args.quiet, debug: args.debug };
    let cfg = match Config::load(&args.config)? {
        Some(c) => {
            log.debug(format!("config {} read", args.config.display()));
            c
        }
        None => {
            if args.config.as_os_str() != "ti.cfg" {
                log.info(format!("warning: config file {} not found; going on without it", args.config.display()));
            }
            Config::default()
        }
    };
    let format = match (args.format, cfg.get("format")) {
        (Some(f), _) => f,
        (None, Some(v)) => FormatArg::from_str(v, true).map_err(|_| Failure(format!("The config's format \"{v}\" is not csv or json.")))?,
        (None, None) => FormatArg::Csv,
    };
    let cfg_days = cfg.get("days").map(|v| v.parse::<u32>().map_err(|_| Failure(format!("The config's days \"{v}\" is not a whole number of days.")))).transpose()?;
    let mut filters = Filters {
        min_severity: level(args.severity, cfg.get("severity"), "severity")?,
        min_confidence: level(args.confidence, cfg.get("confidence"), "confidence")?,
        types: args.types.iter().flatten().map(|t| match t {
            TypeArg::Url => IndicatorType::Url,
            TypeArg::Domain => IndicatorType::Domain,
            TypeArg::Ip => IndicatorType::Ip,
            TypeArg::File => IndicatorType::File,
        }).collect(),
        modified_since: None,
    };
    let opts = |filters: Filters, dedup_uuid: bool| Options {
        filters,
        format: if format == FormatArg::Json { Format::Json } else { Format::Csv },
        version: if args.feed_version == "1" { CsvVersion::V1 } else { CsvVersion::V2 },
        dedup_uuid,
    };
    let out = args.output.clone().or_else(|| cfg.get("out").map(str::to_owned)).unwrap_or_else(|| "ti.csv".into());
    let now = now()?;
    let started = Instant::now();

    let (report, what) = if let Some(path) = &args.input {
        let bytes = read_input(path)?;
        log.debug(format!("read {} bytes from {path} in {:.0?}", bytes.len(), started.elapsed()));
        if let Some(days) = args.number {
            filters.modified_since = Some(window_start(now, days));
        }
        let opts = opts(filters, false);
        log.debug(format!("options: {opts:?}"));
        let report = output::write(&out, |w| Ok(ti_core::convert(&bytes, &opts, w)?.1))?;
        let source = if path == "-" { "standard input".to_string() } else { path.clone() };
        let shape = report.shape.as_ref().map_or_else(|| "nothing".to_string(), ToString::to_string);
        (report, format!("Read {shape} from {source}"))
    } else {
        let url = args.url.clone().or_else(|| cfg.get("url").map(str::to_owned)).unwrap_or_else(|| DEFAULT_API_URL.into());
        let token = match std::env::var("IDEF_TOKEN") {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => cfg.get("token").map(str::to_owned).ok_or_else(|| {
                Failure(format!("No API token: set the IDEF_TOKEN environment variable or token= in section [ti] of {}. To convert a saved export without a token, use --input FILE.", args.config.display()))
            })?,
        };
        let days = args.number.or(cfg_days).unwrap_or(7);
        let fetch_opts = FetchOptions { days, filters: filters.clone(), concurrency: usize::from(args.concurrency), max_retries: args.retries, ..FetchOptions::default() };
        let progress = if args.quiet { fetch::ProgressStyle::None } else if std::io::stderr().is_terminal() { fetch::ProgressStyle::Bar } else { fetch::ProgressStyle::Lines };
        let pages = fetch::fetch(&url, &token, fetch_opts, now, progress, args.debug)?;
        // The filters went to the API; applying them again keeps a lax server honest.
        filters.modified_since = Some(window_start(now, days));
        let opts = opts(filters, true);
        let report = output::write(&out, |w| Ok(ti_core::convert_pages(pages.iter().map(|(p, b)| (*p, b.as_slice())), &opts, w, |_, _| {})?.1))?;
        (report, format!("Fetched {} page{} from {url}", pages.len(), if pages.len() == 1 { "" } else { "s" }))
    };

    if let Some(path) = &args.rejects {
        output::write(path, |w| report.write_rejects(w).map_err(Failure::from))?;
    }
    log.info(format!("{what}: {}", report.summary()));
    log.info(breakdown(&report));
    if !report.rejected.is_empty() {
        for r in report.rejected.iter().take(if args.debug { usize::MAX } else { 5 }) {
            log.info(format!("  rejected {r}"));
        }
        if args.rejects.is_none() {
            let more = report.rejected.len().saturating_sub(5);
            log.info(format!("  {}--rejects FILE saves every rejected record with its reason.", if more > 0 && !args.debug { format!("...and {more} more. ") } else { String::new() }));
        }
    }
    if out != "-" {
        log.info(format!("Wrote {out} in {:.2} s.", started.elapsed().as_secs_f64()));
    }
    Ok(())
}

fn breakdown(r: &Report) -> String {
    let mut s = String::from("  by type:");
    if r.by_type.is_empty() {
        s += " -";
    }
    for (t, n) in &r.by_type {
        s += &format!(" {t} {n},");
    }
    s = s.trim_end_matches(',').to_string() + "; by severity:";
    if r.converted == 0 {
        s += " -";
    }
    for (i, n) in r.by_severity.iter().enumerate().rev().filter(|(_, n)| **n > 0) {
        s += &format!(" {} {n},", if i == 0 { "none" } else { SEVERITY_LABELS[i] });
    }
    let f = &r.filtered_by;
    if r.filtered_out > 0 {
        s = s.trim_end_matches(',').to_string() + &format!("; filtered out by type {}, severity {}, confidence {}, date {}", f.r#type, f.severity, f.confidence, f.last_modified);
    }
    s.trim_end_matches(',').to_string()
}

/// The input's bytes: a regular file is mapped into memory (no copy), anything else read.
enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }
}

fn read_input(path: &str) -> Result<Bytes, Failure> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| Failure(format!("Cannot read standard input: {e}.")))?;
        return Ok(Bytes::Read(bytes));
    }
    let cannot = |e: std::io::Error| Failure(format!("Cannot read the input file {path}: {e}."));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_file() && meta.len() >= 1 << 20 {
        // SAFETY: the map is read-only and private to this process; like any reader, the
        // conversion would see a file that another process rewrites at the same time
        // inconsistently, and a file truncated meanwhile would fault. Exports are written
        // once and then read, so the copy a plain read makes is not worth its cost here.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(Bytes::Mapped(map));
        }
    }
    file.read_to_end(&mut bytes).map_err(cannot)?;
    Ok(Bytes::Read(bytes))
}
