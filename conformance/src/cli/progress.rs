//! Live progress: an indicatif bar with the current scenario on a terminal, plain lines otherwise (CI logs).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::model::{ScenarioResult, Verdict};
use crate::runner::Progress;

/// The progress reporter for stderr.
pub(super) fn for_terminal() -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() {
        Box::new(Bar(Mutex::new(None)))
    } else {
        Box::new(Lines)
    }
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Skipped => "skip",
        Verdict::Error => "ERROR",
    }
}

struct Bar(Mutex<Option<ProgressBar>>);

impl Bar {
    fn with(&self, f: impl FnOnce(&ProgressBar)) {
        if let Some(b) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            f(b);
        }
    }
}

impl Progress for Bar {
    fn begin(&self, total: usize) {
        let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0));
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}") {
            bar.set_style(style);
        }
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
    }
    fn started(&self, id: &str) {
        self.with(|b| b.set_message(id.to_owned()));
    }
    fn finished(&self, r: &ScenarioResult) {
        self.with(|b| {
            if matches!(r.verdict, Verdict::Fail | Verdict::Error) {
                b.println(format!("{} {}: {}", mark(r.verdict), r.id, r.reason));
            }
            b.inc(1);
        });
    }
    fn end(&self) {
        self.with(ProgressBar::finish_and_clear);
    }
}

struct Lines;

impl Progress for Lines {
    fn begin(&self, total: usize) {
        eprintln!("running {total} scenarios");
    }
    fn started(&self, _: &str) {}
    fn finished(&self, r: &ScenarioResult) {
        eprintln!("{:<5} {} ({} ms)", mark(r.verdict), r.id, r.duration_ms);
    }
    fn end(&self) {}
}
