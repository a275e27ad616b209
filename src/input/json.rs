//! The spanned document tree behind both problem-file formats, and a strict
//! JSON front end for it.
//!
//! `serde_json` cannot fill [`serde_spanned::Spanned`] fields, but the TOML
//! reader can. This module parses strict JSON (RFC 8259: no comments, no
//! trailing commas, no unquoted keys, no duplicate keys) into a small owned
//! tree ([`Node`]) that remembers the byte range of every value and key, then
//! drives serde over that tree. A TOML document is converted into the same
//! tree ([`from_toml`]), so the raw serde types are read the same way from
//! both formats, and `Spanned<T>` fields get the byte range of the value
//! token in the original text (for a string, including its quotes), just as
//! with `toml::from_str`.
//!
//! Working on a tree also lets [`mod@crate::load`] deserialize a file piece by
//! piece (each `[[supply]]` table on its own) and so report every broken
//! table at once, and name the key path of any span ([`path_at`]).
//!
//! Errors carry the byte range of the innermost value (or key) they concern.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use jsonc_parser::ast::{ObjectPropName, Value as AstValue};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use serde::de::value::{BorrowedStrDeserializer, UsizeDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use serde_spanned::Spanned;

/// A byte range into the JSON text.
type Span = Range<usize>;

/// Deepest nesting of arrays and objects that is accepted.
const MAX_DEPTH: usize = 128;

/// An error found while parsing JSON text or deserializing it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}")]
pub struct JsonError {
    /// What went wrong, without any location.
    pub kind: JsonErrorKind,
    /// Byte range of the text the error is about, when known.
    pub span: Option<Range<usize>>,
}

/// What went wrong, as data: the parse errors of this module's own checks,
/// and the deserialization errors serde raises (through the
/// [`de::Error`] methods, each overridden). The `Display` of each is
/// serde's own wording; [`Found::in_file_words`] and [`expected_in_file_words`]
/// say a type error in the file's terms.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The JSON parser's own message (`jsonc_parser`), first letter in
    /// lower case.
    Parser(String),
    /// Arrays and objects nested deeper than `max` levels.
    TooDeep {
        /// The deepest nesting accepted.
        max: usize,
    },
    /// A key given twice in one object.
    DuplicateKey {
        /// The key, unescaped.
        key: String,
    },
    /// A number beyond the range of `f64`.
    OutOfRange,
    /// An unescaped control character in a string.
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// A character outside strings that strict JSON does not allow.
    UnexpectedCharacter {
        /// The character as Rust debug-prints it (or its byte in hex).
        shown: String,
    },
    /// No value at all (empty or blank text).
    NoValue,
    /// A key the type does not have.
    UnknownField {
        /// The key.
        field: String,
        /// The keys the type has.
        expected: &'static [&'static str],
    },
    /// A required key is absent.
    MissingField {
        /// The key.
        field: &'static str,
    },
    /// A key given twice.
    DuplicateField {
        /// The key.
        field: &'static str,
    },
    /// A value of the wrong type.
    InvalidType {
        /// What the file has.
        found: Found,
        /// What the type wanted, in serde's words (`f64`, `a sequence`,
        /// `struct RawSupply`, or a visitor's own description).
        expected: String,
    },
    /// A value of the right type but a wrong value.
    InvalidValue {
        /// What the file has.
        found: Found,
        /// What the type wanted, in serde's words.
        expected: String,
    },
    /// An array or object of the wrong length.
    InvalidLength {
        /// Its length.
        len: usize,
        /// What the type wanted, in serde's words.
        expected: String,
    },
    /// An enum name the type does not have.
    UnknownVariant {
        /// The name.
        variant: String,
        /// The names the type has.
        expected: &'static [&'static str],
    },
    /// Any other message (a type's own check, e.g. `TryFrom`).
    Custom(String),
}

/// What the file has where a type error is: serde's [`Unexpected`], owned.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Found {
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Any other number.
    Float(f64),
    /// A character.
    Char(char),
    /// A string.
    Str(String),
    /// JSON `null`.
    Unit,
    /// An array.
    Seq,
    /// An object or table.
    Map,
    /// Anything else, as serde describes it (`a date or time`, `enum`, …).
    Other(String),
}

impl From<Unexpected<'_>> for Found {
    fn from(u: Unexpected<'_>) -> Found {
        match u {
            Unexpected::Bool(b) => Found::Bool(b),
            Unexpected::Unsigned(v) => Found::Unsigned(v),
            Unexpected::Signed(v) => Found::Signed(v),
            Unexpected::Float(v) => Found::Float(v),
            Unexpected::Char(c) => Found::Char(c),
            Unexpected::Str(s) => Found::Str(s.to_string()),
            Unexpected::Unit => Found::Unit,
            Unexpected::Seq => Found::Seq,
            Unexpected::Map => Found::Map,
            other => Found::Other(other.to_string()),
        }
    }
}

impl Found {
    /// serde's [`Unexpected`] for this value, for serde's wording.
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Found::Bool(b) => Unexpected::Bool(*b),
            Found::Unsigned(v) => Unexpected::Unsigned(*v),
            Found::Signed(v) => Unexpected::Signed(*v),
            Found::Float(v) => Unexpected::Float(*v),
            Found::Char(c) => Unexpected::Char(*c),
            Found::Str(s) => Unexpected::Str(s),
            Found::Unit => Unexpected::Unit,
            Found::Seq => Unexpected::Seq,
            Found::Map => Unexpected::Map,
            Found::Other(s) => Unexpected::Other(s),
        }
    }

    /// The value as a problem file's reader would say it: `an array`, `a
    /// table`, `` `2.5` ``, `string "lots"`.
    pub fn in_file_words(&self) -> String {
        match self {
            Found::Seq => "an array".to_string(),
            Found::Map => "a table".to_string(),
            Found::Unsigned(v) => format!("`{v}`"),
            Found::Signed(v) => format!("`{v}`"),
            // As serde writes a float: with a decimal point when finite.
            Found::Float(v) => {
                let mut text = v.to_string();
                if v.is_finite() && !text.contains('.') {
                    text.push_str(".0");
                }
                format!("`{text}`")
            }
            other => other.unexpected().to_string(),
        }
    }
}

/// What a type wanted, said in a problem file's terms: serde's `f64` is
/// `a number`, `struct RawSupply` and `a map` are `a table`. serde hands
/// the expectation over only as text ([`de::Expected`] is a `Display`), so
/// this is the one place that reads it.
pub fn expected_in_file_words(expected: &str) -> &str {
    match expected {
        "f64" | "f32" => "a number",
        "a sequence" => "an array",
        "a boolean" => "true or false",
        "a string" => "a string in quotes",
        e if e.starts_with("struct ") || e.starts_with("a map") => "a table",
        e => e,
    }
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``: serde's list of names.
struct OneOf(&'static [&'static str]);

impl fmt::Display for OneOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => Ok(()),
            [a] => write!(f, "`{a}`"),
            [a, b] => write!(f, "`{a}` or `{b}`"),
            names => {
                f.write_str("one of ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use JsonErrorKind as K;
        match self {
            K::Parser(message) | K::Custom(message) => f.write_str(message),
            K::TooDeep { max } => write!(f, "nesting is deeper than {max} levels"),
            K::DuplicateKey { key } => write!(f, "duplicate key `{key}`"),
            K::OutOfRange => f.write_str("number out of range"),
            K::ControlCharacter { byte } => write!(
                f,
                "control character U+{byte:04X} must be escaped in a string"
            ),
            K::UnexpectedCharacter { shown } => write!(f, "unexpected character {shown}"),
            K::NoValue => f.write_str("expected a JSON value"),
            K::UnknownField {
                field,
                expected: [],
            } => {
                write!(f, "unknown field `{field}`, there are no fields")
            }
            K::UnknownField { field, expected } => {
                write!(f, "unknown field `{field}`, expected {}", OneOf(expected))
            }
            K::MissingField { field } => write!(f, "missing field `{field}`"),
            K::DuplicateField { field } => write!(f, "duplicate field `{field}`"),
            K::InvalidType { found, expected } => write!(
                f,
                "invalid type: {}, expected {expected}",
                found.unexpected()
            ),
            K::InvalidValue { found, expected } => write!(
                f,
                "invalid value: {}, expected {expected}",
                found.unexpected()
            ),
            K::InvalidLength { len, expected } => {
                write!(f, "invalid length {len}, expected {expected}")
            }
            K::UnknownVariant {
                variant,
                expected: [],
            } => write!(f, "unknown variant `{variant}`, there are no variants"),
            K::UnknownVariant { variant, expected } => {
                write!(
                    f,
                    "unknown variant `{variant}`, expected {}",
                    OneOf(expected)
                )
            }
        }
    }
}

impl JsonError {
    /// An error located at `span`.
    fn at(kind: JsonErrorKind, span: Span) -> Self {
        JsonError {
            kind,
            span: Some(span),
        }
    }

    /// An error not located yet.
    fn unlocated(kind: JsonErrorKind) -> Self {
        JsonError { kind, span: None }
    }

    /// Sets the span to `span` unless the error is already located.
    fn or_span(mut self, span: &Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span.clone());
        }
        self
    }
}

impl de::Error for JsonError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::unlocated(JsonErrorKind::Custom(msg.to_string()))
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::unlocated(JsonErrorKind::InvalidType {
            found: unexp.into(),
            expected: exp.to_string(),
        })
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::unlocated(JsonErrorKind::InvalidValue {
            found: unexp.into(),
            expected: exp.to_string(),
        })
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::unlocated(JsonErrorKind::InvalidLength {
            len,
            expected: exp.to_string(),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::unlocated(JsonErrorKind::UnknownVariant {
            variant: variant.to_string(),
            expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::unlocated(JsonErrorKind::UnknownField {
            field: field.to_string(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Self::unlocated(JsonErrorKind::MissingField { field })
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self::unlocated(JsonErrorKind::DuplicateField { field })
    }
}

/// Deserializes a `T` from strict JSON text.
///
/// `serde_spanned::Spanned<T>` fields receive byte offsets into `text`. On
/// failure the error's span, when present, is a byte range into `text`.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let root = parse(text)?;
    T::deserialize(&root).map_err(|err| err.or_span(&root.span))
}

// ---------------------------------------------------------------------------
// Parsing into the owned tree
// ---------------------------------------------------------------------------

/// A JSON or TOML value with the byte range of its token(s).
#[derive(Debug)]
pub struct Node {
    /// Byte range of the value in the text (a TOML table: its header).
    pub span: Span,
    /// Byte range of the value and everything in it (a TOML table: from
    /// its header to its last member).
    pub extent: Span,
    /// What the value is.
    pub kind: Kind,
}

impl Node {
    /// A node whose extent covers its span and its members'.
    fn new(span: Span, kind: Kind) -> Node {
        let mut extent = span.clone();
        let mut cover = |r: &Span| {
            extent.start = extent.start.min(r.start);
            extent.end = extent.end.max(r.end);
        };
        match &kind {
            Kind::Array(items) => items.iter().for_each(|i| cover(&i.extent)),
            Kind::Object(entries) => entries.iter().for_each(|e| {
                cover(&e.key_span);
                cover(&e.value.extent);
            }),
            _ => {}
        }
        Node { span, extent, kind }
    }
}

/// The kinds of value.
#[derive(Debug)]
pub enum Kind {
    /// JSON `null` (TOML has none).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// A TOML date or time, as written (no problem-file key takes one).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A JSON object or TOML table, members in file order (TOML: key order).
    Object(Vec<Entry>),
}

/// A parsed number.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// Anything else (fractions, exponents, integers beyond 64 bits). Always
    /// finite from JSON; TOML may give `nan` and `inf`, left for validation
    /// to report.
    Float(f64),
}

/// One `"key": value` member of an object.
#[derive(Debug)]
pub struct Entry {
    /// The key, unescaped.
    pub key: String,
    /// Byte range of the key, including its quotes.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// Deserializes a `T` from a tree made by [`parse_tree`] or [`from_toml`].
pub fn from_node<T: de::DeserializeOwned>(node: &Node) -> Result<T, JsonError> {
    T::deserialize(node).map_err(|err| err.or_span(&node.span))
}

/// Parses `text` as strict JSON into a [`Node`] tree.
pub fn parse_tree(text: &str) -> Result<Node, JsonError> {
    parse(text)
}

/// The dotted key path (`supply[2].stock`) of the innermost value or key in
/// `root` whose span contains `span`; empty at the root.
pub fn path_at(root: &Node, span: &Range<usize>) -> String {
    let mut path = String::new();
    find(root, span, &mut path);
    path
}

/// Appends to `path` the way from `node` to the innermost value or key that
/// contains `span`; false (and `path` unchanged) when there is none. Only
/// nodes whose extent contains `span` are entered.
fn find(node: &Node, span: &Range<usize>, path: &mut String) -> bool {
    if !contains(&node.extent, span) {
        return false;
    }
    let len = path.len();
    match &node.kind {
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if contains(&item.extent, span) {
                    path.push_str(&format!("[{i}]"));
                    if find(item, span, path) {
                        return true;
                    }
                    path.truncate(len);
                }
            }
        }
        Kind::Object(entries) => {
            for e in entries {
                let on_key = contains(&e.key_span, span);
                if on_key || contains(&e.value.extent, span) {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&e.key);
                    if on_key || find(&e.value, span, path) {
                        return true;
                    }
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
    contains(&node.span, span)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    // An empty span (a missing value) contains only empty spans.
    outer.start <= inner.start && inner.end <= outer.end && (inner.is_empty() || !outer.is_empty())
}

/// Converts a parsed TOML document into a [`Node`] tree with the same spans.
///
/// Integers beyond 64 bits become floats, and `nan` and `inf` floats are
/// kept, for validation to report with their key.
pub fn from_toml(root: Spanned<toml::de::DeTable<'_>>) -> Result<Node, JsonError> {
    let span = root.span();
    let table = root.into_inner();
    toml_table(table, span, 0)
}

fn toml_table(table: toml::de::DeTable<'_>, span: Span, depth: usize) -> Result<Node, JsonError> {
    check_depth(depth, &span)?;
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = key.span();
        entries.push(Entry {
            key: key.into_inner().into_owned(),
            key_span,
            value: toml_value(value, depth + 1)?,
        });
    }
    entries.sort_by_key(|e| e.key_span.start);
    Ok(Node::new(span, Kind::Object(entries)))
}

fn toml_value(value: Spanned<toml::de::DeValue<'_>>, depth: usize) -> Result<Node, JsonError> {
    use toml::de::DeValue;
    let span = value.span();
    let kind = match value.into_inner() {
        DeValue::String(s) => Kind::String(s.into_owned()),
        DeValue::Boolean(b) => Kind::Bool(b),
        DeValue::Datetime(d) => Kind::Datetime(d.to_string()),
        DeValue::Integer(i) => {
            let text = i.as_str();
            if let Ok(v) = u64::from_str_radix(text, i.radix()) {
                Kind::Number(Number::Unsigned(v))
            } else if let Ok(v) = i64::from_str_radix(text, i.radix()) {
                Kind::Number(Number::Signed(v))
            } else {
                // Beyond 64 bits: kept as a float, for validation to report
                // as too large with its key.
                let v = match i.radix() {
                    10 => text.parse::<f64>().unwrap_or(f64::INFINITY),
                    radix => u128::from_str_radix(text, radix).map_or(f64::INFINITY, |v| v as f64),
                };
                Kind::Number(Number::Float(v))
            }
        }
        DeValue::Float(f) => {
            let text = f.as_str();
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() || text.contains("inf") || text.contains("nan") => {
                    Kind::Number(Number::Float(v))
                }
                _ => return Err(JsonError::at(JsonErrorKind::OutOfRange, span)),
            }
        }
        DeValue::Array(items) => {
            check_depth(depth, &span)?;
            let items = items
                .into_iter()
                .map(|item| toml_value(item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Kind::Array(items)
        }
        DeValue::Table(table) => return toml_table(table, span, depth),
    };
    Ok(Node::new(span, kind))
}

/// Parses `text` as strict JSON into a [`Node`] tree.
fn parse(text: &str) -> Result<Node, JsonError> {
    prescan(text)?;
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|err| {
        let range = err.range();
        JsonError::at(
            JsonErrorKind::Parser(lowercase_first(&err.kind().to_string())),
            range.start..range.end,
        )
    })?;
    match parsed.value {
        Some(value) => convert(value, 0),
        None => Err(JsonError::at(
            JsonErrorKind::NoValue,
            text.len()..text.len(),
        )),
    }
}

/// `Trailing commas ...` → `trailing commas ...`, to match serde's style.
fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Checks what the parser is lenient about and bounds the nesting depth
/// before the (recursive) parser runs.
///
/// Rejects nesting deeper than [`MAX_DEPTH`], unescaped control characters
/// in strings, and characters outside strings that strict JSON does not allow
/// but the parser would skip as whitespace (vertical tab, form feed, non-ASCII
/// characters). Stops at the first `/` or `'` outside a string: the parser
/// rejects those itself (comments and single quotes are disabled).
fn prescan(text: &str) -> Result<(), JsonError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        // Unterminated string: the parser reports it.
                        None => return Ok(()),
                        Some(b'"') => break,
                        // Skip the escaped character; the parser validates it.
                        Some(b'\\') => i += 2,
                        Some(&c) if c < 0x20 => {
                            return Err(JsonError::at(
                                JsonErrorKind::ControlCharacter { byte: c },
                                i..i + 1,
                            ));
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonError::at(
                        JsonErrorKind::TooDeep { max: MAX_DEPTH },
                        i..i + 1,
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' | b'\'' => return Ok(()),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            0x0B | 0x0C | 0x80.. => {
                let ch = text.get(i..).and_then(|rest| rest.chars().next());
                let len = ch.map_or(1, char::len_utf8);
                let shown = ch.map_or_else(|| format!("{byte:#04x}"), |c| format!("{c:?}"));
                return Err(JsonError::at(
                    JsonErrorKind::UnexpectedCharacter { shown },
                    i..i + len,
                ));
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Converts a parser range into a [`Span`].
fn span_of(range: jsonc_parser::common::Range) -> Span {
    range.start..range.end
}

/// Converts the parser's AST into a [`Node`]; `depth` is the number of
/// enclosing arrays and objects.
fn convert(value: AstValue<'_>, depth: usize) -> Result<Node, JsonError> {
    let node = match value {
        AstValue::NullKeyword(null) => Node::new(span_of(null.range), Kind::Null),
        AstValue::BooleanLit(lit) => Node::new(span_of(lit.range), Kind::Bool(lit.value)),
        AstValue::StringLit(lit) => {
            Node::new(span_of(lit.range), Kind::String(lit.value.into_owned()))
        }
        AstValue::NumberLit(lit) => {
            let span = span_of(lit.range);
            match parse_number(lit.value) {
                Some(number) => Node::new(span, Kind::Number(number)),
                None => return Err(JsonError::at(JsonErrorKind::OutOfRange, span)),
            }
        }
        AstValue::Array(array) => {
            let span = span_of(array.range);
            check_depth(depth, &span)?;
            let items = array
                .elements
                .into_iter()
                .map(|element| convert(element, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Node::new(span, Kind::Array(items))
        }
        AstValue::Object(object) => {
            let span = span_of(object.range);
            check_depth(depth, &span)?;
            let mut seen = HashSet::with_capacity(object.properties.len());
            let mut entries = Vec::with_capacity(object.properties.len());
            for prop in object.properties {
                let (key, key_span) = match prop.name {
                    ObjectPropName::String(lit) => (lit.value.into_owned(), span_of(lit.range)),
                    ObjectPropName::Word(word) => (word.value.to_owned(), span_of(word.range)),
                };
                if !seen.insert(key.clone()) {
                    return Err(JsonError::at(JsonErrorKind::DuplicateKey { key }, key_span));
                }
                let value = convert(prop.value, depth + 1)?;
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
            }
            Node::new(span, Kind::Object(entries))
        }
    };
    Ok(node)
}

/// Fails if a container with `depth` enclosing containers is too deep.
fn check_depth(depth: usize, span: &Span) -> Result<(), JsonError> {
    if depth >= MAX_DEPTH {
        Err(JsonError::at(
            JsonErrorKind::TooDeep { max: MAX_DEPTH },
            span.start..span.start + 1,
        ))
    } else {
        Ok(())
    }
}

/// Parses the text of a JSON number token; `None` if it is not finite.
fn parse_number(text: &str) -> Option<Number> {
    if !text.contains(['.', 'e', 'E']) {
        if text.starts_with('-') {
            if let Ok(value) = text.parse::<i64>() {
                return Some(Number::Signed(value));
            }
        } else if let Ok(value) = text.parse::<u64>() {
            return Some(Number::Unsigned(value));
        }
    }
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .map(Number::Float)
}

// ---------------------------------------------------------------------------
// Deserializing from the tree
// ---------------------------------------------------------------------------

impl Node {
    /// How the node is described in "invalid type" errors.
    fn unexpected(&self) -> Unexpected<'_> {
        match &self.kind {
            Kind::Null => Unexpected::Unit,
            Kind::Bool(value) => Unexpected::Bool(*value),
            Kind::Number(Number::Unsigned(value)) => Unexpected::Unsigned(*value),
            Kind::Number(Number::Signed(value)) => Unexpected::Signed(*value),
            Kind::Number(Number::Float(value)) => Unexpected::Float(*value),
            Kind::String(value) => Unexpected::Str(value),
            Kind::Datetime(_) => Unexpected::Other("a date or time"),
            Kind::Array(_) => Unexpected::Seq,
            Kind::Object(_) => Unexpected::Map,
        }
    }

    /// Hands the node to `visitor` according to its kind; errors are not
    /// located yet.
    fn visit<'de, V: Visitor<'de>>(&'de self, visitor: V) -> Result<V::Value, JsonError> {
        match &self.kind {
            Kind::Null => visitor.visit_unit(),
            Kind::Bool(value) => visitor.visit_bool(*value),
            Kind::Number(Number::Unsigned(value)) => visitor.visit_u64(*value),
            Kind::Number(Number::Signed(value)) => visitor.visit_i64(*value),
            // Non-finite floats only come from TOML (`nan`, `inf`); validation
            // reports them with their key.
            Kind::Number(Number::Float(value)) => visitor.visit_f64(*value),
            Kind::String(value) => visitor.visit_borrowed_str(value),
            Kind::Datetime(_) => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
            Kind::Array(items) => visit_array(items, visitor),
            Kind::Object(entries) => visit_object(entries, &self.span, visitor),
        }
    }
}

/// Visits an array as a sequence; every element must be consumed.
fn visit_array<'de, V: Visitor<'de>>(
    items: &'de [Node],
    visitor: V,
) -> Result<V::Value, JsonError> {
    let pos = Cell::new(0);
    let value = visitor.visit_seq(ArrayAccess { items, pos: &pos })?;
    if pos.get() < items.len() {
        return Err(de::Error::invalid_length(
            items.len(),
            &"fewer elements in array",
        ));
    }
    Ok(value)
}

/// Visits an object as a map; every entry must be consumed.
///
/// An unlocated error raised by the visitor itself is placed on the key being
/// processed, or on the whole object once all keys were read (e.g. a missing
/// field).
fn visit_object<'de, V: Visitor<'de>>(
    entries: &'de [Entry],
    span: &Span,
    visitor: V,
) -> Result<V::Value, JsonError> {
    let pos = Cell::new(0);
    let finished = Cell::new(false);
    let result = visitor.visit_map(ObjectAccess {
        entries,
        pos: &pos,
        finished: &finished,
    });
    match result {
        Ok(value) => {
            if pos.get() < entries.len() {
                return Err(de::Error::invalid_length(
                    entries.len(),
                    &"fewer elements in map",
                ));
            }
            Ok(value)
        }
        Err(err) => {
            let current = pos
                .get()
                .checked_sub(1)
                .and_then(|index| entries.get(index))
                .filter(|_| !finished.get());
            Err(match current {
                Some(entry) => err.or_span(&entry.key_span),
                None => err.or_span(span),
            })
        }
    }
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.visit(visitor).map_err(|err| err.or_span(&self.span))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.kind {
            Kind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .map_err(|err| err.or_span(&self.span))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor
            .visit_newtype_struct(self)
            .map_err(|err| err.or_span(&self.span))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        if serde_spanned::de::is_spanned(name) {
            visitor.visit_map(SpannedAccess::new(self.span.clone(), self, fields))
        } else {
            self.visit(visitor)
        }
        .map_err(|err| err.or_span(&self.span))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match &self.kind {
            Kind::String(variant) => {
                visitor.visit_enum(BorrowedStrDeserializer::<JsonError>::new(variant))
            }
            Kind::Object(entries) => match entries.as_slice() {
                [entry] => visitor.visit_enum(TaggedEnum { entry }),
                _ => Err(de::Error::invalid_value(
                    Unexpected::Map,
                    &"a string or an object with exactly one key",
                )),
            },
            _ => Err(de::Error::invalid_type(
                self.unexpected(),
                &"a string or an object with exactly one key",
            )),
        }
        .map_err(|err| err.or_span(&self.span))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor
            .visit_unit::<JsonError>()
            .map_err(|err| err.or_span(&self.span))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// Sequence access over the elements of an array.
struct ArrayAccess<'de, 'a> {
    items: &'de [Node],
    /// Number of elements handed out so far.
    pos: &'a Cell<usize>,
}

impl<'de> de::SeqAccess<'de> for ArrayAccess<'de, '_> {
    type Error = JsonError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        let index = self.pos.get();
        match self.items.get(index) {
            Some(item) => {
                self.pos.set(index + 1);
                seed.deserialize(item)
                    .map(Some)
                    .map_err(|err| err.or_span(&item.span))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len().saturating_sub(self.pos.get()))
    }
}

/// Map access over the entries of an object.
struct ObjectAccess<'de, 'a> {
    entries: &'de [Entry],
    /// Number of keys handed out so far.
    pos: &'a Cell<usize>,
    /// Set once `next_key_seed` has reported the end of the object.
    finished: &'a Cell<bool>,
}

impl<'de> de::MapAccess<'de> for ObjectAccess<'de, '_> {
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        let index = self.pos.get();
        match self.entries.get(index) {
            Some(entry) => {
                self.pos.set(index + 1);
                let key = KeyDeserializer {
                    key: &entry.key,
                    span: &entry.key_span,
                };
                seed.deserialize(key)
                    .map(Some)
                    .map_err(|err| err.or_span(&entry.key_span))
            }
            None => {
                self.finished.set(true);
                Ok(None)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, JsonError> {
        let entry = self
            .pos
            .get()
            .checked_sub(1)
            .and_then(|index| self.entries.get(index));
        match entry {
            Some(entry) => seed
                .deserialize(&entry.value)
                .map_err(|err| err.or_span(&entry.value.span)),
            None => Err(de::Error::custom("map value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.pos.get()))
    }
}

/// Map access presenting a value as `serde_spanned`'s private
/// `{start, end, value}` struct.
struct SpannedAccess<D> {
    span: Span,
    value: D,
    /// The field names serde_spanned asked for: start, end, value.
    fields: &'static [&'static str],
    /// Number of keys handed out so far.
    pos: usize,
}

impl<D> SpannedAccess<D> {
    fn new(span: Span, value: D, fields: &'static [&'static str]) -> Self {
        SpannedAccess {
            span,
            value,
            fields,
            pos: 0,
        }
    }
}

impl<'de, D> de::MapAccess<'de> for SpannedAccess<D>
where
    D: de::Deserializer<'de, Error = JsonError> + Copy,
{
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        if self.pos >= 3 {
            return Ok(None);
        }
        match self.fields.get(self.pos) {
            Some(field) => {
                self.pos += 1;
                seed.deserialize(BorrowedStrDeserializer::<JsonError>::new(field))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, JsonError> {
        match self.pos {
            1 => seed.deserialize(usize_deserializer(self.span.start)),
            2 => seed.deserialize(usize_deserializer(self.span.end)),
            3 => seed
                .deserialize(self.value)
                .map_err(|err| err.or_span(&self.span)),
            _ => Err(de::Error::custom("map value requested before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(3usize.saturating_sub(self.pos))
    }
}

/// A deserializer for a span offset.
fn usize_deserializer(value: usize) -> UsizeDeserializer<JsonError> {
    value.into_deserializer()
}

/// Deserializer for an object key.
///
/// Keys are strings; like `serde_json`, integer keys (`"3": ...` into a
/// `BTreeMap<u32, _>`) are parsed from the string.
#[derive(Clone, Copy)]
struct KeyDeserializer<'de> {
    key: &'de str,
    /// Byte range of the key, including its quotes (for `Spanned` keys).
    span: &'de Span,
}

/// Defines `deserialize_<int>` methods for [`KeyDeserializer`] that parse the key.
macro_rules! deserialize_integer_key {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
                match self.key.parse::<$ty>() {
                    Ok(value) => visitor.$visit(value),
                    Err(_) => visitor.visit_borrowed_str(self.key),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_borrowed_str(self.key)
    }

    deserialize_integer_key! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_enum(BorrowedStrDeserializer::<JsonError>::new(self.key))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        if serde_spanned::de::is_spanned(name) {
            visitor.visit_map(SpannedAccess::new(self.span.clone(), self, fields))
        } else {
            visitor.visit_borrowed_str(self.key)
        }
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map identifier ignored_any
    }
}

/// Enum access for an externally tagged `{ "Variant": value }` object.
struct TaggedEnum<'de> {
    entry: &'de Entry,
}

impl<'de> de::EnumAccess<'de> for TaggedEnum<'de> {
    type Error = JsonError;
    type Variant = VariantValue<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantValue<'de>), JsonError> {
        let variant = seed
            .deserialize(KeyDeserializer {
                key: &self.entry.key,
                span: &self.entry.key_span,
            })
            .map_err(|err| err.or_span(&self.entry.key_span))?;
        Ok((variant, VariantValue(&self.entry.value)))
    }
}

/// The value of an externally tagged enum variant.
struct VariantValue<'de>(&'de Node);

impl<'de> de::VariantAccess<'de> for VariantValue<'de> {
    type Error = JsonError;

    fn unit_variant(self) -> Result<(), JsonError> {
        <() as de::Deserialize>::deserialize(self.0)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, JsonError> {
        seed.deserialize(self.0)
            .map_err(|err| err.or_span(&self.0.span))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        de::Deserializer::deserialize_seq(self.0, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        de::Deserializer::deserialize_struct(self.0, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde::de::DeserializeOwned;
    use serde_spanned::Spanned;

    use super::{Found, JsonError, JsonErrorKind, from_str};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Problem {
        name: Spanned<String>,
        budget: Spanned<f64>,
        #[serde(default)]
        rule: Rule,
        note: Option<String>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Rule {
        #[default]
        Leximin,
        None,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: Spanned<String>,
        qty: Spanned<Qty>,
        count: Option<u32>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Qty {
        One(f64),
        Many(Vec<f64>),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Point,
        Circle(f64),
        Pair(u8, u8),
        Rect { w: f64, h: f64 },
    }

    /// The text a span covers.
    fn at<'a>(text: &'a str, span: &std::ops::Range<usize>) -> &'a str {
        &text[span.clone()]
    }

    /// Parses `text`, expecting failure.
    fn error<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> JsonError {
        match from_str::<T>(text) {
            Ok(value) => panic!("expected an error, got {value:?}"),
            Err(err) => err,
        }
    }

    /// The text an error's span covers.
    fn error_text<'a>(text: &'a str, err: &JsonError) -> &'a str {
        let span = err.span.clone().expect("error has a span");
        &text[span]
    }

    const GOOD: &str = r#"{
  "name": "héllo \"w\"",
  "budget": 12.5e0,
  "rule": "none",
  "note": null,
  "items": [
    {"id": "a", "qty": 3},
    {"id": "b", "qty": [1, 2.5, -3], "count": 7}
  ]
}"#;

    #[test]
    fn parses_values_and_spans() {
        let p: Problem = from_str(GOOD).unwrap();
        assert_eq!(p.name.get_ref(), "héllo \"w\"");
        assert_eq!(at(GOOD, &p.name.span()), r#""héllo \"w\"""#);
        assert_eq!(*p.budget.get_ref(), 12.5);
        assert_eq!(at(GOOD, &p.budget.span()), "12.5e0");
        assert_eq!(p.rule, Rule::None);
        assert_eq!(p.note, None);
        assert_eq!(p.items.len(), 2);
        assert_eq!(at(GOOD, &p.items[0].id.span()), r#""a""#);
        assert_eq!(*p.items[0].qty.get_ref(), Qty::One(3.0));
        assert_eq!(at(GOOD, &p.items[0].qty.span()), "3");
        assert_eq!(p.items[0].count, None);
        assert_eq!(*p.items[1].qty.get_ref(), Qty::Many(vec![1.0, 2.5, -3.0]));
        assert_eq!(at(GOOD, &p.items[1].qty.span()), "[1, 2.5, -3]");
        assert_eq!(p.items[1].count, Some(7));
    }

    #[test]
    fn defaults_and_missing_options() {
        let text = r#"{"name": "x", "budget": 1}"#;
        let p: Problem = from_str(text).unwrap();
        assert_eq!(p.rule, Rule::Leximin);
        assert_eq!(p.note, None);
        assert!(p.items.is_empty());
        assert_eq!(*p.budget.get_ref(), 1.0);
        assert_eq!(at(text, &p.budget.span()), "1");
    }

    #[test]
    fn spans_match_toml() {
        #[derive(Debug, Deserialize)]
        struct Doc {
            s: Spanned<String>,
            n: Spanned<f64>,
            q: Spanned<Qty>,
            m: Spanned<Qty>,
            b: Spanned<bool>,
        }
        let toml_text = "s = \"a b\"\nn = -2.5\nq = 4\nm = [1, 2]\nb = true\n";
        let json_text = r#"{"s": "a b", "n": -2.5, "q": 4, "m": [1, 2], "b": true}"#;
        let t: Doc = toml::from_str(toml_text).unwrap();
        let j: Doc = from_str(json_text).unwrap();
        assert_eq!(at(toml_text, &t.s.span()), at(json_text, &j.s.span()));
        assert_eq!(at(json_text, &j.s.span()), "\"a b\"");
        assert_eq!(at(toml_text, &t.n.span()), at(json_text, &j.n.span()));
        assert_eq!(at(toml_text, &t.q.span()), at(json_text, &j.q.span()));
        assert_eq!(at(toml_text, &t.m.span()), at(json_text, &j.m.span()));
        assert_eq!(at(toml_text, &t.b.span()), at(json_text, &j.b.span()));
        assert_eq!(t.m.get_ref(), j.m.get_ref());
    }

    #[test]
    fn spanned_root_struct_and_keys() {
        let text = " {\"k\": {\"x\": 1}} ";
        type Inner = Spanned<BTreeMap<String, u8>>;
        let root: Spanned<BTreeMap<Spanned<String>, Inner>> = from_str(text).unwrap();
        assert_eq!(at(text, &root.span()), "{\"k\": {\"x\": 1}}");
        let (key, value) = root.get_ref().iter().next().unwrap();
        assert_eq!(at(text, &key.span()), "\"k\"");
        assert_eq!(at(text, &value.span()), "{\"x\": 1}");
        assert_eq!(value.get_ref()["x"], 1);
    }

    #[test]
    fn unit_and_tagged_enums() {
        let shapes: Vec<Shape> = from_str(
            r#"["Point", {"Point": null}, {"Circle": 2}, {"Pair": [1, 2]}, {"Rect": {"w": 1, "h": 2}}]"#,
        )
        .unwrap();
        assert_eq!(
            shapes,
            vec![
                Shape::Point,
                Shape::Point,
                Shape::Circle(2.0),
                Shape::Pair(1, 2),
                Shape::Rect { w: 1.0, h: 2.0 }
            ]
        );

        let text = r#"["Point", "Square"]"#;
        let err = error::<Vec<Shape>>(text);
        assert!(
            err.to_string().contains("unknown variant `Square`"),
            "{err}"
        );
        assert_eq!(
            err.kind,
            JsonErrorKind::UnknownVariant {
                variant: "Square".into(),
                expected: &["Point", "Circle", "Pair", "Rect"],
            }
        );
        assert_eq!(error_text(text, &err), "\"Square\"");

        let text = r#"[{"Hexagon": 1}]"#;
        let err = error::<Vec<Shape>>(text);
        assert!(
            err.to_string().contains("unknown variant `Hexagon`"),
            "{err}"
        );
        assert_eq!(error_text(text, &err), "\"Hexagon\"");

        let text = r#"[{"Circle": 1, "Point": null}]"#;
        let err = error::<Vec<Shape>>(text);
        assert_eq!(error_text(text, &err), r#"{"Circle": 1, "Point": null}"#);

        let text = r#"["Circle"]"#;
        let err = error::<Vec<Shape>>(text);
        assert!(err.to_string().contains("invalid type"), "{err}");
        assert_eq!(error_text(text, &err), "\"Circle\"");

        let text = r#"[{"Circle": "big"}]"#;
        let err = error::<Vec<Shape>>(text);
        assert_eq!(error_text(text, &err), "\"big\"");

        let text = r#"{"name": "x", "budget": 1, "rule": "Leximin"}"#;
        let err = error::<Problem>(text);
        assert!(
            err.to_string().contains("unknown variant `Leximin`"),
            "{err}"
        );
        assert_eq!(error_text(text, &err), "\"Leximin\"");

        let text = "[3]";
        let err = error::<Vec<Shape>>(text);
        assert_eq!(error_text(text, &err), "3");
    }

    #[test]
    fn unknown_field_points_at_key() {
        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a", "qty": 1, "bogus": 2}]}"#;
        let err = error::<Problem>(text);
        assert!(err.to_string().contains("unknown field `bogus`"), "{err}");
        assert_eq!(
            err.kind,
            JsonErrorKind::UnknownField {
                field: "bogus".into(),
                expected: &["id", "qty", "count"],
            }
        );
        assert_eq!(error_text(text, &err), "\"bogus\"");
    }

    #[test]
    fn missing_field_points_at_object() {
        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a"}]}"#;
        let err = error::<Problem>(text);
        assert!(err.to_string().contains("missing field `qty`"), "{err}");
        assert_eq!(err.kind, JsonErrorKind::MissingField { field: "qty" });
        assert_eq!(error_text(text, &err), r#"{"id": "a"}"#);
    }

    #[test]
    fn wrong_types_point_at_value() {
        let text = r#"{"name": "x", "budget": "lots"}"#;
        let err = error::<Problem>(text);
        assert!(
            err.to_string().contains("invalid type: string \"lots\""),
            "{err}"
        );
        assert_eq!(
            err.kind,
            JsonErrorKind::InvalidType {
                found: Found::Str("lots".into()),
                expected: "f64".into(),
            }
        );
        assert_eq!(error_text(text, &err), "\"lots\"");

        let text = r#"{"name": 5, "budget": 1}"#;
        let err = error::<Problem>(text);
        assert!(err.to_string().contains("invalid type"), "{err}");
        assert_eq!(error_text(text, &err), "5");

        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a", "qty": 1, "count": 2.5}]}"#;
        let err = error::<Problem>(text);
        assert!(
            err.to_string()
                .contains("invalid type: floating point `2.5`"),
            "{err}"
        );
        assert_eq!(
            err.kind,
            JsonErrorKind::InvalidType {
                found: Found::Float(2.5),
                expected: "u32".into(),
            }
        );
        assert_eq!(error_text(text, &err), "2.5");

        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a", "qty": 1, "count": -1}]}"#;
        let err = error::<Problem>(text);
        assert!(
            err.to_string().contains("invalid value: integer `-1`"),
            "{err}"
        );
        assert_eq!(
            err.kind,
            JsonErrorKind::InvalidValue {
                found: Found::Signed(-1),
                expected: "u32".into(),
            }
        );
        assert_eq!(error_text(text, &err), "-1");

        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a", "qty": {"x": 1}}]}"#;
        let err = error::<Problem>(text);
        assert_eq!(error_text(text, &err), r#"{"x": 1}"#);

        let text = r#"{"name": "x", "budget": 1, "items": [{"id": "a", "qty": [1, "2"]}]}"#;
        let err = error::<Problem>(text);
        assert_eq!(error_text(text, &err), r#"[1, "2"]"#);

        let text = "[1, 300]";
        let err = error::<Vec<u8>>(text);
        assert!(
            err.to_string().contains("invalid value: integer `300`"),
            "{err}"
        );
        assert_eq!(error_text(text, &err), "300");

        let text = "[1, 2, 3]";
        let err = error::<(u8, u8)>(text);
        assert!(err.to_string().contains("invalid length 3"), "{err}");
        assert!(
            matches!(err.kind, JsonErrorKind::InvalidLength { len: 3, .. }),
            "{err:?}"
        );
        assert_eq!(error_text(text, &err), "[1, 2, 3]");

        let text = "{\"a\": [1]}";
        let err = error::<BTreeMap<String, (u8, u8)>>(text);
        assert!(err.to_string().contains("invalid length 1"), "{err}");
        assert_eq!(error_text(text, &err), "[1]");
    }

    #[test]
    fn integers_and_floats() {
        let values: Vec<f64> =
            from_str("[0, -0, 1.5, -2e3, 18446744073709551615, 1e-400]").unwrap();
        assert_eq!(
            values,
            vec![0.0, 0.0, 1.5, -2000.0, 18446744073709551615.0, 0.0]
        );
        let values: (u64, i64, i8, f32) =
            from_str("[18446744073709551615, -9223372036854775808, -128, 0.5]").unwrap();
        assert_eq!(values, (u64::MAX, i64::MIN, -128, 0.5));
        let big: f64 = from_str("123456789012345678901234567890").unwrap();
        assert_eq!(big, 123456789012345678901234567890.0);
        let keys: BTreeMap<u32, String> = from_str(r#"{"3": "c", "10": "j"}"#).unwrap();
        assert_eq!(keys[&3], "c");
        assert_eq!(keys[&10], "j");
        let text = r#"{"x": 1}"#;
        let err = error::<BTreeMap<u32, u8>>(text);
        assert_eq!(error_text(text, &err), "\"x\"");
    }

    #[test]
    fn number_out_of_range() {
        let text = r#"{"name": "x", "budget": 1e999}"#;
        let err = error::<Problem>(text);
        assert_eq!(err.kind, JsonErrorKind::OutOfRange);
        assert_eq!(err.to_string(), "number out of range");
        assert_eq!(error_text(text, &err), "1e999");
        // Also in values nobody looks at.
        let text = r#"{"a": [-1e999]}"#;
        let err = error::<serde::de::IgnoredAny>(text);
        assert_eq!(error_text(text, &err), "-1e999");
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = r#"{"name": "x", "budget": 1,}"#;
        let err = error::<Problem>(text);
        assert!(
            matches!(&err.kind, JsonErrorKind::Parser(m) if m.contains("trailing comma")),
            "{err:?}"
        );
        assert_eq!(err.span, Some(25..26));
        assert_eq!(error_text(text, &err), ",");

        let text = "[1, 2,]";
        let err = error::<Vec<u8>>(text);
        assert_eq!(err.span, Some(5..6));

        for (text, pos) in [
            ("{\"a\": 1 // c\n}", 8),
            ("{a: 1}", 1),
            ("['a']", 1),
            ("[0x10]", 1),
            ("[+1]", 1),
            ("[.5]", 1),
            ("[NaN]", 1),
            ("[Infinity]", 1),
            ("[1 2]", 2),
            ("[01]", 2),
            ("[1] [2]", 4),
            ("[\"\\x41\"]", 2),
            ("[\"a\tb\"]", 3),
            ("[\u{b}1]", 1),
            ("[\u{a0}1]", 1),
            ("[True]", 1),
            ("{\"a\" 1}", 5),
        ] {
            let err = error::<serde::de::IgnoredAny>(text);
            let span = err
                .span
                .clone()
                .unwrap_or_else(|| panic!("{text:?}: {err}"));
            assert_eq!(span.start, pos, "{text:?}: {err}");
        }

        for text in ["", "   ", "[", "{\"a\": 1", "\"abc", "{\"a\":}"] {
            let err = error::<serde::de::IgnoredAny>(text);
            let span = err
                .span
                .clone()
                .unwrap_or_else(|| panic!("{text:?}: {err}"));
            assert!(span.start <= text.len(), "{text:?}: {err}");
        }
    }

    #[test]
    fn duplicate_keys() {
        let text = r#"{"name": "x", "budget": 1, "name": "y"}"#;
        let err = error::<Problem>(text);
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey { key: "name".into() });
        assert_eq!(err.to_string(), "duplicate key `name`");
        assert_eq!(err.span, Some(27..33));
        // Equal after unescaping.
        let text = r#"{"a": 1, "\u0061": 2}"#;
        let err = error::<serde::de::IgnoredAny>(text);
        assert_eq!(error_text(text, &err), r#""\u0061""#);
        // Same key in different objects is fine.
        let ok: Vec<BTreeMap<String, u8>> = from_str(r#"[{"a": 1}, {"a": 2}]"#).unwrap();
        assert_eq!(ok.len(), 2);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "[".repeat(100_000);
        let err = error::<serde::de::IgnoredAny>(&text);
        assert_eq!(err.kind, JsonErrorKind::TooDeep { max: 128 });
        assert_eq!(err.to_string(), "nesting is deeper than 128 levels");
        assert_eq!(err.span, Some(128..129));

        let text = "{\"a\":".repeat(100_000);
        let err = error::<serde_json::Value>(&text);
        assert!(err.to_string().contains("nesting"), "{err}");

        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        from_str::<serde_json::Value>(&ok).unwrap();
        let too_deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let err = error::<serde_json::Value>(&too_deep);
        assert_eq!(err.span, Some(128..129));

        // Brackets inside strings do not count.
        let text = format!("\"{}\"", "[".repeat(1000));
        let s: String = from_str(&text).unwrap();
        assert_eq!(s.len(), 1000);
    }

    #[test]
    fn matches_serde_json_values() {
        let texts = [
            GOOD,
            r#"[null, true, false, 0, -1, 1.25, "s", [], {}, {"a": [{"b": null}]}]"#,
            r#""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00""#,
            "  42  ",
        ];
        for text in texts {
            let ours: serde_json::Value = from_str(text).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn custom_errors_get_the_value_span() {
        #[derive(Debug, Deserialize)]
        #[serde(try_from = "f64")]
        struct Positive(#[allow(dead_code)] f64);
        impl TryFrom<f64> for Positive {
            type Error = String;
            fn try_from(value: f64) -> Result<Self, String> {
                if value > 0.0 {
                    Ok(Positive(value))
                } else {
                    Err(format!("{value} is not positive"))
                }
            }
        }
        let text = r#"{"p": [1, -2]}"#;
        let err = error::<BTreeMap<String, Vec<Positive>>>(text);
        assert_eq!(err.kind, JsonErrorKind::Custom("-2 is not positive".into()));
        assert_eq!(error_text(text, &err), "-2");
        assert_eq!(err.to_string(), "-2 is not positive");
    }

    /// The typed errors say what serde's default wording says, so an
    /// error's `Display` is unchanged by keeping it as data.
    #[test]
    fn typed_errors_keep_serde_wording() {
        use serde::de::{Error as _, Unexpected};
        type Serde = serde::de::value::Error;
        let values = [
            Unexpected::Bool(true),
            Unexpected::Unsigned(7),
            Unexpected::Signed(-3),
            Unexpected::Float(2.0),
            Unexpected::Float(0.25),
            Unexpected::Float(f64::INFINITY),
            Unexpected::Char('x'),
            Unexpected::Str("a \"b\""),
            Unexpected::Unit,
            Unexpected::Seq,
            Unexpected::Map,
            Unexpected::Other("a date or time"),
            Unexpected::UnitVariant,
        ];
        for u in values {
            assert_eq!(
                JsonError::invalid_type(u, &"f64").to_string(),
                Serde::invalid_type(u, &"f64").to_string()
            );
            assert_eq!(
                JsonError::invalid_value(u, &"a table").to_string(),
                Serde::invalid_value(u, &"a table").to_string()
            );
        }
        const NAMES: [&[&str]; 4] = [&[], &["a"], &["a", "b"], &["a", "b", "c"]];
        for names in NAMES {
            assert_eq!(
                JsonError::unknown_field("x", names).to_string(),
                Serde::unknown_field("x", names).to_string()
            );
            assert_eq!(
                JsonError::unknown_variant("x", names).to_string(),
                Serde::unknown_variant("x", names).to_string()
            );
        }
        assert_eq!(
            JsonError::missing_field("id").to_string(),
            Serde::missing_field("id").to_string()
        );
        assert_eq!(
            JsonError::duplicate_field("id").to_string(),
            Serde::duplicate_field("id").to_string()
        );
        assert_eq!(
            JsonError::invalid_length(3, &"2 elements").to_string(),
            Serde::invalid_length(3, &"2 elements").to_string()
        );
    }

    /// A found value in a file's words is serde's wording with the Rust
    /// terms replaced: numbers without `integer`/`floating point`,
    /// `sequence` and `map` as `an array` and `a table`.
    #[test]
    fn found_values_in_file_words() {
        use serde::de::Unexpected;
        for (u, words) in [
            (Unexpected::Seq, "an array"),
            (Unexpected::Map, "a table"),
            (Unexpected::Unsigned(12), "`12`"),
            (Unexpected::Signed(-1), "`-1`"),
            (Unexpected::Float(2.0), "`2.0`"),
            (Unexpected::Float(1e20), "`100000000000000000000.0`"),
            (Unexpected::Float(-0.5), "`-0.5`"),
            (Unexpected::Float(f64::NAN), "`NaN`"),
            (Unexpected::Str("lots"), "string \"lots\""),
            (Unexpected::Bool(false), "boolean `false`"),
            (Unexpected::Unit, "unit value"),
            (Unexpected::Other("a date or time"), "a date or time"),
        ] {
            assert_eq!(Found::from(u).in_file_words(), words, "{u:?}");
            // Numbers: serde's own digits, without its type word.
            let serde = u.to_string();
            if let Some(digits) = serde
                .strip_prefix("floating point ")
                .or(serde.strip_prefix("integer "))
            {
                assert_eq!(words, digits);
            }
        }
        assert_eq!(super::expected_in_file_words("f64"), "a number");
        assert_eq!(super::expected_in_file_words("struct RawSupply"), "a table");
        assert_eq!(super::expected_in_file_words("a map"), "a table");
        assert_eq!(super::expected_in_file_words("a sequence"), "an array");
        assert_eq!(
            super::expected_in_file_words("a number or an array of numbers, one per period"),
            "a number or an array of numbers, one per period"
        );
    }
}
