//! Progress bars on stderr, only when stderr is a terminal and `NO_COLOR` is not set;
//! otherwise nothing at all.

use std::io::IsTerminal;
use std::path::Path;

use std::fmt::Write;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use plupper_sync::file::ImportProgress;
use plupper_sync::load::Progress;

/// A progress bar, or nothing when stderr is not for people.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar counting bytes (of the file being imported).
    pub fn bytes() -> Bar {
        Bar::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
    }

    /// A bar counting items (messages indexed).
    pub fn count() -> Bar {
        // Whole items a second: indicatif's `{per_sec}` shows four decimals.
        Bar::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({rate}/s, {eta})")
    }

    fn with_template(template: &str) -> Bar {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(template) {
                let style = style.with_key("rate", |state: &ProgressState, w: &mut dyn Write| {
                    let _ = write!(w, "{}", HumanCount(state.per_sec().max(0.0).round() as u64));
                });
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Bar { bar }
    }

    /// Restarts the bar at 0 of `total`, labelled `message`.
    pub fn start(&self, message: String, total: u64) {
        if let Some(bar) = &self.bar {
            // The label first: each setter may draw (at most 20 times a second), and a
            // draw between them would show the new count under the last file's name
            // until the next draw.
            bar.set_message(message);
            bar.set_length(total);
            bar.set_position(0);
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
