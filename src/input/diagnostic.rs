//! Located diagnostics: a message about a problem file, pinned to a byte span,
//! rendered with `file:line:column`, the offending line and a caret.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem found in an input file, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// Dotted path of the offending key, e.g. `supply[2].reserve` (empty when unknown).
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we know.
    pub help: Option<String>,
    /// Where it is: 1-based line and column, and the source line, when known.
    pub location: Option<Location>,
}

/// A resolved position in a source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The text of that line.
    pub source_line: String,
    /// Width of the caret underline, in characters (at least 1).
    pub width: usize,
}

impl Location {
    /// Resolves a byte span in `text` to a line, a column and the line's text.
    pub fn from_span(text: &str, span: &Range<usize>) -> Location {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let source_line = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let width = text[start..end.min(line_end).max(start)]
            .chars()
            .count()
            .max(1);
        Location {
            line,
            column,
            source_line,
            width,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Diagnostic {
    /// A diagnostic at a span of `text`, the contents of `file`.
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_path_buf(),
            key: key.into(),
            message: message.into(),
            help: None,
            location: span.map(|s| Location::from_span(text, &s)),
        }
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        writeln!(f, "{}", self.message)?;
        match &self.location {
            Some(loc) => {
                writeln!(
                    f,
                    "  --> {}:{}:{}",
                    self.file.display(),
                    loc.line,
                    loc.column
                )?;
                let number = loc.line.to_string();
                let pad = " ".repeat(number.len());
                writeln!(f, "{pad} |")?;
                // Very long lines (minified JSON) are cut around the column.
                let (shown, caret_col) = window(&loc.source_line, loc.column);
                writeln!(f, "{number} | {shown}")?;
                writeln!(
                    f,
                    "{pad} | {}{}",
                    " ".repeat(caret_col.saturating_sub(1)),
                    "^".repeat(loc.width.min(60))
                )?;
            }
            None => writeln!(f, "  --> {}", self.file.display())?,
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// Cuts a long line to at most ~100 characters around `column`; returns the
/// shown text and the caret's column within it.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 100 {
        return (line.to_string(), column);
    }
    let start = column.saturating_sub(50);
    let end = (start + 100).min(chars.len());
    let mut shown: String = chars[start.min(end)..end].iter().collect();
    let mut caret = column - start;
    if start > 0 {
        shown.insert_str(0, "...");
        caret += 3;
    }
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, caret)
}

/// The closest of `candidates` to `word`, when it is close enough to be a
/// likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score =
            strsim::normalized_damerau_levenshtein(&word.to_lowercase(), &candidate.to_lowercase());
        if score >= 0.6 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column() {
        let text = "a = 1\nbb = \"x\"\n";
        let loc = Location::from_span(text, &(11..14));
        assert_eq!((loc.line, loc.column, loc.width), (2, 6, 3));
        assert_eq!(loc.source_line, "bb = \"x\"");
    }

    #[test]
    fn renders_with_caret() {
        let text = "periods = 0\n";
        let d = Diagnostic::at(
            Path::new("p.toml"),
            text,
            Some(10..11),
            "periods",
            "must be at least 1",
        )
        .with_help("set `periods = 1` or more");
        let s = d.to_string();
        assert!(s.contains("p.toml:1:11"), "{s}");
        assert!(s.contains("          ^"), "{s}");
        assert!(s.contains("help: set"), "{s}");
    }

    #[test]
    fn suggests_close_words() {
        assert_eq!(
            did_you_mean("prodution", ["production", "surge"]),
            Some("production")
        );
        assert_eq!(did_you_mean("zzz", ["production", "surge"]), None);
    }
}
