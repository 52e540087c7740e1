//! Every failure the page can show, as a cloneable value rendered as a sentence.
use std::fmt;

use ti_core::client::FetchError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppError {
    NoToken,
    BadApiUrl(String),
    /// The fetch stopped; `api_url` is the URL the user set, for the CORS advice.
    Fetch { error: FetchError, api_url: String },
    /// The input could not be converted (the core's sentence).
    Convert(String),
    /// A file could not be read, or the sample could not be loaded.
    Load(String),
    Worker(String),
    Download(String),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoToken => f.write_str("Enter your API token first: the API answers nothing without it."),
            Self::BadApiUrl(u) => write!(f, "\"{u}\" is not a usable API URL: give a full http:// or https:// address, or a path on this site such as /rest/threatindicator/v0 behind a proxy."),
            Self::Fetch { error: FetchError::Network { page, message, tries }, api_url } => write!(
                f,
                "Could not reach the API at {api_url} for page {page} ({tries} tries; the browser said: {message}). Either the network is down, or the API does not allow calls from a web page (CORS), which the browser blocks without saying more. \
                 To fetch from the browser anyway, serve this page and a reverse proxy to the API from the same origin (nginx, or `trunk serve` with its proxy; see docs/browser-app.md) and set API URL to the proxied path, such as /rest/threatindicator/v0. Converting a JSON export works without any API access."
            ),
            Self::Fetch { error: FetchError::RateLimited { page, tries }, .. } => write!(f, "The API is rate limiting this token: it answered 429 Too Many Requests for page {page} {tries} times, even after waiting as asked. Wait a few minutes, then choose Resume to continue where the fetch stopped."),
            Self::Fetch { error: e @ FetchError::Server { .. }, .. } => write!(f, "{e} The server is failing; the pages fetched so far are kept: choose Resume to try again."),
            Self::Fetch { error, .. } => write!(f, "{error}"),
            Self::Convert(s) => write!(f, "The data cannot be converted. {s}"),
            Self::Load(s) => write!(f, "Could not read the file: {s}"),
            Self::Worker(s) => write!(f, "The conversion worker failed: {s}. Reload the page and try again."),
            Self::Download(s) => write!(f, "Could not save the file: {s}"),
        }
    }
}

impl AppError {
    /// Whether a fetch that failed this way can be resumed (the pages so far are kept).
    pub fn resumable(&self) -> bool {
        matches!(self, Self::Fetch { error: FetchError::RateLimited { .. } | FetchError::Server { .. } | FetchError::Network { .. } | FetchError::BadResponse { .. }, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_failures_explain_cors_and_the_proxy() {
        let e = AppError::Fetch { error: FetchError::Network { page: 1, message: "TypeError: Failed to fetch".into(), tries: 6 }, api_url: "https://api.example/x".into() };
        let s = e.to_string();
        assert!(s.contains("CORS") && s.contains("proxy") && s.contains("https://api.example/x"), "{s}");
        assert!(e.resumable());
        let e = AppError::Fetch { error: FetchError::Unauthorized { message: None }, api_url: String::new() };
        assert!(e.to_string().contains("401") && !e.resumable());
    }
}
