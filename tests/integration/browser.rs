//! The HTML report in a real browser: headless Chromium renders the
//! reports of a small hand-checked problem and of problems/ with its
//! scenarios (all of them, and one alone),
//! takes a screenshot of each and dumps the DOM after rendering. The test
//! asserts the screenshot is an image of the window's size that is not
//! blank, that the browser logged no console error, and that the rendered
//! DOM holds one bar per fill rate with its exact value.
//!
//! Chromium is found as `$ALLOT_CHROMIUM`, else `chromium`,
//! `chromium-browser` or `google-chrome` on the PATH. Without one the test
//! prints why it is skipped and passes, unless `ALLOT_BROWSER_TESTS=require`
//! (set by `.ci/run`, which installs Chromium), where it fails. The
//! screenshots are written to `target/report-screenshots/`; with
//! `ALLOT_SCREENSHOTS=docs` also to `docs/report-*.png`, the pictures the
//! README shows.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Test;

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 1500;

fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ALLOT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` (after saying why) when the test is skipped.
fn browser() -> Option<PathBuf> {
    let required = std::env::var("ALLOT_BROWSER_TESTS").is_ok_and(|v| v == "require");
    match find_browser() {
        Some(p) => Some(p),
        None if required => panic!(
            "ALLOT_BROWSER_TESTS=require but no Chromium was found (set ALLOT_CHROMIUM or install the `chromium` package)"
        ),
        None => {
            eprintln!(
                "SKIPPED browser test: no Chromium found (install the Debian package `chromium`, or set ALLOT_CHROMIUM); set ALLOT_BROWSER_TESTS=require to make this a failure"
            );
            None
        }
    }
}

/// What one browser run printed.
struct Run {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with `extra` flags, in a fresh profile,
/// with the flags this machine needs (no network, no background services).
fn chromium(browser: &Path, dir: &Path, page: &Path, extra: &[String]) -> Run {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", browser.display()));
    // Read both pipes while waiting, so that a full pipe cannot block it.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = Run {
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    assert!(
        status.success(),
        "Chromium failed ({status}):\n{}",
        run.stderr
    );
    run
}

/// The console messages Chromium logged on stderr. With
/// `--enable-logging=stderr --v=0` it logs every message of the page's
/// console, whatever its level, as `[...:INFO:CONSOLE:line] "text", source:
/// URL (line)`; the report has no script, so any message at all is an error
/// (an uncaught exception or a refused load would be one).
fn console_errors(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// Renders `page` (the report of `result`), checks the screenshot, the
/// console and the DOM; returns the PNG.
fn check_in_browser(browser: &Path, name: &str, page: &str, result: &serde_json::Value) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.html"));
    std::fs::write(&file, page).unwrap();
    let shot = dir.path().join(format!("{name}.png"));
    let run = chromium(
        browser,
        dir.path(),
        &file,
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={WIDTH},{HEIGHT}"),
        ],
    );
    let errors = console_errors(&run.stderr);
    assert!(
        errors.is_empty(),
        "{name}: console errors:\n{}",
        errors.join("\n")
    );

    let png = std::fs::read(&shot)
        .unwrap_or_else(|e| panic!("{name}: no screenshot ({e}):\n{}", run.stderr));
    let (w, h, pixels) = decode(&png);
    assert_eq!((w, h), (WIDTH, HEIGHT), "{name}: screenshot size");
    // Not blank: a good share of the pixels is not the background, and the
    // page has dark text and coloured bars.
    let px = |i: usize| (pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]);
    let n = (w * h) as usize;
    let background = px(0);
    let other = (0..n).filter(|&i| px(i) != background).count();
    let dark = (0..n)
        .filter(|&i| {
            let (r, g, b) = px(i);
            r < 80 && g < 80 && b < 80
        })
        .count();
    let blue = (0..n)
        .filter(|&i| {
            let (r, g, b) = px(i);
            b > 150 && r < 40 && g > 80 && g < 140
        })
        .count();
    assert!(
        other * 50 > n,
        "{name}: the screenshot is nearly blank ({other} of {n} pixels)"
    );
    assert!(
        dark > 1000,
        "{name}: no text in the screenshot ({dark} dark pixels)"
    );
    assert!(
        blue > 200,
        "{name}: no bar of the first fill colour in the screenshot ({blue} pixels)"
    );

    let dom = chromium(browser, dir.path(), &file, &["--dump-dom".to_string()]);
    let errors = console_errors(&dom.stderr);
    assert!(
        errors.is_empty(),
        "{name}: console errors:\n{}",
        errors.join("\n")
    );
    let doc = scraper::Html::parse_document(&dom.stdout);
    crate::html::assert_bars_match(&doc, result);
    png
}

/// RGB pixels of a PNG.
fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let rgb = bytes
        .chunks(channels)
        .flat_map(|c| match channels {
            1 | 2 => [c[0], c[0], c[0]],
            _ => [c[0], c[1], c[2]],
        })
        .collect();
    (info.width, info.height, rgb)
}

fn keep(name: &str, png: &[u8]) {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join(format!("{name}.png")), png);
    if std::env::var("ALLOT_SCREENSHOTS").is_ok_and(|v| v == "docs") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/{name}.png"));
        std::fs::write(&docs, png).unwrap();
    }
}

/// The detector is not silent: a page that logs a console error and loads
/// a missing image is caught.
#[test]
fn browser_console_errors_are_seen() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><title>bad</title><script>console.error('boom from the test')</script><p>x</p>\n",
    )
    .unwrap();
    let run = chromium(&browser, dir.path(), &file, &["--dump-dom".to_string()]);
    let errors = console_errors(&run.stderr);
    assert!(
        errors.iter().any(|l| l.contains("boom from the test")),
        "a console.error was not seen on stderr:\n{}",
        run.stderr
    );
}

#[test]
fn browser_renders_the_reports() {
    let Some(browser) = browser() else { return };
    let small = Test::new()
        .file("p.toml", crate::html::SMALL)
        .args(["solve", "p.toml", "--format", "json"])
        .status(0)
        .run();
    let scenarios = Test::new()
        .repo_file("problems/chips-taiwan-blockade.toml", "p.toml")
        .args(["solve", "p.toml", "--all-scenarios", "--format", "json"])
        .status(0)
        .run();
    // The README's picture: one scenario with shortages.
    let blockade = Test::new()
        .repo_file("problems/chips-taiwan-blockade.toml", "p.toml")
        .args([
            "solve",
            "p.toml",
            "--scenario",
            "strait-blockade",
            "--format",
            "json",
        ])
        .status(0)
        .run();
    for (name, out) in [
        ("report-small", small),
        ("report-chips-taiwan-blockade", scenarios),
        ("report-strait-blockade", blockade),
    ] {
        let page = allot::output::html::render_str(&out.stdout).unwrap();
        let png = check_in_browser(&browser, name, &page, &out.json());
        keep(name, &png);
    }
}
