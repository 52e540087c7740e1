//! The token lives in `sessionStorage` only (gone with the browser session); the other
//! settings in `localStorage`.
use gloo_storage::{LocalStorage, SessionStorage, Storage};

use crate::settings::Settings;

pub const TOKEN_KEY: &str = "ti-export.token";
pub const SETTINGS_KEY: &str = "ti-export.settings";

pub fn load_token() -> String {
    SessionStorage::get(TOKEN_KEY).unwrap_or_default()
}

/// Keeps the token for this tab's session; an empty token is removed.
pub fn save_token(token: &str) {
    if token.is_empty() {
        SessionStorage::delete(TOKEN_KEY);
    } else {
        // A full or disabled storage only loses the reload convenience.
        let _ = SessionStorage::set(TOKEN_KEY, token);
    }
}

pub fn forget_token() {
    SessionStorage::delete(TOKEN_KEY);
}

/// The stored settings, if the user has any.
pub fn stored_settings() -> Option<Settings> {
    LocalStorage::get(SETTINGS_KEY).ok()
}

pub fn save_settings(s: &Settings) {
    let _ = LocalStorage::set(SETTINGS_KEY, s);
}
