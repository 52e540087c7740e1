//! What the browser provides, behind small functions: storage, downloads, the network, files.
pub mod download;
pub mod storage;
pub mod transport;

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A seed for the client's retry jitter.
pub fn seed() -> u64 {
    (js_sys::Math::random() * (u64::MAX as f64)) as u64 ^ now_ms() as u64
}

/// A `Blob` of `bytes` (copied out of wasm memory) with a MIME type.
pub fn blob_of(parts: &[&[u8]], mime: &str) -> Result<web_sys::Blob, String> {
    let array = js_sys::Array::new();
    for p in parts {
        array.push(&js_sys::Uint8Array::from(*p));
    }
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &opts).map_err(|e| js_message(&e))
}

/// The message of a JS exception, for sentences (never the whole value).
pub fn js_message(e: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| "unknown error".into())
}
