//! The problem file with a plan's placement added to its `supply` stock
//! (SPEC §12), in the input's own syntax (what `allot plan` writes when
//! asked to).
//!
//! TOML is edited with `toml_edit`, so comments, key order and formatting
//! survive: a placed unit raises the `stock` of the `[[supply]]` entry of its
//! (ally, item) — the value's comments kept — or, where there is none, a new
//! `[[supply]]` entry with `ally`, `item` and `stock` is appended to the
//! array (also when `supply` is written as an inline array). The
//! `[[stockpile]]` tables and the `[expect]` table are removed: the
//! expectations were for the problem before placement (bless the written
//! file to get its own). Where the file has no `name`, the problem's name is
//! written, so that reports of the placed problem carry it. A short comment
//! at the top says what was placed. JSON files are rewritten whole (keys in
//! sorted order; JSON has no comments to keep).
//!
//! The written file is the problem [`super::placed`] describes: the same
//! entries, so `allot solve PLACED --all-scenarios` solves exactly the
//! placed cases (the CLI loads the text back before writing it, and the
//! tests compare the two problems).

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::load::Format;
use crate::problem::Problem;

use super::Plan;

fn edit_error(path: &Path, message: String) -> Error {
    Error::Invalid {
        diagnostics: vec![
            Diagnostic::at(path, "", None, "supply", message)
                .with_help("write the file in plain TOML tables, or add the placement to its `supply` stock by hand"),
        ],
    }
}

/// The (ally, item, stock to add) of every entry the placed problem gives
/// `supply` beyond `p`'s own stock: positions with units, and the empty
/// entries [`super::placed`] creates for `stock` changes.
fn additions(p: &Problem, plan: &Plan) -> Vec<(String, String, f64)> {
    let placed = super::placed(p, &plan.units);
    let mut out = Vec::new();
    for s in &placed.supply {
        let existed = p
            .supply
            .iter()
            .any(|o| (o.ally, o.item) == (s.ally, s.item));
        let units = plan
            .units
            .iter()
            .find(|u| (u.0, u.1) == (s.ally, s.item))
            .map_or(0.0, |u| u.2);
        if !existed || units > 0.0 {
            out.push((
                p.allies[s.ally].id.clone(),
                p.items[s.item].id.clone(),
                units,
            ));
        }
    }
    out
}

/// The header comment of a written file; `written_by` names the writer.
fn header(plan: &Plan, written_by: &str) -> String {
    let mut out = format!(
        "# Written by {written_by}: the stockpile placement below was added to\n# the supply stock; the [[stockpile]] and [expect] tables were removed.\n",
    );
    if plan.placement.is_empty() {
        out.push_str("# Nothing was placed.\n");
    }
    for pl in &plan.placement {
        out.push_str(&format!(
            "#   {} {}: +{}\n",
            pl.ally,
            pl.item,
            crate::report::round(pl.units)
        ));
    }
    out.push('\n');
    out
}

/// The text of the placed problem file for `plan` of `p`, read from `text`
/// (the file at `path`, in `format`). A TOML file's header comment says it
/// was written by `written_by` (e.g. the command that wrote it).
pub fn placed_text(
    text: &str,
    path: &Path,
    format: Format,
    p: &Problem,
    plan: &Plan,
    written_by: &str,
) -> Result<String> {
    let adds = additions(p, plan);
    match format {
        Format::Toml => placed_toml(text, path, p, plan, &adds, written_by),
        Format::Json => placed_json(text, path, p, &adds),
    }
}

fn placed_toml(
    text: &str,
    path: &Path,
    p: &Problem,
    plan: &Plan,
    adds: &[(String, String, f64)],
    written_by: &str,
) -> Result<String> {
    use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| edit_error(path, e.to_string()))?;
    let root = doc.as_table_mut();
    root.remove("stockpile");
    root.remove("expect");
    if !root.contains_key("name") {
        root.insert("name", toml_edit::value(p.name.clone()));
    }
    if !root.contains_key("supply") {
        root.insert("supply", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let id = |v: Option<&Item>| v.and_then(|v| v.as_str()).map(str::to_string);
    match root.get_mut("supply") {
        Some(Item::ArrayOfTables(tables)) => {
            for (ally, item, add) in adds {
                let found = tables.iter_mut().find(|t| {
                    id(t.get("ally")).as_deref() == Some(ally)
                        && id(t.get("item")).as_deref() == Some(item)
                });
                match found {
                    Some(t) => match t.get_mut("stock").and_then(Item::as_value_mut) {
                        Some(v) => add_to(v, *add),
                        None => {
                            t.insert("stock", toml_edit::value(*add));
                        }
                    },
                    None => {
                        let mut t = Table::new();
                        t.insert("ally", toml_edit::value(ally.clone()));
                        t.insert("item", toml_edit::value(item.clone()));
                        t.insert("stock", toml_edit::value(*add));
                        tables.push(t);
                    }
                }
            }
        }
        Some(Item::Value(Value::Array(array))) => {
            for (ally, item, add) in adds {
                let found = array
                    .iter_mut()
                    .filter_map(|v| v.as_inline_table_mut())
                    .find(|t| {
                        t.get("ally").and_then(|v| v.as_str()) == Some(ally)
                            && t.get("item").and_then(|v| v.as_str()) == Some(item)
                    });
                match found {
                    Some(t) => match t.get_mut("stock") {
                        Some(v) => add_to(v, *add),
                        None => {
                            t.insert("stock", Value::from(*add));
                        }
                    },
                    None => {
                        let mut t = toml_edit::InlineTable::new();
                        t.insert("ally", Value::from(ally.clone()));
                        t.insert("item", Value::from(item.clone()));
                        t.insert("stock", Value::from(*add));
                        t.fmt();
                        array.push(t);
                    }
                }
            }
        }
        _ => {
            return Err(edit_error(
                path,
                "`supply` is neither [[supply]] tables nor an array of inline tables".into(),
            ));
        }
    }
    Ok(format!("{}{}", header(plan, written_by), doc))
}

/// Adds `add` to the number `v`, keeping its comments and spacing.
fn add_to(v: &mut toml_edit::Value, add: f64) {
    let old = v
        .as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap_or(0.0);
    let decor = v.decor().clone();
    *v = toml_edit::Value::from(old + add);
    *v.decor_mut() = decor;
}

fn placed_json(
    text: &str,
    path: &Path,
    p: &Problem,
    adds: &[(String, String, f64)],
) -> Result<String> {
    use serde_json::{Value, json};
    let mut doc: Value = serde_json::from_str(text).map_err(|e| edit_error(path, e.to_string()))?;
    let root = doc
        .as_object_mut()
        .ok_or_else(|| edit_error(path, "the file is not a JSON object".into()))?;
    root.remove("stockpile");
    root.remove("expect");
    root.entry("name").or_insert_with(|| json!(p.name));
    let supply = root.entry("supply").or_insert_with(|| json!([]));
    let entries = supply
        .as_array_mut()
        .ok_or_else(|| edit_error(path, "`supply` is not an array".into()))?;
    for (ally, item, add) in adds {
        let found = entries.iter_mut().find(|e| {
            e.get("ally").and_then(Value::as_str) == Some(ally)
                && e.get("item").and_then(Value::as_str) == Some(item)
        });
        match found.and_then(Value::as_object_mut) {
            Some(e) => {
                let old = e.get("stock").and_then(Value::as_f64).unwrap_or(0.0);
                e.insert("stock".into(), json!(old + add));
            }
            None => entries.push(json!({"ally": ally, "item": item, "stock": add})),
        }
    }
    let mut out =
        serde_json::to_string_pretty(&doc).map_err(|e| edit_error(path, e.to_string()))?;
    out.push('\n');
    Ok(out)
}
