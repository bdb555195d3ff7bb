//! `identmap eval`.

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

use identmap_cli::{eval, output};

pub(crate) fn run(file: &str, engine: identmap::Engine) -> Result<ExitCode, String> {
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?))
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| format!("{file}: {e}"))?;
        let result = match std::str::from_utf8(&line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => eval::eval_line_with(text, engine),
            Err(e) => {
                serde_json::json!({"ok": false, "error": format!("line {}: invalid UTF-8 at byte {}", n + 1, e.valid_up_to())})
            }
        };
        if let Err(e) = writeln!(out, "{result}") {
            // A closed pipe ends the output quietly; any other write error is the command's.
            return output::stdout_error(e).map(|()| ExitCode::SUCCESS);
        }
    }
    out.flush().or_else(output::stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
