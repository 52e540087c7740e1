//! Browser-only pieces, in headless Chromium: storage, download, worker messages.
#![cfg(target_arch = "wasm32")]
use gloo_worker::Codec;
use ti_export_web::browser::{blob_of, download, storage};
use ti_export_web::job::Summary;
use ti_export_web::settings::{ConvertSettings, OutFormat, Settings};
use ti_export_web::worker::{Finished, Job, JsCodec, Reply, Source};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn dump(s: &web_sys::Storage) -> String {
    (0..s.length().unwrap_or(0)).filter_map(|i| s.key(i).ok().flatten()).map(|k| format!("{k}={:?}", s.get_item(&k).ok().flatten())).collect::<Vec<_>>().join(";")
}

#[wasm_bindgen_test]
fn the_token_lives_in_session_storage_only() {
    let (local, session) = (window().local_storage().unwrap().unwrap(), window().session_storage().unwrap().unwrap());
    storage::save_token("tok-123-secret");
    storage::save_settings(&Settings::default());
    assert_eq!(storage::load_token(), "tok-123-secret");
    assert!(dump(&session).contains("tok-123-secret"));
    assert!(!dump(&local).contains("tok-123-secret"), "{}", dump(&local));
    assert!(!window().document().unwrap().dyn_into::<web_sys::HtmlDocument>().unwrap().cookie().unwrap().contains("tok"));
    storage::forget_token();
    assert_eq!(storage::load_token(), "");
    assert!(!dump(&session).contains("tok-123-secret"));
    storage::save_token("x");
    storage::save_token("");
    assert_eq!(session.get_item(storage::TOKEN_KEY).unwrap(), None);
}

#[wasm_bindgen_test]
fn settings_persist_in_local_storage() {
    let mut s = Settings::default();
    s.set_format(OutFormat::Json);
    s.days = 30;
    storage::save_settings(&s);
    assert_eq!(storage::stored_settings(), Some(s));
}

async fn fetch_text(url: &str) -> Result<String, JsValue> {
    let resp: web_sys::Response = JsFuture::from(window().fetch_with_str(url)).await?.dyn_into()?;
    Ok(JsFuture::from(resp.text()?).await?.as_string().unwrap_or_default())
}

#[wasm_bindgen_test]
async fn a_download_saves_the_bytes_and_revokes_its_url() {
    let blob = blob_of(&[b"type,format\r\n", b"a,STRING\r\n"], "text/csv").unwrap();
    let url = download::save(&blob, "ti.csv").unwrap();
    assert!(url.starts_with("blob:"));
    assert_eq!(window().document().unwrap().query_selector_all("a[download]").unwrap().length(), 0, "the anchor is removed");
    assert_eq!(fetch_text(&url).await.unwrap(), "type,format\r\na,STRING\r\n");
    gloo_timers::future::TimeoutFuture::new(download::REVOKE_AFTER_MS + 300).await;
    assert!(fetch_text(&url).await.is_err(), "the object URL is revoked");
}

/// What postMessage does to a message: the structured clone algorithm.
fn structured_clone(v: &JsValue) -> JsValue {
    let f: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"structuredClone".into()).unwrap().dyn_into().unwrap();
    f.call1(&JsValue::NULL, v).unwrap()
}

#[wasm_bindgen_test]
async fn worker_messages_carry_blobs_as_handles() {
    let big = vec![b'x'; 4 << 20];
    let blob = blob_of(&[&big], "application/json").unwrap();
    let job = Job { id: 7, source: Source { id: 3, name: "e.json".into(), blob: blob.clone(), pages: Some(vec![(1, 10), (2, 20)]), since: Some(1_700_000_000_000) }, settings: ConvertSettings { csv_version: 1, ..Default::default() } };
    let encoded = JsCodec::encode(&job);
    // The 4 MB are not in the message: the Blob is passed as itself, not as bytes.
    let source = js_sys::Reflect::get(&encoded, &"source".into()).unwrap();
    assert!(js_sys::Reflect::get(&source, &"blob".into()).unwrap().is_instance_of::<web_sys::Blob>());
    let back: Job = JsCodec::decode(structured_clone(&encoded));
    assert_eq!((back.id, back.source.id, back.source.pages.clone(), back.source.since, back.settings.csv_version), (7, 3, Some(vec![(1, 10), (2, 20)]), Some(1_700_000_000_000), 1));
    assert_eq!(back.source.blob.size(), big.len() as f64);

    let out = blob_of(&[b"ok"], "text/csv").unwrap();
    let done = Reply::Done(Box::new(Finished { job: 7, output: out, rejects: JsValue::NULL, summary: Summary { converted: 1, ..Default::default() }, preview: vec![vec!["<b>".into()]] }));
    let back: Reply = JsCodec::decode(structured_clone(&JsCodec::encode(&done)));
    let Reply::Done(f) = back else { panic!("not Done") };
    assert_eq!((f.job, f.output.size(), f.rejects().is_none(), f.summary.converted, f.preview[0][0].as_str()), (7, 2.0, true, 1, "<b>"));
}
