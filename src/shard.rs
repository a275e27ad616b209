//! `--shard K/N`: one machine's part of a sweep of solves.
//!
//! A batch scheduler (a Slurm job array, a Kubernetes Indexed Job) runs the
//! same command N times with K = 1, …, N. The solves the command would run
//! — `allot solve`'s base problem and scenarios in file order, `allot
//! check`'s files in the order it finds them — are cut into N contiguous
//! slices of (nearly) equal length, and run K solves only the K-th: solves
//! `⌊(K−1)·n/N⌋ .. ⌊K·n/N⌋` of the n (0-based, end excluded). A slice can be
//! empty when there are fewer solves than shards.
//!
//! Merging: `allot solve --shard K/N` prints exactly its slice of the
//! output the command prints without `--shard`, so the shards' outputs
//! concatenated in the order of K (`cat shard-1 shard-2 … shard-N`) are
//! that output byte for byte, in every format (see
//! [`crate::report`]'s `*_piece` functions). `allot check` ends with a
//! summary, which a slice cannot know: see `docs/format.md`.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` of `count` (both counted from 1: `1 ≤ index ≤ count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl Shard {
    /// The whole sweep: shard 1 of 1.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// The positions of this shard's solves among `len` solves.
    pub fn range(self, len: usize) -> Range<usize> {
        let at = |k: usize| k * len / self.count;
        at(self.index - 1)..at(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Text that is not a shard `K/N` with `1 ≤ K ≤ N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseShardError {
    /// The text given.
    pub given: String,
    /// What is wrong with it, e.g. `has N = 0`.
    pub why: &'static str,
}

impl fmt::Display for ParseShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {}; a shard is K/N with 1 ≤ K ≤ N, e.g. `2/8` for the second of 8 shards",
            self.given, self.why
        )
    }
}

impl std::error::Error for ParseShardError {}

impl FromStr for Shard {
    type Err = ParseShardError;

    fn from_str(s: &str) -> Result<Shard, ParseShardError> {
        let bad = |why: &'static str| ParseShardError {
            given: s.to_string(),
            why,
        };
        let (k, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| bad("is not of the form K/N"))?;
        let number = |t: &str| t.trim().parse::<usize>().ok();
        let (Some(index), Some(count)) = (number(k), number(n)) else {
            return Err(bad("is not two whole numbers"));
        };
        if count == 0 {
            return Err(bad("has N = 0"));
        }
        if index == 0 || index > count {
            return Err(bad("has K outside 1..=N"));
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(" 1/1 ".parse(), Ok(Shard::ALL));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", "-1/2", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert_eq!(e.given, bad);
            assert!(e.to_string().contains("1 ≤ K ≤ N"), "{bad}: {e}");
        }
    }

    /// Every solve lands in exactly one shard, in order, and slices differ
    /// in length by at most one: 7 solves over 3 shards are 2, 2 and 3.
    #[test]
    fn slices_cover_the_solves_once_in_order() {
        let sizes: Vec<usize> = (1..=3)
            .map(|k| Shard { index: k, count: 3 }.range(7).len())
            .collect();
        assert_eq!(sizes, [2, 2, 3]);
        for len in 0..12 {
            for count in 1..6 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(len);
                    assert_eq!(r.start, next);
                    assert!(r.len() <= len.div_ceil(count));
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
    }
}
