//! Reading problem files: bytes → text → document tree (TOML or JSON) →
//! [`RawProblem`] → validated [`Problem`], with every error located in the
//! file.
//!
//! The file is parsed into a spanned tree first ([`crate::json::Node`]), then
//! each top-level key and each table of an array of tables (`[[supply]]`,
//! `[[lanes]]`, …) is deserialized on its own. A broken table is reported and
//! skipped, so one run lists the broken tables of the whole file, not only the
//! first. The meaning of the file is checked ([`crate::validate`]) only when
//! every table could be read: a table that failed to read would otherwise
//! cause follow-on errors (ids that seem unknown, arrays of a wrong length).

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_spanned::Spanned;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::error::{Error, Result};
use crate::json::{JsonError, JsonErrorKind, Kind, Node, from_node, path_at};
use crate::problem::Problem;
use crate::raw::{RawProblem, TOP_LEVEL_KEYS};
use crate::validate::MAX_DIAGNOSTICS;

/// Largest problem file accepted, in bytes. Parsing takes memory in
/// proportion to the file: up to ~80 bytes per byte for a file of nothing
/// but one-digit numbers, so about 650 MB at this limit, inside a gigabyte.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// At most this many syntax errors are reported for one file: after the
/// first few, a parser's errors are mostly echoes of the first.
const MAX_SYNTAX_ERRORS: usize = 10;

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

    /// The format of the file `path` holding `text`: by extension, else
    /// JSON when the text starts with `{`, else TOML.
    pub fn of(path: &Path, text: &str) -> Format {
        Format::of_path(path).unwrap_or_else(|| {
            if text.trim_start().starts_with('{') {
                Format::Json
            } else {
                Format::Toml
            }
        })
    }
}

/// Reads and validates the problem file at `path`, refusing problems whose
/// LP would exceed [`crate::size::DEFAULT_MAX_SIZE`].
pub fn load(path: &Path) -> Result<Problem> {
    load_with(path, crate::size::DEFAULT_MAX_SIZE)
}

/// Reads and validates the problem file at `path`, refusing problems whose
/// estimated size exceeds `max_size` ([`crate::size`]).
pub fn load_with(path: &Path, max_size: u64) -> Result<Problem> {
    let text = read_text(path)?;
    let format = Format::of(path, &text);
    parse_str_with(&text, path, format, max_size)
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
    let too_big = |len: u64| {
        Error::Invalid {
        diagnostics: vec![
            Diagnostic::at(
                path,
                "",
                None,
                "",
                format!(
                    "the file is {len} bytes, more than the {MAX_FILE_BYTES} bytes a problem file may have"
                ),
            )
            .with_help("split the problem, or give per-period quantities as single numbers where they do not change"),
        ],
    }
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(io)?;
        // The size may change between the check and the read (a pipe, a
        // growing file): read at most one byte more than allowed.
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        Error::Invalid {
            diagnostics: vec![
                Diagnostic::at(
                    path,
                    &text,
                    Some(at..at + 1),
                    "",
                    format!("the file is not UTF-8 text (invalid byte at offset {at})"),
                )
                .with_help("save the file as UTF-8"),
            ],
        }
    })
}

/// Parses and validates problem text; `path` names it in messages and gives
/// the default problem name.
pub fn parse_str(text: &str, path: &Path, format: Format) -> Result<Problem> {
    parse_str_with(text, path, format, crate::size::DEFAULT_MAX_SIZE)
}

/// [`parse_str`] with a size limit ([`crate::size`]).
pub fn parse_str_with(text: &str, path: &Path, format: Format, max_size: u64) -> Result<Problem> {
    let raw = parse_raw(text, path, format)?;
    crate::validate::validate_with(&raw, path, text, max_size)
}

/// Parses problem text into its raw form (types and keys checked only),
/// reporting every table that cannot be read.
pub fn parse_raw(text: &str, path: &Path, format: Format) -> Result<RawProblem> {
    let root = match format {
        Format::Toml => {
            let (table, errors) = toml::de::DeTable::parse_recoverable(text);
            if !errors.is_empty() {
                // A parser that recovers repeats itself: keep distinct errors.
                let mut seen = std::collections::HashSet::new();
                let diagnostics = errors
                    .iter()
                    .filter(|e| seen.insert((e.message().to_string(), e.span())))
                    .take(MAX_SYNTAX_ERRORS)
                    .map(|e| syntax_diagnostic(text, path, toml_syntax(text, e)))
                    .collect();
                return Err(Error::Invalid { diagnostics });
            }
            crate::json::from_toml(table)
        }
        Format::Json => crate::json::parse_tree(text),
    };
    let root = root.map_err(|e| Error::Invalid {
        diagnostics: vec![syntax_diagnostic(text, path, json_syntax(text, e))],
    })?;
    let mut reader = Reader {
        root: &root,
        text,
        path,
        diagnostics: Vec::new(),
    };
    let raw = reader.problem();
    if reader.diagnostics.is_empty() {
        Ok(raw)
    } else {
        Err(Error::Invalid {
            diagnostics: reader.diagnostics,
        })
    }
}

/// Deserializes the pieces of a document tree, collecting errors.
struct Reader<'a> {
    root: &'a Node,
    text: &'a str,
    path: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn problem(&mut self) -> RawProblem {
        let mut raw = RawProblem::default();
        let Kind::Object(entries) = &self.root.kind else {
            let d = Diagnostic::at(
                self.path,
                self.text,
                Some(self.root.span.clone()),
                "",
                "a problem file must be a table of keys (in JSON, an object `{ ... }`)",
            )
            .with_help("start from an example in problems/; the file needs `items` and `allies`");
            self.diagnostics.push(d);
            return raw;
        };
        for entry in entries {
            let v = &entry.value;
            match entry.key.as_str() {
                "name" => raw.name = self.value(v),
                "description" => raw.description = self.value(v),
                "periods" => raw.periods = self.value(v),
                "tiers" => raw.tiers = self.value(v),
                "fairness" => raw.fairness = self.value(v),
                "guarantee" => raw.guarantee = self.value(v),
                "items" => raw.items = self.spanned_tables(v),
                "allies" => raw.allies = self.spanned_tables(v),
                "supply" => raw.supply = self.tables(v),
                "demand" => raw.demand = self.tables(v),
                "lanes" => raw.lanes = self.tables(v),
                "scenarios" => raw.scenarios = self.tables(v),
                "stockpile" => raw.stockpile = self.tables(v),
                "expect" => raw.expect = self.value(v),
                other => {
                    let help = match did_you_mean(other, TOP_LEVEL_KEYS.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("valid keys at the top level: {}", quoted(TOP_LEVEL_KEYS)),
                    };
                    self.push(
                        Diagnostic::at(
                            self.path,
                            self.text,
                            Some(entry.key_span.clone()),
                            other,
                            format!("unknown key `{other}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        raw
    }

    fn push(&mut self, d: Diagnostic) {
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(d);
        }
    }

    /// One value; `None` (with a diagnostic) when it cannot be read, and for
    /// JSON `null`.
    fn value<T: DeserializeOwned>(&mut self, node: &Node) -> Option<T> {
        match from_node::<Option<T>>(node) {
            Ok(v) => v,
            Err(e) => {
                let d = self.diagnostic(&e);
                self.push(d);
                None
            }
        }
    }

    /// An array of tables, each read on its own; broken ones are reported
    /// and left out.
    fn tables<T: DeserializeOwned>(&mut self, node: &Node) -> Vec<Spanned<T>> {
        match &node.kind {
            Kind::Array(items) => items
                .iter()
                .filter_map(|item| self.value::<Spanned<T>>(item))
                .collect(),
            // Not an array: let serde say what was expected.
            _ => self.value::<Vec<Spanned<T>>>(node).unwrap_or_default(),
        }
    }

    fn spanned_tables<T: DeserializeOwned>(
        &mut self,
        node: &Node,
    ) -> Option<Spanned<Vec<Spanned<T>>>> {
        if matches!(node.kind, Kind::Null) {
            return None;
        }
        let tables = self.tables(node);
        Some(Spanned::new(node.span.clone(), tables))
    }

    /// A located diagnostic for a serde error, naming the key path at fault.
    fn diagnostic(&self, e: &JsonError) -> Diagnostic {
        let span = e.span.clone();
        let at = span.clone().unwrap_or(0..0);
        let path = path_at(self.root, &at);
        match &e.kind {
            JsonErrorKind::UnknownField { field, expected } => {
                let help = match did_you_mean(field, expected.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if expected.is_empty() => "remove this key".to_string(),
                    None => format!("valid keys here: {}", quoted(expected)),
                };
                Diagnostic::at(
                    self.path,
                    self.text,
                    span,
                    path,
                    format!("unknown key `{field}`"),
                )
                .with_help(help)
            }
            JsonErrorKind::MissingField { field } => {
                // The key path names the table; at the top level, say so.
                let table = if path.is_empty() {
                    " at the top level"
                } else {
                    ""
                };
                let help = match hint(field) {
                    Some(h) => format!("add `{field}` to this table: {h}"),
                    None => format!("add `{field}` to this table"),
                };
                Diagnostic::at(
                    self.path,
                    self.text,
                    span,
                    path.clone(),
                    format!("missing required key `{field}`{table}"),
                )
                .with_help(help)
            }
            kind => {
                let message = friendly(kind);
                let last = last_segment(&path);
                let help = match hint_at(&path, last) {
                    Some(h) => format!("`{last}` takes {h}"),
                    None => "see docs/format.md for the type of each key".to_string(),
                };
                Diagnostic::at(self.path, self.text, span, path, message).with_help(help)
            }
        }
    }
}

/// `a`, `b` and `c` in backquotes, comma-separated.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last key of a dotted path, without array indices.
fn last_segment(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// What a key takes, by its path (some names mean different things in
/// different tables).
fn hint_at(path: &str, last: &str) -> Option<&'static str> {
    if path.starts_with("scenarios") && path.contains("changes") {
        match last {
            "periods" => return Some("[first, last], two whole periods, e.g. `periods = [2, 6]`"),
            "ally" | "item" | "tier" | "items" => {
                return Some("an id, an array of ids, or \"*\" for all");
            }
            _ => {}
        }
    }
    if path.starts_with("lanes") && last == "items" {
        return Some("an array of item ids, e.g. `items = [\"chips\"]`");
    }
    if path.starts_with("stockpile") && last == "allies" {
        return Some("an ally id, an array of ids, or \"*\" for every ally");
    }
    if path.starts_with("expect") && last == "plan" {
        return Some("a table, e.g. `[expect.plan]` with `cost = 100.0`");
    }
    if path.starts_with("expect") && last == "scenarios" {
        return Some("a table per scenario name, e.g. `[expect.scenarios.strait-closed]`");
    }
    hint(last)
}

/// What a key takes, by its name.
fn hint(key: &str) -> Option<&'static str> {
    Some(match key {
        "periods" => "a whole number ≥ 1, e.g. `periods = 12`",
        "tiers" => {
            "an array of tier names, highest priority first, e.g. `tiers = [\"critical\", \"routine\"]`"
        }
        "fairness" => "\"leximin\" or \"none\"",
        "guarantee" => "\"none\" or \"alone\"",
        "name" | "description" | "unit" => "a string in quotes",
        "id" => "a string in quotes, e.g. `id = \"US\"`",
        "ally" => "an ally id in quotes, e.g. `ally = \"US\"`",
        "item" => "an item id in quotes, e.g. `item = \"chips\"`",
        "tier" => "a tier name in quotes, e.g. `tier = \"critical\"`",
        "target" => {
            "one of \"production\", \"surge\", \"export_limit\", \"stock\", \"demand\", \"lanes\""
        }
        "stock" | "reserve" | "cost" | "production_cost" | "surge_cost" | "tolerance" => {
            "a number ≥ 0, e.g. `stock = 120`"
        }
        "budget" => "a number ≥ 0 of units, e.g. `budget = 400`",
        "probability" => "a number from 0 to 1, e.g. `probability = 0.2`",
        "value" => "a number > 0, e.g. `value = 2.5`",
        "factor" => "a number ≥ 0, e.g. `factor = 0.4`",
        "production" | "surge" | "export_limit" | "quantity" | "capacity" => {
            "a number ≥ 0 (every period), or an array of one number per period"
        }
        "lead_time" => "a whole number of periods ≥ 0, e.g. `lead_time = 2`",
        "from" | "to" => "an ally id, an array of ids, or \"*\" for every ally",
        "bidirectional" => "true or false",
        "reusable" => "true or false, e.g. `reusable = true`",
        "items" => "[[items]] tables, each with an `id`",
        "allies" => "[[allies]] tables, each with an `id`",
        "supply" => "[[supply]] tables, each with `ally` and `item`",
        "demand" => "[[demand]] tables, each with `ally`, `item` and `quantity`",
        "lanes" => "[[lanes]] tables, each with `from` and `to`",
        "scenarios" => "[[scenarios]] tables, each with a `name` and `changes`",
        "stockpile" => "[[stockpile]] tables, each with `item` and `budget`",
        "changes" => {
            "an array of inline tables, e.g. `changes = [{ target = \"production\", ally = \"TW\", item = \"*\", factor = 0.5 }]`"
        }
        "expect" => "a table, e.g. `[expect]` with `cost = 100.0`",
        "weighted_shortage" => {
            "a table of numbers by tier, e.g. `weighted_shortage = { critical = 0.0 }`"
        }
        _ => return None,
    })
}

/// A deserialization error in terms of the file: a type error says
/// `expected a number, found string "x"`, not serde's `invalid type: string
/// "x", expected f64`; any other error is serde's message.
fn friendly(kind: &JsonErrorKind) -> String {
    match kind {
        JsonErrorKind::InvalidType { found, expected } => format!(
            "expected {}, found {}",
            crate::json::expected_in_file_words(expected),
            found.in_file_words()
        ),
        other => other.to_string().trim().to_string(),
    }
}

/// Help for a syntax error nested too deeply.
const NESTING_HELP: &str = "a problem file needs only a few levels of nesting; check for unclosed brackets or runaway dotted keys";
/// Help for a number that is not finite or too large.
const FINITE_HELP: &str = "write a finite number (quantities up to 1e15)";
/// Help for a syntax error where a certain token was expected.
const EXPECTED_HELP: &str = "fix the syntax at the marked place (see docs/format.md)";
/// Help for any other syntax error.
const SYNTAX_HELP: &str = "fix the syntax at the marked place";

/// A syntax error in allot's words: what to say, where, and the fix.
struct Syntax {
    message: String,
    span: Option<Range<usize>>,
    help: &'static str,
    /// The key at fault when the error names it; otherwise the key is
    /// guessed from the text before the span (`key = ` in TOML, `"key": `
    /// in JSON).
    key: Option<String>,
}

impl Syntax {
    fn new(message: impl Into<String>, span: Option<Range<usize>>, help: &'static str) -> Syntax {
        Syntax {
            message: message.into(),
            span,
            help,
            key: None,
        }
    }
}

/// "arrays or tables are nested too deeply".
fn too_deep(span: Option<Range<usize>>) -> Syntax {
    Syntax::new("arrays or tables are nested too deeply", span, NESTING_HELP)
}

/// Whether the text at `span` is a non-finite number as JavaScript writes
/// it (JSON has none; TOML writes `nan` and `inf`).
fn is_non_finite_word(text: &str, span: &Option<Range<usize>>) -> bool {
    let at = span
        .as_ref()
        .and_then(|s| text.get(s.start..))
        .unwrap_or_default();
    ["NaN", "Infinity", "-Infinity"]
        .iter()
        .any(|w| at.starts_with(w))
}

/// "JSON has no NaN or Infinity".
fn non_finite(span: Option<Range<usize>>) -> Syntax {
    Syntax::new(
        "JSON has no NaN or Infinity: every number must be finite",
        span,
        FINITE_HELP,
    )
}

/// A syntax error that a parser gives only as text: the toml crate's parse
/// errors, and `jsonc_parser`'s (kept as text in
/// [`JsonErrorKind::Parser`]). This is the one place that reads a parser's
/// message, for the few errors allot words itself.
fn parser_syntax(text: &str, message: &str, span: Option<Range<usize>>) -> Syntax {
    let message = message.trim();
    // The TOML parser gives no place for keys nested too deeply.
    if span.is_none() && message.contains("recursion") {
        let mut s = too_deep(deepest_line(text));
        s.message = "keys or tables are nested too deeply".to_string();
        return s;
    }
    if message.contains("recurse") || message.contains("nesting is deeper") {
        return too_deep(span);
    }
    if is_non_finite_word(text, &span) {
        return non_finite(span);
    }
    // The TOML parser's "duplicate key" points at the key without naming it.
    let repeated = span
        .as_ref()
        .filter(|_| message == "duplicate key")
        .and_then(|s| text.get(s.clone()))
        .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
        .filter(|k| !k.is_empty());
    if let Some(k) = repeated {
        return Syntax {
            message: format!("duplicate key `{k}`"),
            span,
            help: "a key may be given once per table, and a [table] header once per file: remove or merge the repeated one",
            key: Some(k),
        };
    }
    let help = if message.contains("out of range") || message.contains("NaN") {
        FINITE_HELP
    } else if message.contains("invalid type") || message.contains("expected") {
        EXPECTED_HELP
    } else {
        SYNTAX_HELP
    };
    Syntax::new(message, span, help)
}

/// A TOML parse error in allot's words.
fn toml_syntax(text: &str, e: &toml::de::Error) -> Syntax {
    parser_syntax(text, e.message(), e.span())
}

/// An error of [`crate::json::parse_tree`] or [`crate::json::from_toml`]
/// in allot's words.
fn json_syntax(text: &str, e: JsonError) -> Syntax {
    let span = e.span;
    match e.kind {
        JsonErrorKind::Parser(message) => parser_syntax(text, &message, span),
        JsonErrorKind::TooDeep { .. } => too_deep(span),
        JsonErrorKind::OutOfRange => Syntax::new("number out of range", span, FINITE_HELP),
        // A parser's "unexpected …" tells what was expected nowhere else.
        kind @ (JsonErrorKind::UnexpectedCharacter { .. } | JsonErrorKind::NoValue) => {
            Syntax::new(kind.to_string(), span, EXPECTED_HELP)
        }
        kind => Syntax::new(kind.to_string(), span, SYNTAX_HELP),
    }
}

/// A located diagnostic for a syntax error.
fn syntax_diagnostic(text: &str, path: &Path, syntax: Syntax) -> Diagnostic {
    let Syntax {
        message,
        span,
        help,
        key,
    } = syntax;
    let key = key
        .or_else(|| span.as_ref().and_then(|s| key_before(text, s.start)))
        .unwrap_or_default();
    Diagnostic::at(path, text, span, key, message).with_help(help)
}

/// The start of the line with the most dots and brackets (where a
/// runaway nesting most likely is).
fn deepest_line(text: &str) -> Option<Range<usize>> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count();
        if best.is_none_or(|(d, _)| depth > d) {
            best = Some((depth, start));
        }
        start += line.len();
    }
    best.map(|(_, s)| s..s + 1)
}

/// The key whose value is at byte `pos`, read from the text before it on
/// the same line (`key = ` in TOML, `"key": ` in JSON), also when `pos` is
/// inside the value (`key = "unterminated`).
fn key_before(text: &str, pos: usize) -> Option<String> {
    let before = text.get(..pos)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let line = line.trim_end();
    let head = match line.strip_suffix('=').or_else(|| line.strip_suffix(':')) {
        Some(head) => head,
        // Inside the value: the key is before the line's first `=` (TOML),
        // or before the first `:` after a quoted key (JSON).
        None => match line.find('=') {
            Some(i) => &line[..i],
            None => &line[..line.find("\":")? + 1],
        },
    }
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
        assert_eq!(key_before("x = 1\nitem = \"c", 15), Some("item".into()));
        assert_eq!(key_before("  \"id\": \"ab", 10), Some("id".into()));
    }

    fn errors(text: &str, name: &str) -> Vec<Diagnostic> {
        let path = Path::new(name);
        let format = Format::of_path(path).unwrap_or(Format::Toml);
        match parse_raw(text, path, format) {
            Ok(_) => panic!("{name}: expected errors"),
            Err(Error::Invalid { diagnostics }) => diagnostics,
            Err(e) => panic!("{name}: unexpected error {e}"),
        }
    }

    const TOML_BROKEN: &str = r#"periods = 3
[[items]]
id = "chips"
[[allies]]
id = "TW"
[[supply]]
ally = "TW"
item = "chips"
stok = 5
[[supply]]
ally = "TW"
[[lanes]]
from = "TW"
to = "US"
lead_tme = 1
[[demand]]
ally = "TW"
item = "chips"
quantity = "a lot"
[[scenarios]]
name = "x"
changes = [{ target = "production", ally = "TW", item = "chips", factr = 2 }]
[expect]
cst = 3
"#;

    /// Each diagnostic's key path and line (0 when it has no location).
    fn keys_and_lines(d: &[Diagnostic]) -> Vec<(&str, usize)> {
        d.iter()
            .map(|d| (d.key.as_str(), d.location.as_ref().map_or(0, |l| l.line)))
            .collect()
    }

    #[test]
    fn every_broken_table_is_reported_with_its_path_and_line() {
        let d = errors(TOML_BROKEN, "p.toml");
        let keys = keys_and_lines(&d);
        assert_eq!(
            keys,
            vec![
                ("supply[0].stok", 9),
                ("supply[1]", 10),
                ("lanes[0].lead_tme", 15),
                ("demand[0].quantity", 19),
                ("scenarios[0].changes[0].factr", 22),
                ("expect.cst", 24),
            ],
            "{d:#?}"
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `stock`?"));
        assert_eq!(d[1].message, "missing required key `item`");
        assert_eq!(d[2].help.as_deref(), Some("did you mean `lead_time`?"));
        assert_eq!(
            d[3].message,
            "expected a number or an array of numbers, one per period, found string \"a lot\""
        );
        assert_eq!(d[4].help.as_deref(), Some("did you mean `factor`?"));
        assert_eq!(d[5].help.as_deref(), Some("did you mean `cost`?"));
    }

    #[test]
    fn json_errors_match_toml_errors() {
        let text = r#"{"periods": 3, "items": [{"id": "chips"}], "allies": [{"id": "TW"}],
 "supply": [{"ally": "TW", "item": "chips", "stok": 5}, {"ally": "TW"}],
 "lanes": [{"from": "TW", "to": "US", "lead_tme": 1}],
 "scenarios": [{"name": "x", "changes": [{"target": "production", "factr": 2}]}],
 "expect": {"cst": 3}, "prriods": 2}"#;
        let d = errors(text, "p.json");
        let keys = keys_and_lines(&d);
        assert_eq!(
            keys,
            vec![
                ("supply[0].stok", 2),
                ("supply[1]", 2),
                ("lanes[0].lead_tme", 3),
                ("scenarios[0].changes[0].factr", 4),
                ("expect.cst", 5),
                ("prriods", 5),
            ],
            "{d:#?}"
        );
        assert_eq!(d[5].help.as_deref(), Some("did you mean `periods`?"));
    }

    #[test]
    fn type_errors_name_the_key_and_what_it_takes() {
        for (text, key, found) in [
            ("stock = \"lots\"", "supply[0].stock", "\"lots\""),
            ("production = \"x\"", "supply[0].production", "\"x\""),
            (
                "production = [1, \"x\"]",
                "supply[0].production[1]",
                "\"x\"",
            ),
        ] {
            let file = format!(
                "[[items]]\nid = \"c\"\n[[allies]]\nid = \"A\"\n[[supply]]\nally = \"A\"\nitem = \"c\"\n{text}\n"
            );
            let d = errors(&file, "p.toml");
            assert_eq!(d.len(), 1, "{d:#?}");
            assert_eq!(d[0].key, key);
            assert!(d[0].message.contains(found), "{}", d[0].message);
            assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(8));
        }
        let d = errors("tiers = \"critical\"\n", "p.toml");
        assert_eq!(d[0].key, "tiers");
        assert_eq!(d[0].message, "expected an array, found string \"critical\"");
        assert!(d[0].help.as_deref().unwrap_or("").contains("tier names"));
        let d = errors("[1, 2]", "p.json");
        assert!(d[0].message.contains("table of keys"), "{d:#?}");
        let d = errors("name = 1979-05-27\n", "p.toml");
        assert_eq!(d[0].key, "name");
        assert!(d[0].message.contains("date"), "{d:#?}");
    }

    #[test]
    fn paths_are_right_when_tables_interleave() {
        // `expect` spans lines 1-8 around `supply`: the error is in supply.
        let text = "[expect]\ncost = 1\n[[supply]]\nally = \"A\"\nitem = \"c\"\nstock = \"x\"\n[expect.scenarios.s]\ncost = 2\n";
        let d = errors(text, "p.toml");
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].key, "supply[0].stock");
        assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(6));
        let text = "[expect]\ncost = 1\n[[supply]]\nally = \"A\"\nitem = \"c\"\n[expect.scenarios.s]\ncost = \"y\"\n";
        let d = errors(text, "p.toml");
        assert_eq!(d[0].key, "expect.scenarios.s.cost");
    }

    #[test]
    fn syntax_errors_are_located() {
        let d = errors("periods = 3\nitems = [\n", "p.toml");
        assert!(d[0].location.is_some(), "{d:#?}");
        let deep = format!("{} = 1\n", vec!["a"; 5000].join("."));
        let d = errors(&deep, "p.toml");
        assert!(d[0].message.contains("nested too deeply"), "{d:#?}");
        assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(1));
        let d = errors("periods = 3\nperiods = 4\n", "p.toml");
        assert_eq!(d[0].key, "periods");
        assert_eq!(d[0].message, "duplicate key `periods`");
        assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(2));
        let d = errors("{\"periods\": 3,}", "p.json");
        assert!(d[0].message.contains("trailing comma"), "{d:#?}");
    }
}
