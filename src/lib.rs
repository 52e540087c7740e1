//! ti-export in the browser: fetch IntelGraph indicators or read an export, convert them to
//! the legacy feeds with `ti-core`, preview and download. Nothing leaves the browser but the
//! API call itself.
#![deny(clippy::unwrap_used)]

pub mod app;
pub mod browser;
pub mod components;
pub mod error;
pub mod fetch;
pub mod job;
pub mod preview;
pub mod settings;
pub mod state;
pub mod worker;
