//! The keys at the top of a file: `name`, `description`, `periods`,
//! `tiers`, `fairness` and `guarantee`.

use std::collections::HashMap;

use super::ids::unique_ids;
use super::{Ctx, MAX_PERIODS};
use crate::diagnostic::did_you_mean;
use crate::problem::{Fairness, Guarantee};
use crate::raw::RawProblem;

const DEFAULT_TIERS: [&str; 3] = ["critical", "essential", "routine"];

/// What the top keys give besides the horizon (which goes to [`Ctx`]).
pub(super) struct Header {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) tiers: Vec<String>,
    pub(super) fairness: Fairness,
    pub(super) guarantee: Guarantee,
}

/// `periods` as written when it is a whole number ≥ 1 (of any size).
pub(super) fn requested_periods(raw: &RawProblem) -> Option<u64> {
    let v = *raw.periods.as_ref()?.get_ref();
    (v.fract() == 0.0 && v >= 1.0).then_some(if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        v as u64
    })
}

/// Reads the top keys; sets the horizon and the tier ids in `ctx`.
pub(super) fn check<'r>(ctx: &mut Ctx<'r>) -> Header {
    let raw: &'r RawProblem = ctx.raw;
    let ck = &mut ctx.ck;
    let file = ck.file;
    let name = raw.name.as_ref().map_or_else(
        || {
            file.file_stem()
                .map_or_else(|| "problem".into(), |s| s.to_string_lossy().into_owned())
        },
        |n| n.get_ref().clone(),
    );
    let description = raw
        .description
        .as_ref()
        .map_or_else(String::new, |d| d.get_ref().clone());

    ctx.periods = match (&raw.periods, requested_periods(raw)) {
        (None, _) => 1,
        (Some(p), None) => {
            ck.periods_ok = false;
            let v = *p.get_ref();
            ck.error(
                Some(p.span()),
                "periods".into(),
                format!("must be a whole number ≥ 1, found {v}"),
                "write e.g. `periods = 12`".into(),
            );
            1
        }
        (Some(p), Some(v)) if v > MAX_PERIODS as u64 => {
            ck.periods_ok = false;
            ck.error(
                Some(p.span()),
                "periods".into(),
                format!("periods = {v} is beyond the longest supported horizon ({MAX_PERIODS})"),
                "use coarser periods (weeks or months instead of days)".into(),
            );
            1
        }
        (Some(_), Some(v)) => v as usize,
    };

    let tiers: Vec<&'r str> = match &raw.tiers {
        None => DEFAULT_TIERS.to_vec(),
        Some(t) => {
            if t.get_ref().is_empty() {
                ck.error(
                    Some(t.span()),
                    "tiers".into(),
                    "must name at least one tier".into(),
                    "e.g. tiers = [\"critical\", \"essential\", \"routine\"], or leave it out for that default".into(),
                );
            }
            let _ = unique_ids(ck, t.get_ref().iter(), "tiers");
            t.get_ref().iter().map(|s| s.get_ref().as_str()).collect()
        }
    };
    // A repeated tier resolves to its first place.
    let tier_ids: HashMap<&'r str, usize> = tiers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (*s, i))
        .collect();
    ctx.tier_ids = tier_ids;

    let fairness = match &raw.fairness {
        None => Fairness::Leximin,
        Some(f) => match f.get_ref().as_str() {
            "leximin" => Fairness::Leximin,
            "none" => Fairness::None,
            other => {
                let help = match did_you_mean(other, ["leximin", "none"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "write \"leximin\" or \"none\"".into(),
                };
                ctx.ck.error(
                    Some(f.span()),
                    "fairness".into(),
                    format!("unknown fairness rule \"{other}\""),
                    help,
                );
                Fairness::Leximin
            }
        },
    };

    let guarantee = match &raw.guarantee {
        None => Guarantee::None,
        Some(f) => match f.get_ref().as_str() {
            "none" => Guarantee::None,
            "alone" => Guarantee::Alone,
            other => {
                let help = match did_you_mean(other, ["none", "alone"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "write \"alone\" (no ally ends worse off than with every lane closed) or \"none\"".into(),
                };
                ctx.ck.error(
                    Some(f.span()),
                    "guarantee".into(),
                    format!("unknown guarantee \"{other}\""),
                    help,
                );
                Guarantee::None
            }
        },
    };

    Header {
        name,
        description,
        tiers: tiers.iter().map(|s| s.to_string()).collect(),
        fairness,
        guarantee,
    }
}
