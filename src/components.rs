//! The page's parts. Each takes plain props and reports changes through callbacks.
pub mod charts;
pub mod controls;
pub mod preview;
pub mod status;

pub use charts::Charts;
pub use controls::Controls;
pub use preview::PreviewTable;
pub use status::{Alert, StatusPanel};
