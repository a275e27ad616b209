//! The diagnostics of one file, and the value rules every section uses:
//! numbers, per-period quantities, ids and `"*"` selectors.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_spanned::Spanned;

use super::{MAX_DIAGNOSTICS, MAX_NUMBER};
use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::raw::{IdSelector, Quantity};
use crate::size::Allies;

/// Collects diagnostics for one file.
pub(super) struct Checker<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
    pub(super) diags: Vec<Diagnostic>,
    /// Errors found beyond [`MAX_DIAGNOSTICS`].
    pub(super) dropped: usize,
    /// Whether `periods` is valid: per-period lengths and period ranges are
    /// only checked against a valid horizon (no follow-on errors).
    pub(super) periods_ok: bool,
}

impl<'a> Checker<'a> {
    pub(super) fn new(file: &'a Path, text: &'a str) -> Self {
        Checker {
            file,
            text,
            diags: Vec::new(),
            dropped: 0,
            periods_ok: true,
        }
    }

    /// Whether no more diagnostics will be kept: callers skip costly
    /// messages (suggestions, line numbers) then.
    pub(super) fn full(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS
    }

    pub(super) fn error(
        &mut self,
        span: Option<Range<usize>>,
        key: String,
        message: String,
        help: String,
    ) {
        if self.full() {
            self.dropped += 1;
            return;
        }
        let d = Diagnostic::at(self.file, self.text, span, key, message);
        self.diags.push(if help.is_empty() {
            d
        } else {
            d.with_help(help)
        });
    }

    /// The line of a span (for "already at line N").
    pub(super) fn line(&self, span: &Range<usize>) -> usize {
        Location::from_span(self.text, span).line
    }

    /// A finite number ≥ 0 (or > 0 with `positive`), at most [`MAX_NUMBER`].
    pub(super) fn number(&mut self, v: &Spanned<f64>, key: &str, positive: bool) -> f64 {
        let x = *v.get_ref();
        if x.is_finite() && x > MAX_NUMBER {
            self.error(
                Some(v.span()),
                key.into(),
                format!("{x:e} is beyond the largest supported number ({MAX_NUMBER:e})"),
                "LP solvers lose precision at this scale: use larger units (thousands, millions)"
                    .into(),
            );
            return 0.0;
        }
        self.any_number(v, key, positive)
    }

    /// A finite number ≥ 0 (or > 0 with `positive`) of any size.
    pub(super) fn any_number(&mut self, v: &Spanned<f64>, key: &str, positive: bool) -> f64 {
        let x = *v.get_ref();
        if !x.is_finite() {
            self.error(
                Some(v.span()),
                key.into(),
                format!("{x} is not a finite number"),
                "write a finite number (not nan or inf); leave the key out where it means unlimited"
                    .into(),
            );
            0.0
        } else if positive && x <= 0.0 {
            self.error(
                Some(v.span()),
                key.into(),
                format!("must be greater than 0, found {x}"),
                "write a positive number".into(),
            );
            1.0
        } else if x < 0.0 {
            self.error(
                Some(v.span()),
                key.into(),
                format!("must not be negative, found {x}"),
                "write a number ≥ 0".into(),
            );
            0.0
        } else {
            x
        }
    }

    pub(super) fn opt_number(&mut self, v: &Option<Spanned<f64>>, key: &str, default: f64) -> f64 {
        match v {
            Some(v) => self.number(v, key, false),
            None => default,
        }
    }

    /// A per-period quantity expanded to `periods` finite numbers ≥ 0.
    pub(super) fn quantity(
        &mut self,
        q: &Spanned<Quantity>,
        key: &str,
        periods: usize,
    ) -> Vec<f64> {
        let span = q.span();
        match q.get_ref() {
            Quantity::Scalar(x) => {
                let x = self.number(&Spanned::new(span, *x), key, false);
                vec![x; periods]
            }
            Quantity::PerPeriod(values) => {
                if values.len() != periods {
                    if !self.periods_ok {
                        return vec![0.0; periods];
                    }
                    self.error(
                        Some(span),
                        key.into(),
                        format!(
                            "has {} value{} but `periods` is {periods}",
                            values.len(),
                            if values.len() == 1 { "" } else { "s" }
                        ),
                        format!(
                            "give exactly {periods} number{}, one per period, or a single number for every period",
                            if periods == 1 { "" } else { "s" }
                        ),
                    );
                    return vec![0.0; periods];
                }
                values
                    .iter()
                    .enumerate()
                    .map(|(t, x)| self.number(x, &format!("{key}[{t}]"), false))
                    .collect()
            }
        }
    }

    pub(super) fn opt_quantity(
        &mut self,
        q: &Option<Spanned<Quantity>>,
        key: &str,
        periods: usize,
        default: f64,
    ) -> Vec<f64> {
        match q {
            Some(q) => self.quantity(q, key, periods),
            None => vec![default; periods],
        }
    }

    /// Resolves one id against `ids`, with a suggestion when it is unknown.
    pub(super) fn resolve(
        &mut self,
        id: &Spanned<String>,
        key: &str,
        what: &str,
        ids: &HashMap<&str, usize>,
    ) -> Option<usize> {
        if let Some(&i) = ids.get(id.get_ref().as_str()) {
            return Some(i);
        }
        self.unknown(Some(id.span()), key, what, id.get_ref(), ids);
        None
    }

    pub(super) fn unknown(
        &mut self,
        span: Option<Range<usize>>,
        key: &str,
        what: &str,
        id: &str,
        ids: &HashMap<&str, usize>,
    ) {
        if self.full() {
            self.dropped += 1;
            return;
        }
        let mut known: Vec<(&str, usize)> = ids.iter().map(|(k, v)| (*k, *v)).collect();
        known.sort_by_key(|&(_, i)| i);
        let known: Vec<&str> = known.into_iter().map(|(k, _)| k).collect();
        let help = match did_you_mean(id, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known {}: {}", plural_of(what), list(&known)),
        };
        self.error(span, key.into(), format!("unknown {what} `{id}`"), help);
    }

    /// Resolves a selector (`"*"` = all); `None` when an id is unknown.
    pub(super) fn select(
        &mut self,
        sel: &Option<Spanned<IdSelector>>,
        key: &str,
        what: &str,
        ids: &HashMap<&str, usize>,
    ) -> Option<Allies> {
        let Some(sel) = sel else {
            return Some(Allies::All);
        };
        let mut out = Vec::new();
        let mut ok = true;
        match sel.get_ref() {
            IdSelector::One(s) if s == "*" => return Some(Allies::All),
            IdSelector::One(s) => match ids.get(s.as_str()) {
                Some(&i) => out.push(i),
                None => {
                    self.unknown(Some(sel.span()), key, what, s, ids);
                    ok = false;
                }
            },
            IdSelector::Many(v) => {
                for (j, n) in v.iter().enumerate() {
                    match ids.get(n.get_ref().as_str()) {
                        Some(&i) => out.push(i),
                        None if n.get_ref() == "*" => {
                            self.error(
                                Some(n.span()),
                                format!("{key}[{j}]"),
                                "`*` stands alone, not in an array".into(),
                                format!("write `{}` = \"*\" for every {what}", last_key(key)),
                            );
                            ok = false;
                        }
                        None => {
                            self.unknown(
                                Some(n.span()),
                                &format!("{key}[{j}]"),
                                what,
                                n.get_ref(),
                                ids,
                            );
                            ok = false;
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        ok.then_some(Allies::These(out))
    }
}

fn plural_of(what: &str) -> String {
    match what {
        "ally" => "allies".into(),
        w => format!("{w}s"),
    }
}

fn last_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

pub(super) fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else if shown.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}
