//! Stop points for tests that must act at an exact moment of a run (kill it, change its input)
//! without guessing the moment with a sleep.
//!
//! When the environment variable of a stop point is `1`, the run prints
//! `nucleus: paused at VARIABLE: WHAT` on standard error and waits until standard input ends;
//! a test reads standard error up to that line, does what it must, then closes standard input
//! (or kills the run). Standard input must not be an input of the run.

use std::io::{self, Write};

/// After a `-o FILE`'s temporary file is written and synced, before it is renamed into place.
pub const BEFORE_RENAME: &str = "NUCLEUS_TEST_STOP_BEFORE_RENAME";

/// In `append`, after the base was read and checked, before it is read again to be written.
pub const BETWEEN_BASE_READS: &str = "NUCLEUS_TEST_STOP_BETWEEN_BASE_READS";

/// Waits at the stop point `variable` when it is enabled; `what` is printed with it.
pub fn stop_point(variable: &str, what: &str) {
    if std::env::var_os(variable).is_none_or(|value| value != "1") {
        return;
    }
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "nucleus: paused at {variable}: {what}");
    let _ = stderr.flush();
    drop(stderr);
    let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
}
