//! `intelgraph-sim`: serve the IntelGraph threat indicator API locally, or write a
//! realistic export (`intelgraph-sim generate`).
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use intelgraph_sim::{Config, Dataset, Shape};
use ti_core::time::{parse_timestamp, EpochMs};

/// A local IntelGraph threat indicator API (POST /rest/threatindicator/v0) for tests,
/// benchmarks and demos. The first line on stdout is `listening on http://HOST:PORT`.
#[derive(Parser)]
#[command(name = "intelgraph-sim", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Write a realistic, deterministic export to a file or stdout.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The auth-token requests must carry.
    #[arg(long, default_value = "demo")]
    token: String,
    /// Serve the records of this export (any shape ti-export reads) instead of generated ones.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["count", "seed", "now"])]
    data: Option<PathBuf>,
    /// Number of generated records to serve.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Seed of the generated records.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The instant generated last_modified values lead up to (RFC 3339; default: now).
    #[arg(long, value_parser = parse_now)]
    now: Option<EpochMs>,
    /// Delay before answering each API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction (0..=1) of authorised API requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction)]
    fault_rate: f64,
    /// Seed of the fault draw (same seed, same faults for the same request sequence).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// API requests per second; beyond it 429 with Retry-After.
    #[arg(long, value_parser = parse_rate)]
    rate_limit: Option<f64>,
    /// Answer every authorised request 403 (the Spring-style body).
    #[arg(long)]
    forbidden: bool,
    /// Send no CORS headers and answer no preflights.
    #[arg(long)]
    no_cors: bool,
    /// Log each API request's status and body (never the token) to stderr.
    #[arg(long)]
    log_requests: bool,
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of indicators.
    #[arg(long)]
    count: usize,
    /// Seed: the same seed and --now give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// File layout: response (one API response), pages (an array of 200-record responses),
    /// array (an array of indicators) or ndjson (one indicator per line).
    #[arg(long, default_value = "response")]
    shape: Shape,
    /// The instant last_modified values lead up to (RFC 3339; default: now).
    #[arg(long, value_parser = parse_now)]
    now: Option<EpochMs>,
    /// Output file; stdout when absent or `-`.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_now(s: &str) -> Result<EpochMs, String> {
    parse_timestamp(s).ok_or_else(|| format!("\"{s}\" is not an RFC 3339 timestamp such as 2026-12-04T15:00:00Z"))
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("\"{s}\" is not a fraction between 0 and 1")),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f > 0.0 && f.is_finite() => Ok(f),
        _ => Err(format!("\"{s}\" is not a positive number of requests per second")),
    }
}

fn now_ms() -> EpochMs {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn generate(args: GenerateArgs) -> Result<(), String> {
    let bytes = intelgraph_sim::generate_shape(args.count, args.seed, args.now.unwrap_or_else(now_ms), args.shape);
    match args.output.filter(|p| p.as_os_str() != "-") {
        Some(path) => std::fs::write(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout().lock().write_all(&bytes).map_err(|e| format!("cannot write to stdout: {e}")),
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let data = match &args.data {
        Some(path) => Dataset::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Dataset::generated(args.count, args.seed, args.now.unwrap_or_else(now_ms)),
    };
    if data.skipped() > 0 {
        eprintln!("intelgraph-sim: {} records are not valid JSON and are not served", data.skipped());
    }
    let records = data.len();
    let config = Config {
        token: args.token,
        data: Arc::new(data),
        latency_ms: args.latency_ms,
        fault_rate: args.fault_rate,
        fault_seed: args.fault_seed,
        rate_limit: args.rate_limit,
        forbidden: args.forbidden,
        no_cors: args.no_cors,
        log_requests: args.log_requests,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await.map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}").and_then(|()| out.flush()).map_err(|e| e.to_string())?;
        drop(out);
        eprintln!("intelgraph-sim: {records} records at http://{addr}{} (auth-token as given by --token)", intelgraph_sim::API_PATH);
        intelgraph_sim::serve(listener, config).await.map_err(|e| format!("server error: {e}"))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Generate(args)) => generate(args),
        None => serve(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intelgraph-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
