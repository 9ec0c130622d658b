//! Progress bars for long work: drawn on a terminal, silent in pipes and CI.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

fn hide_unless_terminal(bar: &ProgressBar, quiet: bool) {
    if quiet || !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
}

/// A bar with `len` steps; hidden when stderr is not a terminal or `quiet` is set.
pub fn bar(len: u64, message: &str, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(len);
    hide_unless_terminal(&bar, quiet);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}

/// A spinner with a status message and the elapsed time, redrawn every 100 ms; hidden like
/// [`bar`].
pub fn spinner(message: &str, quiet: bool) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    hide_unless_terminal(&spinner, quiet);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
        spinner.set_style(style);
    }
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    spinner
}
