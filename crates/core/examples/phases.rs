//! Times the phases of a conversion: read file, split records, convert, for profiling.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let t = Instant::now();
    let bytes = std::fs::read(&path).unwrap();
    let t_read = t.elapsed();
    let t = Instant::now();
    let input = ti_core::Input::read(&bytes).unwrap();
    let t_split = t.elapsed();
    let t = Instant::now();
    let (out, _) = ti_core::convert_input(&input, &ti_core::Options::default(), Vec::with_capacity(bytes.len() / 3)).unwrap();
    let t_conv = t.elapsed();
    let t = Instant::now();
    let (out2, _) = ti_core::convert(&bytes, &ti_core::Options::default(), Vec::new()).unwrap();
    assert_eq!(out, out2);
    println!("convert (fast path) {:?}", t.elapsed());
    println!("read {t_read:?} split {t_split:?} convert {t_conv:?} out {} bytes", out.len());
}
