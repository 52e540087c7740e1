//! Any bytes: reading and converting never panics, accounts for every record, and writes
//! CSV that parses back with a constant number of fields.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ti_core::{convert, CsvVersion, Filters, Format, Input, Level, Options};

fuzz_target!(|data: &[u8]| {
    let flags = data.first().copied().unwrap_or(0);
    let opts = Options {
        filters: Filters { min_severity: (flags & 1 != 0).then_some(Level::Medium), min_confidence: (flags & 2 != 0).then_some(Level::High), modified_since: (flags & 4 != 0).then_some(0), ..Filters::default() },
        format: if flags & 8 != 0 { Format::Json } else { Format::Csv },
        version: if flags & 16 != 0 { CsvVersion::V1 } else { CsvVersion::V2 },
        dedup_uuid: flags & 32 != 0,
    };
    let records = Input::read(data).map(|i| i.records.len() as u64);
    // The general path, record by record, is the reference for the one-pass fast path.
    let reference = Input::read(data).ok().filter(|i| ti_core::convert::check(&opts, i).is_ok()).map(|input| {
        let mut c = ti_core::Converter::new(opts.clone(), Vec::new()).unwrap();
        c.push_input(&input, None).unwrap();
        c.finish().unwrap()
    });
    let result = convert(data, &opts, Vec::new());
    assert_eq!(result.is_ok(), reference.is_some());
    if let (Ok((out, report)), Some((ref_out, ref_report))) = (&result, &reference) {
        assert_eq!(out, ref_out);
        assert_eq!(report, ref_report);
    }
    match result {
        Ok((out, r)) => {
            if let Ok(n) = records {
                assert_eq!(r.records, n);
            }
            assert_eq!(r.records, r.converted + r.filtered_out + r.duplicates + r.rejected.len() as u64);
            for rej in &r.rejected {
                assert!(rej.position.line >= 1 && rej.position.column >= 1 && !rej.reason.is_empty());
            }
            if opts.format == Format::Csv {
                let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_slice());
                let n = rdr.records().map(|rec| rec.expect("our CSV parses back").len()).inspect(|&len| assert_eq!(len, if opts.version == CsvVersion::V1 { 8 } else { 10 })).count();
                assert_eq!(n as u64, r.converted);
            } else {
                let v: Vec<serde_json_probe::Row> = serde_json_probe::parse(&out);
                assert_eq!(v.len() as u64, r.converted);
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});

mod serde_json_probe {
    pub struct Row;
    /// Counts the rows of our JSON output by reading it back as legacy rows.
    pub fn parse(out: &[u8]) -> Vec<Row> {
        let input = ti_core::Input::read(out).expect("our JSON reads back");
        assert!(input.records.iter().all(|r| r.problem.is_none()));
        input.records.iter().map(|_| Row).collect()
    }
}
