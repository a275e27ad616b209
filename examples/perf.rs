//! Performance table for the generated benchmark problems.
//!
//! ```text
//! cargo run --release --features highs --example perf
//! cargo run --release --features highs --example perf -- 10x3x6:2 30x6x12:6@7 --limit 60
//! cargo run --release --example perf -- --toml 30x6x12:6 > gen-30x6x12.toml
//! cargo run --release --features highs --example perf -- --child 60x12x26:8@1 highs --progress
//! cargo run --release --features highs --example perf -- plan 30x6x12:6 --scenarios 8
//! cargo run --release --features highs --example perf -- marginal 15x3x8 [--cold] [--for 240]
//! ```
//!
//! For every size (`NxKxT:D@SEED`, default the three benchmark sizes) and every
//! backend in the build (HiGHS twice: serial, and with `--parallel-simplex`),
//! solves the full SPEC §4 sequence in a child process
//! (killed after `--limit` seconds, default 60) and prints the model build
//! time, LPs and seconds per stage, the total, and the ratio of the total to
//! that backend's floor: one cold solve of the problem's tier-1 LP alone with
//! the same backend, timed in the same run (only for backends that finished).
//! Results of the backends are compared (largest
//! relative difference of tier shortages, fill rates and cost).
//! `--child SIZE SOLVER [--parallel-simplex]` runs one solve in this
//! process and prints its JSON; with `--progress` it also prints each
//! stage's start time on stderr; with `--hold-rows` it holds each tier's
//! shortage by a row instead of restricting to optimal faces
//! (`Tuning::face`), to compare the two.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use allot::generate::{Size, benchmark_sizes};
use allot::{SolveRequest, SolverKind};
use serde_json::{Value, json};

/// `NxKxT[:D][@SEED]`.
fn parse_size(s: &str) -> Option<Size> {
    let (s, seed) = s.split_once('@').unwrap_or((s, "1"));
    let (dims, degree) = s.split_once(':').unwrap_or((s, "2"));
    let parts: Vec<usize> = dims.split('x').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [n, k, t] => Some(
            Size::new(n, k, t)
                .degree(degree.parse().ok()?)
                .seed(seed.parse().ok()?),
        ),
        _ => None,
    }
}

fn size_arg(z: &Size) -> String {
    format!(
        "{}x{}x{}:{}@{}",
        z.allies, z.items, z.periods, z.degree, z.seed
    )
}

/// In the child: solve once and print the statistics and results as JSON.
fn child(size: Size, solver: &str, show_progress: bool, parallel_simplex: bool, hold_rows: bool) {
    let solver = SolverKind::from_name(solver).expect("solver");
    let problem = size.problem();
    let started = Instant::now();
    // With `--progress`, stage starts and the end of each LP go to stderr
    // as they happen, so a long run shows how far it got.
    let progress = move |stage: &str| {
        eprintln!("{:9.3}s  {stage}", started.elapsed().as_secs_f64());
    };
    let mut request = SolveRequest::new(&problem)
        .solver(solver)
        .parallel_simplex(parallel_simplex)
        .tuning(allot::solve::Tuning::default().with_face(!hold_rows));
    if show_progress {
        request = request.progress(&progress);
    }
    let solved = request.run().expect("solve failed");
    let (solution, stats) = (solved.solution, solved.stats);
    let total = started.elapsed().as_secs_f64();
    let out = json!({
        "columns": stats.columns,
        "rows": stats.rows,
        "build": stats.build_seconds,
        "total": total,
        "stages": stats.stages.iter().map(|s| json!([s.name, s.lps, s.seconds])).collect::<Vec<_>>(),
        "shortages": solution.tiers.iter().map(|t| t.weighted_shortage).collect::<Vec<_>>(),
        "fills": solution.fill.iter().map(|f| f.fill_rate).collect::<Vec<_>>(),
        "cost": solution.cost.total,
        "verified": solution.verification.ok,
        "face_fixed": stats.face_fixed,
        "face_fallbacks": stats.face_fallbacks,
    });
    println!("{out}");
}

/// Runs the child for one size and `solver` (`NAME` or `NAME
/// --parallel-simplex`); `None` when it timed out.
fn run_child(size: &Size, solver: &str, limit: f64) -> Option<Value> {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .args(["--child", &size_arg(size)])
        .args(solver.split(' '))
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs_f64(limit);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut text = String::new();
            child.stdout.take()?.read_to_string(&mut text).ok()?;
            if !status.success() {
                eprintln!("{solver} on {}: child failed ({status})", size.label());
                return None;
            }
            return serde_json::from_str(&text).ok();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One cold solve of the tier-1 LP alone with `kind` (that backend's
/// floor), in seconds.
fn floor(size: &Size, kind: SolverKind) -> f64 {
    let problem = size.problem();
    let model = allot::model::build(&problem);
    let backend = kind.backend();
    let started = Instant::now();
    let mut session = backend.open(&model.lp);
    session
        .solve(allot::backend::Sense::Maximise, &model.tier_served[0])
        .expect("tier-1 LP");
    started.elapsed().as_secs_f64()
}

fn max_rel_diff(a: &Value, b: &Value) -> f64 {
    let nums = |v: &Value| -> Vec<f64> {
        let mut out: Vec<f64> = Vec::new();
        for key in ["shortages", "fills"] {
            out.extend(
                v[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64),
            );
        }
        out.push(v["cost"].as_f64().unwrap_or(f64::NAN));
        out
    };
    let (x, y) = (nums(a), nums(b));
    if x.len() != y.len() {
        return f64::INFINITY;
    }
    x.iter()
        .zip(&y)
        .map(|(p, q)| (p - q).abs() / p.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// `plan [SIZE] [--scenarios N] [--solver NAME] [--toml]`: the planning
/// benchmark (SPEC §12): SIZE (default 30x6x12:6) with N scenarios (default
/// 8) and a stockpile per item ([`Size::planning_toml`]), planned once in
/// this process; prints the extensive form's size and each stage's LPs and
/// seconds (progress on stderr). `--toml` prints the problem instead.
fn plan(args: &[String]) {
    let mut size = Size::new(30, 6, 12).degree(6);
    let mut scenarios = 8;
    let mut solver = SolverKind::available()
        .last()
        .copied()
        .unwrap_or(SolverKind::Microlp);
    let mut toml = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scenarios" => {
                scenarios = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--scenarios N")
            }
            "--solver" => {
                solver = it
                    .next()
                    .and_then(|s| SolverKind::from_name(s))
                    .expect("--solver NAME")
            }
            "--toml" => toml = true,
            s => size = parse_size(s).unwrap_or_else(|| panic!("size NxKxT:D, got {s}")),
        }
    }
    let text = size.planning_toml(scenarios);
    if toml {
        print!("{text}");
        return;
    }
    let problem = allot::load_str(&text, "plan-benchmark.toml").expect("valid");
    let started = Instant::now();
    let progress = move |stage: &str| {
        eprintln!("{:9.3}s  {stage}", started.elapsed().as_secs_f64());
    };
    let mut opts = allot::PlanOptions::new(solver);
    opts.progress = Some(&progress);
    let (plan, stats) = allot::plan::plan_with_stats(&problem, &opts).expect("plan");
    let total = started.elapsed().as_secs_f64();
    println!(
        "{} with {scenarios} scenarios, {}: extensive form {} columns × {} rows, built in {:.2}s",
        size.label(),
        solver.name(),
        stats.columns,
        stats.rows,
        stats.build_seconds
    );
    for s in &stats.stages {
        println!("  {:<32} {:>4} LPs {:>9.2}s", s.name, s.lps, s.seconds);
    }
    let placed: f64 = plan.placement.iter().map(|p| p.units).sum();
    println!(
        "  total {total:.2}s; status {:?}; {} positions placed, {placed:.0} units; expected {}; cost {:.1}",
        plan.status,
        plan.placement.len(),
        plan.expected
            .tiers
            .iter()
            .map(|t| format!("{} {:.3}", t.tier, t.weighted_shortage))
            .collect::<Vec<_>>()
            .join(", "),
        plan.expected.cost
    );
}

/// `marginal SIZE [--cold] [--for SECONDS]`: the plain solve of SIZE
/// with HiGHS, then `--marginal` (one unit), timed; with `--cold` the
/// re-solves start cold (`Tuning::warm_start` off), as before warm starts.
/// With `--for`, stops after that many seconds of `--marginal` and
/// reports how many re-solves had finished (their cost stage): a rate to
/// compare where the whole run would take too long.
fn marginal(args: &[String]) {
    let size = args.first().and_then(|s| parse_size(s)).expect("SIZE");
    let cold = args.iter().any(|a| a == "--cold");
    let stop = args
        .iter()
        .position(|a| a == "--for")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse::<f64>().expect("--for SECONDS"));
    let problem = size.problem();
    let solver = SolverKind::from_name("highs").expect("a build with HiGHS");
    let started = Instant::now();
    SolveRequest::new(&problem)
        .solver(solver)
        .run()
        .expect("plain solve");
    let plain = started.elapsed().as_secs_f64();
    let tuning = allot::solve::Tuning::default().with_warm_start(!cold);
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = |stage: &str| {
        // A re-solve's label names its units; its cost LP ends it:
        // `… (+1 item at ally): cost (1 LP, 0.5s)`.
        if stage.contains(" (+") && stage.contains(": cost (") {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let secs = started.elapsed().as_secs_f64();
            if stop.is_some_and(|s| secs >= s) {
                println!(
                    "{} plain {plain:.2}s; marginal ({}) stopped after {secs:.1}s with {n} re-solves done: {:.2}s each",
                    size.label(),
                    if cold { "cold" } else { "warm" },
                    secs / n as f64
                );
                std::process::exit(0);
            }
        }
    };
    let solved = SolveRequest::new(&problem)
        .solver(solver)
        .marginal(1.0)
        .tuning(tuning)
        .progress(&progress)
        .run()
        .expect("marginal solve");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} plain {plain:.2}s; marginal ({}) {secs:.2}s = {:.1}x, {} entries, {} LPs warm-started",
        size.label(),
        if cold { "cold" } else { "warm" },
        secs / plain,
        solved.solution.marginal.map_or(0, |m| m.len()),
        solved.stats.warm_started
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let flag = |f: &str| args[3..].iter().any(|a| a == f);
        child(
            parse_size(&args[1]).expect("size"),
            &args[2],
            flag("--progress"),
            flag("--parallel-simplex"),
            flag("--hold-rows"),
        );
        return;
    }
    if args.first().map(String::as_str) == Some("--toml") {
        let size = args
            .get(1)
            .and_then(|s| parse_size(s))
            .expect("--toml NxKxT:D[@SEED]");
        print!("{}", size.toml());
        return;
    }
    if args.first().map(String::as_str) == Some("plan") {
        plan(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("marginal") {
        marginal(&args[1..]);
        return;
    }
    let mut limit = 60.0;
    let mut sizes = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--limit" {
            limit = it
                .next()
                .and_then(|s| s.parse().ok())
                .expect("--limit SECONDS");
        } else {
            sizes.push(parse_size(a).unwrap_or_else(|| panic!("size NxKxT:D, got {a}")));
        }
    }
    if sizes.is_empty() {
        sizes = benchmark_sizes().to_vec();
    }
    for size in &sizes {
        let mut results: Vec<(&str, Option<Value>)> = Vec::new();
        for kind in SolverKind::available() {
            let r = run_child(size, kind.name(), limit);
            results.push((kind.name(), r));
            if kind.name() == "highs" {
                let name = "highs --parallel-simplex";
                results.push((name, run_child(size, name, limit)));
            }
        }
        // Each backend's floor: one cold solve of the tier-1 LP alone
        // with it. A backend whose full solve did not finish gets none
        // (its tier-1 LP alone can take as long).
        let floors: Vec<(&str, f64)> = SolverKind::available()
            .into_iter()
            .filter(|k| results.iter().any(|(n, r)| *n == k.name() && r.is_some()))
            .map(|k| (k.name(), floor(size, k)))
            .collect();
        println!("## {}", size.label());
        if let Some((_, Some(v))) = results.iter().find(|(_, r)| r.is_some()) {
            let shown: Vec<String> = floors.iter().map(|(n, f)| format!("{n} {f:.3}s")).collect();
            println!(
                "LP: {} columns x {} rows; tier-1 LP alone, one cold solve: {}",
                v["columns"],
                v["rows"],
                shown.join(", ")
            );
        }
        for (name, r) in &results {
            let Some(v) = r else {
                println!("{name}: not finished within {limit}s");
                continue;
            };
            let total = v["total"].as_f64().unwrap_or(f64::NAN);
            let lps: u64 = v["stages"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| s[1].as_u64().unwrap_or(0))
                .sum();
            let backend = name.split(' ').next().unwrap_or(name);
            let fl = floors
                .iter()
                .find(|(n, _)| *n == backend)
                .map_or(f64::NAN, |(_, f)| *f);
            println!(
                "{name}: build {:.3}s, total {total:.3}s ({:.1}x its floor), {lps} LPs, verified {}",
                v["build"].as_f64().unwrap_or(f64::NAN),
                total / fl,
                v["verified"]
            );
            for s in v["stages"].as_array().into_iter().flatten() {
                println!(
                    "    {:<24} {:>4} LPs {:>9.3}s",
                    s[0].as_str().unwrap_or(""),
                    s[1],
                    s[2].as_f64().unwrap_or(f64::NAN)
                );
            }
        }
        let done: Vec<&(&str, Option<Value>)> =
            results.iter().filter(|(_, r)| r.is_some()).collect();
        for pair in done.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            println!(
                "{} vs {}: largest relative difference {:.1e}",
                a.0,
                b.0,
                max_rel_diff(a.1.as_ref().expect("done"), b.1.as_ref().expect("done"))
            );
        }
        println!();
    }
}
