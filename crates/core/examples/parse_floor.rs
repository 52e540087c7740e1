//! The floor for conversion speed: read a file and parse it with serde_json into
//! `IgnoredAny` (validating every byte, keeping nothing). Prints the best of N runs.
//! usage: parse_floor FILE [RUNS]
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_floor FILE [RUNS]");
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let bytes = std::fs::read(&path).expect("readable file");
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("valid JSON");
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{best:.4}");
}
