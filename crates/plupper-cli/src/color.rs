//! `--color auto|always|never` beside `NO_COLOR`: whether output gets ANSI styles (the
//! matches in bold in `search`'s table, the levels of `-v` log lines).

use std::sync::OnceLock;

use clap::ValueEnum;

/// When to style output, as `--color` gives it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless the environment sets `NO_COLOR`.
    #[default]
    Auto,
    /// Always, also into a pipe or a file, and whatever `NO_COLOR` says.
    Always,
    /// Never.
    Never,
}

/// The choice for this run, set once by `main` before any command runs.
static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the run's `--color`. A second call changes nothing.
pub fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether to style what goes to a stream that is (`terminal`) or is not a terminal.
pub fn styled(terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    decide(
        CHOICE.get().copied().unwrap_or_default(),
        terminal,
        no_color,
    )
}

/// The rule (<https://no-color.org>): `NO_COLOR` (set and not empty) turns styles off
/// for `auto`; an explicit `always` or `never` wins over it.
fn decide(choice: ColorChoice, terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_the_terminal_and_no_color_and_the_flag_wins() {
        for terminal in [false, true] {
            for no_color in [false, true] {
                assert!(decide(ColorChoice::Always, terminal, no_color));
                assert!(!decide(ColorChoice::Never, terminal, no_color));
                assert_eq!(
                    decide(ColorChoice::Auto, terminal, no_color),
                    terminal && !no_color
                );
            }
        }
    }
}
