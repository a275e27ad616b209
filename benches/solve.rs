//! `cargo bench` (add `--features highs` for the HiGHS rows and the large
//! sizes): the full SPEC §4 solve of generated problems
//! (`allot::generate`), the LP build alone, and — with HiGHS — one solve of
//! the tier-1 LP alone, the floor the full solve is compared with.
//!
//! Sizes: 10×3×6 (D=2) on every backend, 15×3×8 (D=4) with the embedded
//! one; 30×6×12 (D=6) and 60×12×26 (D=8) only with HiGHS (the embedded simplex needs minutes there; see
//! `examples/perf.rs` for the table with LP counts per stage). Every full
//! solve stops at a cap (`ALLOT_BENCH_CAP` seconds, default 600), so the
//! run ends even where a size does not finish.

use std::time::Duration;

use allot::generate::{Size, benchmark_sizes};
use allot::{Problem, SolveRequest, SolverKind};
use divan::Bencher;

fn main() {
    divan::main();
}

fn small() -> Size {
    benchmark_sizes()[0]
}

/// Wall-clock cap of one full solve, in seconds: `ALLOT_BENCH_CAP`, 600
/// by default. A solve that reaches it stops there (its sample is the cap)
/// and says so on stderr, so that `cargo bench` ends even where the full
/// solve takes longer (60×12×26; see the README's performance section).
fn cap() -> Duration {
    let seconds = std::env::var("ALLOT_BENCH_CAP")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|&s| s > 0.0)
        .unwrap_or(600.0);
    Duration::from_secs_f64(seconds)
}

fn full_solve(bencher: Bencher, problem: &Problem, solver: SolverKind) {
    let request = SolveRequest::new(problem).solver(solver).time_limit(cap());
    bencher.bench(|| match request.run() {
        Ok(solved) => {
            assert!(solved.solution.verification.ok);
            Some(solved.solution)
        }
        Err(allot::Error::Solver { stage, message, .. }) if message.contains("time limit") => {
            eprintln!(
                "{}: not within the cap of {:?} (reached {stage}; ALLOT_BENCH_CAP sets it)",
                problem.name(),
                cap()
            );
            None
        }
        Err(e) => panic!("{e}"),
    });
}

/// LP build of every benchmark size.
#[divan::bench(args = benchmark_sizes(), sample_count = 5, sample_size = 1)]
fn build_lp(bencher: Bencher, size: Size) {
    let problem = size.problem();
    bencher.bench(|| allot::model::build(&problem));
}

/// Full solve, 10×3×6, embedded backend.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn solve_10x3x6_microlp(bencher: Bencher) {
    full_solve(bencher, &small().problem(), SolverKind::Microlp);
}

/// Full solve, 15×3×8 (D=4), embedded backend: the largest benchmark size
/// it finishes within a minute (about 2.6 s).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn solve_15x3x8_microlp(bencher: Bencher) {
    full_solve(
        bencher,
        &Size::new(15, 3, 8).degree(4).problem(),
        SolverKind::Microlp,
    );
}

#[cfg(feature = "highs")]
mod highs {
    use super::*;

    /// One cold HiGHS solve of the tier-1 LP alone (the floor).
    #[divan::bench(args = benchmark_sizes(), sample_count = 3, sample_size = 1)]
    fn tier1_lp_alone(bencher: Bencher, size: Size) {
        let problem = size.problem();
        let model = allot::model::build(&problem);
        let backend = SolverKind::Highs.backend();
        bencher.bench(|| {
            let mut session = backend.open(&model.lp);
            session
                .solve(allot::backend::Sense::Maximise, &model.tier_served[0])
                .expect("tier-1 LP")
                .objective
        });
    }

    /// Full solve with HiGHS, every benchmark size.
    #[divan::bench(args = benchmark_sizes(), sample_count = 2, sample_size = 1)]
    fn solve_highs(bencher: Bencher, size: Size) {
        full_solve(bencher, &size.problem(), SolverKind::Highs);
    }
}
