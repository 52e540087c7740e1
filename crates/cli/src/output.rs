//! Output files appear whole or not at all: written to a temporary file beside the target,
//! then renamed over it. `-` means standard output.
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::Failure;

pub fn write<R>(path: &str, f: impl FnOnce(&mut dyn Write) -> Result<R, Failure>) -> Result<R, Failure> {
    if path == "-" {
        let stdout = std::io::stdout();
        let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
        let r = f(&mut w)?;
        w.flush().map_err(|e| Failure(format!("Cannot write to standard output: {e}.")))?;
        return Ok(r);
    }
    let target = Path::new(path);
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().ok_or_else(|| Failure(format!("The output path \"{path}\" names no file.")))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| Failure(format!("Cannot create the output file {path}: {e}.")))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let r = f(&mut w)?;
        let file = w.into_inner().map_err(|e| Failure(format!("Cannot write {path}: {}.", e.error())))?;
        file.sync_all().map_err(|e| Failure(format!("Cannot write {path}: {e}.")))?;
        std::fs::rename(&tmp, target).map_err(|e| Failure(format!("Cannot replace {path}: {e}.")))?;
        Ok(r)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
