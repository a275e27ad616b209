//! Terminal niceties on stderr, never on stdout: a progress spinner for long
//! runs and coloured error messages.
//!
//! Both only appear on a terminal. The spinner shows up once a run has taken
//! [`SPINNER_DELAY`], so quick runs and redirected stderr stay silent.
//! Colour follows the usual conventions through [`anstream`]: none when
//! stderr is not a terminal or `NO_COLOR` is set (`CLICOLOR_FORCE=1` forces
//! it, except under `NO_COLOR`).

use std::io::IsTerminal;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run must take before the spinner appears.
pub const SPINNER_DELAY: Duration = Duration::from_secs(1);

/// A spinner on stderr that appears after [`SPINNER_DELAY`] when stderr is a
/// terminal, and is cleared when dropped. Otherwise it does nothing.
pub struct Spinner {
    bar: Option<ProgressBar>,
    done: Option<mpsc::Sender<()>>,
    timer: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts the delay; the spinner shows only if stderr is a terminal.
    pub fn start() -> Spinner {
        if !std::io::stderr().is_terminal() {
            return Spinner::off();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>3} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let (done, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let timer = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(SPINNER_DELAY) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
                // Until the run ends (the sender is dropped).
                let _ = wait.recv();
            }
        });
        Spinner {
            bar: Some(bar),
            done: Some(done),
            timer: Some(timer),
        }
    }

    /// A spinner that never shows.
    pub fn off() -> Spinner {
        Spinner {
            bar: None,
            done: None,
            timer: None,
        }
    }

    /// Sets the text beside the spinner (e.g. the stage being solved).
    pub fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
        }
    }

    /// Runs `f` (which may print to stderr) with the spinner out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(timer) = self.timer.take() {
            let _ = timer.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();
const ARROW: Style = AnsiColor::Blue.on_default().bold();

/// Adds ANSI styles to rendered error text: `error:` red, `= help:` cyan,
/// `-->` blue. Printing through [`eprint_error`] strips them again where
/// colour is not wanted.
pub fn style_error(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let rest = line.trim_start();
        if let Some(tail) = line.strip_prefix("error:") {
            out.push_str(&format!("{ERROR}error:{ERROR:#}{tail}"));
        } else if let Some(tail) = rest.strip_prefix("= help:") {
            out.push_str(&format!("{indent}{HELP}= help:{HELP:#}{tail}"));
        } else if let Some(tail) = rest.strip_prefix("-->") {
            out.push_str(&format!("{indent}{ARROW}-->{ARROW:#}{tail}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Prints an error message to stderr, coloured only where colour is wanted
/// (see the module docs), as `error: …` like clap's own usage errors (a
/// message that does not start so, e.g. a usage or I/O error, gets the
/// prefix). A closed stderr is ignored.
pub fn eprint_error(text: &str) {
    anstream::eprint!("{}", style_error(&with_error_prefix(text.trim_end())));
}

/// `text`, starting with `error:`.
fn with_error_prefix(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with("error:") {
        text.into()
    } else {
        format!("error: {text}").into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_error_help_and_location_lines_only() {
        let text = "error: `periods`: must be a whole number\n  --> p.toml:1:11\n  |\n  = help: write e.g. `periods = 12`\n2 errors";
        let styled = style_error(text);
        assert!(styled.starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m `periods`"));
        assert!(styled.contains("  \u{1b}[1m\u{1b}[36m= help:\u{1b}[0m write"));
        assert!(styled.contains("  \u{1b}[1m\u{1b}[34m-->\u{1b}[0m p.toml:1:11"));
        assert!(styled.ends_with("\n2 errors\n"));
        // Without the escapes, the text is unchanged.
        let plain: String = anstream::adapter::strip_str(&styled).to_string();
        assert_eq!(plain, format!("{text}\n"));
    }

    #[test]
    fn every_error_message_starts_with_error() {
        assert_eq!(
            with_error_prefix("p.toml: No such file or directory"),
            "error: p.toml: No such file or directory"
        );
        let located = "error: `periods`: must be a whole number\n  --> p.toml:1:11";
        assert_eq!(with_error_prefix(located), located);
    }

    #[test]
    fn a_spinner_off_a_terminal_does_nothing() {
        let s = Spinner::off();
        s.set_message("x");
        assert_eq!(s.suspend(|| 7), 7);
    }
}
