//! Saving a Blob under a file name through a temporary object URL.
use wasm_bindgen::JsCast;
use web_sys::HtmlAnchorElement;

use super::js_message;

/// How long the object URL lives after the click, so the browser can start reading it.
pub const REVOKE_AFTER_MS: u32 = 2_000;

/// Starts the download of `blob` as `name`. Returns the object URL, which is revoked
/// `REVOKE_AFTER_MS` later.
pub fn save(blob: &web_sys::Blob, name: &str) -> Result<String, String> {
    let url = gloo_file::ObjectUrl::from(gloo_file::Blob::from(blob.clone()));
    let document = web_sys::window().and_then(|w| w.document()).ok_or("the page has no document")?;
    let a: HtmlAnchorElement = document.create_element("a").map_err(|e| js_message(&e))?.dyn_into().map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = document.body().ok_or("the page has no body")?;
    body.append_child(&a).map_err(|e| js_message(&e))?;
    a.click();
    a.remove();
    let href = url.to_string();
    gloo_timers::callback::Timeout::new(REVOKE_AFTER_MS, move || drop(url)).forget();
    Ok(href)
}
