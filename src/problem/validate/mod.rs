//! Raw file → validated [`Problem`]: every rule of SPEC §2 and §5 checked,
//! every violation reported with its location and a fix, all at once (up to
//! [`MAX_DIAGNOSTICS`]).
//!
//! Nothing is allocated per period or per lane before the size guard
//! ([`crate::size`]) has measured the problem from the file as written: a
//! file of a few lines that asks for a billion periods, or `"*"` lanes among
//! thousands of allies, is refused at once with [`Error::TooLarge`].
//!
//! One module per section of a file, run in this order: `guard` (the size
//! guard), `header` (periods, tiers, fairness, guarantee), `ids` (items and
//! allies), `supply`, `demand`, `lanes`, `stockpile`, `scenarios` (each
//! change in `change`), `expect`, then `overflow` (what scenario factors
//! make of the quantities). `checker` collects the diagnostics and holds
//! the value rules they share.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::problem::Problem;
use crate::raw::RawProblem;

mod change;
mod checker;
mod demand;
mod expect;
mod guard;
mod header;
mod ids;
mod lanes;
mod overflow;
mod scenarios;
mod stockpile;
mod supply;

use checker::Checker;
pub use guard::shape;

/// At most this many diagnostics are reported for one file.
pub const MAX_DIAGNOSTICS: usize = 50;

/// Largest accepted `periods`: far beyond any real horizon. The size guard
/// refuses long horizons of any real problem first; this bounds the rest.
pub const MAX_PERIODS: usize = 100_000;

/// Largest accepted quantity, cost or item value. LP solvers work in double
/// precision and treat numbers near 1e20 as infinite; beyond this, a plan
/// would silently lose its small numbers.
pub const MAX_NUMBER: f64 = 1e15;

/// What the sections share: the diagnostics, the file as written, and what
/// the sections before resolved (the horizon, the id → index maps).
struct Ctx<'r> {
    ck: Checker<'r>,
    raw: &'r RawProblem,
    /// Number of periods, set by `header` (1 until then).
    periods: usize,
    /// Set by `header`.
    tier_ids: HashMap<&'r str, usize>,
    /// Set by `ids`.
    item_ids: HashMap<&'r str, usize>,
    /// Set by `ids`.
    ally_ids: HashMap<&'r str, usize>,
}

/// Checks `raw` (read from `file`, whose text is `text`) against SPEC §2 and
/// §5, with the default size limit.
pub fn validate(raw: &RawProblem, file: &Path, text: &str) -> Result<Problem, Error> {
    validate_with(raw, file, text, crate::size::DEFAULT_MAX_SIZE)
}

/// Checks `raw` against SPEC §2 and §5, refusing problems whose size
/// estimate exceeds `max_size` ([`crate::size`]).
pub fn validate_with(
    raw: &RawProblem,
    file: &Path,
    text: &str,
    max_size: u64,
) -> Result<Problem, Error> {
    let mut ctx = Ctx {
        ck: Checker::new(file, text),
        raw,
        periods: 1,
        tier_ids: HashMap::new(),
        item_ids: HashMap::new(),
        ally_ids: HashMap::new(),
    };
    match check(&mut ctx, max_size) {
        Err(too_large) => Err(too_large),
        Ok(problem) if ctx.ck.diags.is_empty() => Ok(problem),
        Ok(_) => {
            let ck = ctx.ck;
            let mut diagnostics = ck.diags;
            if ck.dropped > 0 {
                diagnostics.push(Diagnostic::at(
                    file,
                    text,
                    None,
                    "",
                    format!(
                        "{} more error{} not shown (the first {MAX_DIAGNOSTICS} are)",
                        ck.dropped,
                        if ck.dropped == 1 { "" } else { "s" }
                    ),
                ));
            }
            Err(Error::Invalid { diagnostics })
        }
    }
}

/// The sections in order, each building its part of the problem from the
/// parts before; diagnostics go to `ctx`, a size refusal is the error.
fn check(ctx: &mut Ctx, max_size: u64) -> Result<Problem, Error> {
    // The size guard comes first: nothing below allocates per period or
    // per lane before it has passed.
    guard::check(ctx, max_size)?;
    let header = header::check(ctx);
    let (items, allies) = ids::check(ctx);
    let mut p = Problem {
        name: header.name,
        description: header.description,
        periods: ctx.periods,
        tiers: header.tiers,
        fairness: header.fairness,
        guarantee: header.guarantee,
        caps: Vec::new(),
        items,
        allies,
        supply: Vec::new(),
        demand: Vec::new(),
        lanes: Vec::new(),
        scenarios: Vec::new(),
        stockpiles: Vec::new(),
        expect: None,
    };
    p.supply = supply::check(ctx, &p);
    p.demand = demand::check(ctx, &p);
    p.lanes = lanes::check(ctx, &p);
    p.stockpiles = stockpile::check(ctx);
    p.scenarios = scenarios::check(ctx, &p, max_size)?;
    p.expect = expect::check(ctx, &p);
    if ctx.ck.diags.is_empty() {
        overflow::check(ctx, &p);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::error::Error;
    use crate::load::{Format, parse_str};

    const TEXT: &str = r#"periods = 2
[[items]]
id = "masks"
[[allies]]
id = "north"
[[supply]]
ally = "north"
item = "masks"
stock = 10
reserve = 12
[[demand]]
ally = "nort"
item = "masks"
quantity = 3
"#;

    fn diagnostics(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        match parse_str(text, Path::new("t.toml"), Format::Toml) {
            Err(Error::Invalid { diagnostics }) => diagnostics,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_error_is_found_and_located_at_its_key() {
        let d = diagnostics(TEXT);
        let keys: Vec<&str> = d.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(d.len(), 2, "{keys:?}");
        // The reserve (12) is above the stock (10): line 10, at the value.
        let reserve = d
            .iter()
            .find(|d| d.key == "supply[0].reserve")
            .unwrap_or_else(|| panic!("{keys:?}"));
        let at = reserve.location.as_ref().expect("located");
        assert_eq!((at.line, at.column), (10, 11), "{reserve:?}");
        // An unknown ally is named with the id it is close to.
        let ally = d
            .iter()
            .find(|d| d.key == "demand[0].ally")
            .unwrap_or_else(|| panic!("{keys:?}"));
        let at = ally.location.as_ref().expect("located");
        assert_eq!(at.line, 12, "{ally:?}");
        let said = format!("{} {}", ally.message, ally.help.clone().unwrap_or_default());
        assert!(said.contains("north"), "{said}");
    }

    #[test]
    fn the_fixed_file_validates() {
        let fixed = TEXT
            .replace("reserve = 12", "reserve = 4")
            .replace("\"nort\"", "\"north\"");
        let p = parse_str(&fixed, Path::new("t.toml"), Format::Toml).expect("valid");
        assert_eq!(p.periods, 2);
        assert_eq!((p.supply[0].stock, p.supply[0].reserve), (10.0, 4.0));
        assert_eq!(p.demand[0].quantity, [3.0, 3.0]);
    }
}
