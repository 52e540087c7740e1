//! The conversion worker's code, run inside a dedicated worker (FileReaderSync exists only
//! there): Blob in, Blob out, progress on the way.
#![cfg(target_arch = "wasm32")]
use ti_export_web::browser::blob_of;
use ti_export_web::settings::ConvertSettings;
use ti_export_web::worker::{ConvertWorker, Job, Source};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const EXPORT: &str = r#"{"results":[{"key":"evil.example","type":"domain","uuid":"a","severity":4,"confidence":80},{"key":"1.2.3.4","type":"ip","uuid":"b"},{"nokey":1}],"total_size":3,"more":false}"#;

async fn text(blob: &web_sys::Blob) -> String {
    JsFuture::from(blob.text()).await.unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn converts_a_blob_into_the_cli_bytes() {
    let mut w = ConvertWorker::default();
    let source = Source { id: 1, name: "x.json".into(), blob: blob_of(&[EXPORT.as_bytes()], "application/json").unwrap(), pages: None, since: None };
    let mut seen = Vec::new();
    let f = w.convert(Job { id: 1, source: source.clone(), settings: ConvertSettings { csv_version: 2, ..Default::default() } }, |d, t| seen.push((d, t))).unwrap();
    let want = String::from_utf8(ti_core::convert(EXPORT.as_bytes(), &ti_core::Options::default(), Vec::new()).unwrap().0).unwrap();
    assert_eq!(text(&f.output).await, want);
    assert_eq!(seen.last(), Some(&(3, 3)));
    assert_eq!((f.summary.converted, f.summary.rejected), (2, 1));
    assert!(text(&f.rejects().unwrap()).await.contains("\"record\":3"));

    // The same source again is converted from the worker's copy, with new options.
    let f = w.convert(Job { id: 2, source, settings: ConvertSettings { csv_version: 1, types: [false, false, true, false], ..Default::default() } }, |_, _| {}).unwrap();
    assert_eq!(text(&f.output).await, "type,format,value,role,sample-md5,last-observed,comment,ref-id\r\n,STRING,1.2.3.4,,,,,\r\n");
}

#[wasm_bindgen_test]
async fn converts_fetched_pages_laid_end_to_end() {
    let p1 = r#"{"results":[{"key":"a.example","type":"domain","uuid":"u1"}],"total_size":2,"more":true}"#;
    let p2 = r#"{"results":[{"key":"a.example","type":"domain","uuid":"u1"},{"key":"b.example","type":"domain","uuid":"u2"}],"total_size":2,"more":false}"#;
    let blob = blob_of(&[p1.as_bytes(), p2.as_bytes()], "application/json").unwrap();
    let source = Source { id: 9, name: "fetched".into(), blob, pages: Some(vec![(1, p1.len() as u32), (2, p2.len() as u32)]), since: None };
    let f = ConvertWorker::default().convert(Job { id: 1, source, settings: ConvertSettings { csv_version: 2, ..Default::default() } }, |_, _| {}).unwrap();
    assert_eq!((f.summary.converted, f.summary.duplicates), (2, 1));
    assert_eq!(f.summary.shape, "2 API pages");
}
