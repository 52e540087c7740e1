//! Conversion throughput against the parse floor, on a realistic export.
//! Set TI_BENCH_INPUT to an export (bench/run.sh generates a 60,000-indicator one); without
//! it, a smaller export is built from the test fixture.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ti_core::{convert, Format, Input, Options};

fn input() -> Vec<u8> {
    if let Ok(path) = std::env::var("TI_BENCH_INPUT") {
        return std::fs::read(path).expect("TI_BENCH_INPUT is readable");
    }
    let doc: serde_json::Value = serde_json::from_str(include_str!("../tests/fixtures/nasty.json")).unwrap();
    let recs = doc["results"].as_array().unwrap();
    let results: Vec<_> = (0..20_000).map(|i| {
        let mut r = recs[i % recs.len()].clone();
        r["key"] = format!("{}-{i}", r["key"].as_str().unwrap()).into();
        r
    }).collect();
    serde_json::to_vec_pretty(&serde_json::json!({"results": results, "total_size": results.len(), "more": false})).unwrap()
}

fn bench(c: &mut Criterion) {
    let bytes = input();
    let mut g = c.benchmark_group("export");
    g.throughput(Throughput::Bytes(bytes.len() as u64)).sample_size(10);
    g.bench_function("parse floor (IgnoredAny)", |b| b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).unwrap()));
    g.bench_function("read shape and split records", |b| b.iter(|| Input::read(&bytes).unwrap().records.len()));
    g.bench_function("convert to CSV v2", |b| b.iter(|| convert(&bytes, &Options::default(), Vec::with_capacity(bytes.len() / 3)).unwrap().1.converted));
    let json = Options { format: Format::Json, ..Options::default() };
    g.bench_function("convert to JSON", |b| b.iter(|| convert(&bytes, &json, Vec::with_capacity(bytes.len())).unwrap().1.converted));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
