//! Stage 5, results: the plan and its figures ([`solution`]), checked by an
//! independent verifier ([`verify`]), written as a table, JSON or CSV
//! ([`report`]), or as an HTML page rendered from the JSON ([`html`]).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub mod html;
pub mod report;
pub mod solution;
pub mod verify;

/// Writes `text` to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
