//! A small fluent harness: write files into a fresh directory, run the
//! `allot` binary there, and check its exit status, stdout and stderr.
//!
//! ```ignore
//! Test::new()
//!     .file("p.toml", PROBLEM)
//!     .args(["solve", "p.toml", "--format", "json"])
//!     .status(0)
//!     .stdout_has("\"status\": \"optimal\"")
//!     .run();
//! ```

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run printed.
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: tempfile::TempDir,
}

impl Output {
    /// The run's directory, where its files are.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// One run of the binary: nothing happens until [`Test::run`].
#[must_use = "a Test does nothing until `.run()`"]
pub struct Test {
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    status: Option<i32>,
    stdout_has: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr_has: Vec<String>,
    stdout_exact: Option<String>,
    dir: Option<tempfile::TempDir>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        Test {
            files: Vec::new(),
            args: Vec::new(),
            envs: Vec::new(),
            status: Some(0),
            stdout_has: Vec::new(),
            stdout_lacks: Vec::new(),
            stderr_has: Vec::new(),
            stdout_exact: None,
            dir: None,
        }
    }

    /// Runs in an existing directory (e.g. one a previous run left).
    pub fn in_dir(mut self, dir: tempfile::TempDir) -> Self {
        self.dir = Some(dir);
        self
    }

    /// Writes a file (relative to the run's directory) before running.
    pub fn file(mut self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        self.files
            .push((name.to_string(), contents.as_ref().to_vec()));
        self
    }

    /// Copies a file of the repository (e.g. `problems/x.toml`) into the run's directory.
    pub fn repo_file(self, repo_path: &str, name: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(repo_path);
        let contents = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        self.file(name, contents)
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Expected exit status (default 0).
    pub fn status(mut self, code: i32) -> Self {
        self.status = Some(code);
        self
    }

    pub fn stdout_has(mut self, s: &str) -> Self {
        self.stdout_has.push(s.into());
        self
    }

    pub fn stdout_lacks(mut self, s: &str) -> Self {
        self.stdout_lacks.push(s.into());
        self
    }

    pub fn stderr_has(mut self, s: &str) -> Self {
        self.stderr_has.push(s.into());
        self
    }

    pub fn stdout(mut self, s: &str) -> Self {
        self.stdout_exact = Some(s.into());
        self
    }

    /// Runs and checks; panics with the full output on any mismatch.
    pub fn run(self) -> Output {
        let dir = match self.dir {
            Some(d) => d,
            None => tempfile::tempdir().expect("tempdir"),
        };
        for (name, contents) in &self.files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(&path, contents).expect("write test file");
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_allot"));
        cmd.args(&self.args)
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run allot");
        let output = Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir,
        };
        let show = || {
            format!(
                "allot {}\n--- status {}\n--- stdout\n{}\n--- stderr\n{}",
                self.args.join(" "),
                output.status,
                output.stdout,
                output.stderr
            )
        };
        if let Some(code) = self.status {
            assert_eq!(output.status, code, "unexpected exit status\n{}", show());
        }
        for s in &self.stdout_has {
            assert!(
                output.stdout.contains(s.as_str()),
                "stdout lacks {s:?}\n{}",
                show()
            );
        }
        for s in &self.stdout_lacks {
            assert!(
                !output.stdout.contains(s.as_str()),
                "stdout has {s:?}\n{}",
                show()
            );
        }
        for s in &self.stderr_has {
            assert!(
                output.stderr.contains(s.as_str()),
                "stderr lacks {s:?}\n{}",
                show()
            );
        }
        if let Some(exact) = &self.stdout_exact {
            assert_eq!(&output.stdout, exact, "stdout differs\n{}", show());
        }
        output
    }
}
