//! The import progress bar: on stderr, only when stderr is a terminal and `NO_COLOR` is
//! not set; otherwise nothing at all.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use plupper_sync::file::ImportProgress;
use plupper_sync::load::Progress;

/// A bar per file, in bytes.
pub struct ImportBar {
    bar: Option<ProgressBar>,
}

impl ImportBar {
    pub fn new() -> ImportBar {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = wanted.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        ImportBar { bar }
    }

    /// Prints a line above the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for ImportBar {
    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
}

impl ImportProgress for ImportBar {
    fn start_file(&self, path: &Path, len: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(len);
            bar.set_position(0);
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            bar.set_message(name);
        }
    }
}

/// A bar counting items (messages indexed), on stderr when it is a terminal and
/// `NO_COLOR` is not set.
pub struct CountBar {
    bar: Option<ProgressBar>,
}

impl CountBar {
    pub fn new() -> CountBar {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        CountBar { bar: wanted.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())) }
    }

    pub fn start(&self, message: &'static str, total: u64) {
        if let Some(bar) = &self.bar {
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta})") {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(message);
            bar.set_length(total);
        }
    }

    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
