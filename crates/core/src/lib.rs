//! ti-core: IntelGraph threat indicators to the legacy ti-export feeds.
//!
//! Pure Rust with no platform access: the CLI and the browser app provide files, network
//! and clocks, and share everything else from here.
pub mod client;
pub mod convert;
pub mod error;
mod fast;
pub mod filter;
pub mod input;
pub mod legacy;
pub mod record;
pub mod time;

pub use convert::{convert, convert_input, convert_pages, ConvertError, Converter, Options, Rejection, Report};
pub use error::{InputError, Position};
pub use filter::{Filters, IndicatorType, Level, TypeSet};
pub use input::{Input, RecordKind, Shape};
pub use legacy::{CsvVersion, Format};
