//! The one place a request leaves the page: `POST` to the API URL, the token in the
//! `auth-token` header and nowhere else, no cookies, no referrer.
use gloo_net::http::Request;
use web_sys::{AbortSignal, ReferrerPolicy, RequestCache, RequestCredentials};

pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Sends one page request. `Err` is a network failure (including a CORS refusal, which
/// browsers do not tell apart from it).
pub async fn post(url: &str, token: &str, body: String, signal: &AbortSignal) -> Result<Answer, String> {
    let resp = Request::post(url)
        .header("auth-token", token)
        .header("content-type", "application/json")
        .credentials(RequestCredentials::Omit)
        .referrer_policy(ReferrerPolicy::NoReferrer)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(signal))
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    // Readable only when the API exposes it (Access-Control-Expose-Headers); the client
    // backs off by itself otherwise.
    let retry_after = resp.headers().get("retry-after");
    let body = resp.binary().await.map_err(|e| e.to_string())?;
    Ok(Answer { status, retry_after, body })
}

/// The site's optional `config.json` (same origin, set by whoever deploys the page): the
/// default API URL, e.g. a proxied path. Missing or unreadable means none.
pub async fn site_api_url() -> Option<String> {
    #[derive(serde::Deserialize)]
    struct SiteConfig {
        api_url: Option<String>,
    }
    let resp = Request::get("./config.json").cache(RequestCache::NoStore).send().await.ok().filter(|r| r.ok())?;
    let text = resp.text().await.ok()?;
    serde_json::from_str::<SiteConfig>(&text).ok()?.api_url.filter(|u| !u.trim().is_empty())
}

/// Reads a same-origin asset (the bundled sample).
pub async fn get_blob(url: &str) -> Result<web_sys::Blob, String> {
    let resp = Request::get(url).send().await.map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("{url} answered HTTP {}", resp.status()));
    }
    let bytes = resp.binary().await.map_err(|e| e.to_string())?;
    super::blob_of(&[&bytes], "application/json")
}
