//! Progress bars on stderr, only when stderr is a terminal and `NO_COLOR` is not set;
//! otherwise nothing at all.

use std::fmt::Write;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use plupper_sync::file::ImportProgress;
use plupper_sync::load::Progress;

/// A progress bar, or nothing when stderr is not for people.
pub struct Bar {
    bar: Option<ProgressBar>,
    /// What the bar is counting (a file's name, `indexing`): the template's `{label}`,
    /// read at each draw. Not indicatif's message, which draws when it is set: a label set
    /// apart from the counts would be drawn once with the last file's counts.
    label: Arc<Mutex<String>>,
}

impl Bar {
    /// A bar counting bytes (of the file being imported).
    pub fn bytes() -> Bar {
        Bar::with_template("{label} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
    }

    /// A bar counting items (messages indexed).
    pub fn count() -> Bar {
        // Whole items a second: indicatif's `{per_sec}` shows four decimals.
        Bar::with_template("{label} [{bar:30}] {human_pos}/{human_len} ({rate}/s, {eta})")
    }

    fn with_template(template: &str) -> Bar {
        let label = Arc::new(Mutex::new(String::new()));
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(template) {
                let shown = Arc::clone(&label);
                let style = style
                    .with_key("rate", |state: &ProgressState, w: &mut dyn Write| {
                        let _ =
                            write!(w, "{}", HumanCount(state.per_sec().max(0.0).round() as u64));
                    })
                    .with_key("label", move |_: &ProgressState, w: &mut dyn Write| {
                        let label = shown.lock().unwrap_or_else(PoisonError::into_inner);
                        let _ = w.write_str(&label);
                    });
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Bar { bar, label }
    }

    /// Restarts the bar at 0 of `total`, labelled `label`, in one draw.
    pub fn start(&self, label: String, total: u64) {
        if let Some(bar) = &self.bar {
            *self.label.lock().unwrap_or_else(PoisonError::into_inner) = label;
            bar.update(|state| {
                state.set_len(total);
                state.set_pos(0);
            });
        }
    }

    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Prints a line above the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| say!("{line}")),
            None => say!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn advance(&self, bytes: u64) {
        Bar::advance(self, bytes);
    }
}

impl ImportProgress for Bar {
    fn start_file(&self, path: &Path, len: u64) {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.start(name, len);
    }
}
