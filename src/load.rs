//! Reading problem files: bytes → text → [`RawProblem`] (TOML or JSON) →
//! validated [`Problem`], with every error located in the file.

use std::ops::Range;
use std::path::Path;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::raw::RawProblem;

/// Largest problem file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The two problem file syntaxes (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.toml`
    Toml,
    /// `.json`
    Json,
}

impl Format {
    /// The format of `path`, by extension; `None` for other extensions.
    pub fn of_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Reads and validates the problem file at `path`.
pub fn load(path: &Path) -> Result<Problem> {
    let text = read_text(path)?;
    let format = Format::of_path(path).unwrap_or_else(|| sniff(&text));
    parse_str(&text, path, format)
}

/// Reads a file as UTF-8 text, refusing files beyond [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(Error::usage(format!(
            "{} is a directory; give a problem file (.toml or .json)",
            path.display()
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::Invalid {
            diagnostics: vec![Diagnostic::at(
                path,
                "",
                None,
                "",
                format!(
                    "the file is {} bytes, more than the {MAX_FILE_BYTES} bytes a problem file may have",
                    meta.len()
                ),
            )],
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid {
        diagnostics: vec![
            Diagnostic::at(
                path,
                "",
                None,
                "",
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .with_help("save the file as UTF-8"),
        ],
    })
}

fn sniff(text: &str) -> Format {
    if text.trim_start().starts_with('{') {
        Format::Json
    } else {
        Format::Toml
    }
}

/// Parses and validates problem text; `path` names it in messages and gives
/// the default problem name.
pub fn parse_str(text: &str, path: &Path, format: Format) -> Result<Problem> {
    let raw = parse_raw(text, path, format)?;
    crate::validate::validate(&raw, path, text)
        .map_err(|diagnostics| Error::Invalid { diagnostics })
}

/// Parses problem text into its raw form (types and keys checked only).
pub fn parse_raw(text: &str, path: &Path, format: Format) -> Result<RawProblem> {
    let (message, span) = match format {
        Format::Toml => match toml::from_str::<RawProblem>(text) {
            Ok(raw) => return Ok(raw),
            Err(e) => (e.message().to_string(), e.span()),
        },
        Format::Json => match crate::json::from_str::<RawProblem>(text) {
            Ok(raw) => return Ok(raw),
            Err(e) => (e.message.clone(), e.span.clone()),
        },
    };
    Err(Error::Invalid {
        diagnostics: vec![syntax_diagnostic(text, path, &message, span)],
    })
}

/// Turns a parser's or serde's message into a located diagnostic: names the
/// key found at the span and suggests the closest valid key for unknown ones.
fn syntax_diagnostic(
    text: &str,
    path: &Path,
    message: &str,
    span: Option<Range<usize>>,
) -> Diagnostic {
    let message = message.trim().to_string();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let help = match did_you_mean(field, valid.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "valid keys here: {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Diagnostic::at(path, text, span, field, format!("unknown key `{field}`"))
            .with_help(help);
    }
    let key = span
        .as_ref()
        .and_then(|s| key_before(text, s.start))
        .unwrap_or_default();
    let help = if message.contains("invalid type") || message.contains("expected") {
        "see docs/format.md for the type of each key"
    } else {
        "fix the syntax at the marked place"
    };
    Diagnostic::at(path, text, span, key, message).with_help(help)
}

/// The key whose value starts at byte `pos`, read from the text before it on
/// the same line (`key = ` in TOML, `"key": ` in JSON).
fn key_before(text: &str, pos: usize) -> Option<String> {
    let before = text.get(..pos)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let line = line.trim_end();
    let head = line
        .strip_suffix('=')
        .or_else(|| line.strip_suffix(':'))?
        .trim_end();
    let key: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '"' | '.'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let key = key.trim_matches('"').to_string();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_key_before_a_value() {
        assert_eq!(key_before("a = 1\nstock = \"x\"", 14), Some("stock".into()));
        assert_eq!(key_before("{\"stock\": \"x\"}", 10), Some("stock".into()));
        assert_eq!(key_before("[1, 2]", 1), None);
    }
}
