//! Writing to standard output. A reader that goes away (`identmap lint … | head -c1`) ends the
//! output quietly, as Unix tools do, and the command keeps its own exit status; any other write
//! error (a full disk, `>/dev/full`) is an error that names standard output. Never a panic, which
//! is what `println!` does on a closed pipe.

use std::io::{self, Write};

/// Write `text` to standard output and flush it.
///
/// # Errors
/// A write error other than a closed pipe, as a message.
pub fn emit(text: &str) -> Result<(), String> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).or_else(stdout_error)
}

/// What a write error on standard output means: `Ok` for a closed pipe (stop writing; the reader
/// is gone), else the error as a message.
///
/// # Errors
/// Every error but a closed pipe.
pub fn stdout_error(e: io::Error) -> Result<(), String> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(format!("cannot write to standard output: {e}"))
    }
}
