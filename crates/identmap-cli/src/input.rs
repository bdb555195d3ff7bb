//! Reading inputs: files or stdin, UTF-8 checked with a location, and `.sql` files of
//! `SET CLUSTER SETTING` statements.

use std::io::Read;
use std::path::Path;

use identmap::sql::{self, Settings};
use identmap::{LineIndex, Span};

/// Inputs larger than this are refused (a clear error, not an out-of-memory).
pub const MAX_INPUT: u64 = 256 << 20;

/// A source text and its name.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in diagnostics (the path, or `<stdin>`).
    pub name: String,
    /// The text.
    pub text: String,
}

/// Read `path` (`-` for stdin) as UTF-8, with an error that says where invalid UTF-8 starts.
/// A path given on the command line may be any readable file (a FIFO, `/dev/stdin`), as for
/// `cat`; its size is bounded however it reports it (`/dev/zero` reports 0).
///
/// # Errors
/// I/O errors, inputs over [`MAX_INPUT`], and invalid UTF-8 (with its line and column).
pub fn read_source(path: &str) -> Result<Source, String> {
    let (name, bytes) = if path == "-" {
        ("<stdin>".to_string(), read_bounded("<stdin>", std::io::stdin())?)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        (path.to_string(), read_bounded(path, file)?)
    };
    let text = decode(&name, bytes)?;
    Ok(Source { name, text })
}

/// [`read_source`] for a file named inside another file (an `include`, a `map` directive of an
/// expectation file, a file of `identmap.toml`): it must be a regular file, so that a committed
/// file naming a FIFO, a device or `/dev/stdin` cannot stall or flood a CI job.
///
/// # Errors
/// As [`read_source`], and a path that is not a regular file.
pub fn read_named(path: &str) -> Result<Source, String> {
    regular(path)?;
    read_source(path)
}

/// Refuse a path that is not a regular file (after following links).
fn regular(path: &str) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{path}: {e}"))?;
    if meta.is_file() {
        Ok(())
    } else if meta.is_dir() {
        Err(format!("{path}: is a directory"))
    } else {
        Err(format!(
            "{path}: not a regular file (a FIFO, socket or device): a file named inside another file must be a regular file"
        ))
    }
}

/// Everything `reader` gives, refused past [`MAX_INPUT`] bytes (never read further).
fn read_bounded(name: &str, reader: impl Read) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    reader.take(MAX_INPUT + 1).read_to_end(&mut buf).map_err(|e| format!("{name}: {e}"))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(format!("{name}: larger than identmap's input limit of {MAX_INPUT} bytes"));
    }
    Ok(buf)
}

/// Decode UTF-8, reporting the first invalid byte's line and column.
///
/// # Errors
/// `NAME:LINE:COL: invalid UTF-8 (byte 0xNN)`.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let valid = String::from_utf8_lossy(&bytes[..at]);
        let (line, col) = LineIndex::new(&valid).line_col(at);
        format!("{name}:{line}:{col}: invalid UTF-8 (byte 0x{:02x}); identity maps must be UTF-8", bytes[at])
    })
}

/// Whether a file is SQL (by its extension).
#[must_use]
pub fn is_sql(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// The identity map of a `.sql` file: the value of the last
/// `SET CLUSTER SETTING server.identity_map.configuration` statement, and the settings.
///
/// # Errors
/// When the file sets no identity map, or its value is not a string.
pub fn identity_map_of_sql(src: &Source) -> Result<(Settings, String), String> {
    let settings = sql::parse_settings(&src.text);
    let Some(s) = settings.setting(sql::IDENTITY_MAP) else {
        return Err(format!("{}: no `SET CLUSTER SETTING {} = '…'` statement", src.name, sql::IDENTITY_MAP));
    };
    let Some(text) = s.text() else {
        return Err(format!(
            "{}: {} is set to {}, not a string",
            src.name,
            sql::IDENTITY_MAP,
            s.raw().unwrap_or("?")
        ));
    };
    let text = text.to_string();
    Ok((settings, text))
}

/// Where a span of the map text is in the file: identity for a plain map, through the
/// string literal's byte map for SQL.
#[must_use]
pub fn to_file_span(settings: Option<&Settings>, span: Span) -> Span {
    match settings.and_then(|s| s.setting(sql::IDENTITY_MAP)) {
        Some(setting) => setting.source_span(span),
        None => span,
    }
}

/// The real file system, for `pg_ident.conf` includes and `@file`s.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsResolver;

impl identmap::postgres::FileResolver for FsResolver {
    fn read(&self, path: &str) -> Result<String, identmap::postgres::FileError> {
        use identmap::postgres::{FileError, FileErrorKind};
        let io = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => FileError::not_found(),
            std::io::ErrorKind::PermissionDenied => {
                FileError::new(FileErrorKind::PermissionDenied, "Permission denied")
            }
            std::io::ErrorKind::IsADirectory => FileError::new(FileErrorKind::Other, "Is a directory"),
            _ => FileError::new(FileErrorKind::Other, e.to_string()),
        };
        // Included files are named inside other files: regular files only, bounded.
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(FileError::new(FileErrorKind::Other, "Is a directory"));
        }
        if !meta.is_file() {
            return Err(FileError::new(
                FileErrorKind::Refused,
                "not a regular file (a FIFO, socket or device): identmap reads only regular files named inside other files",
            ));
        }
        let file = std::fs::File::open(path).map_err(io)?;
        let bytes = read_bounded(path, file).map_err(|e| FileError::new(FileErrorKind::Refused, e))?;
        decode(path, bytes).map_err(|e| FileError::new(FileErrorKind::Other, e))
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>, identmap::postgres::FileError> {
        use identmap::postgres::{FileError, FileErrorKind};
        let entries = std::fs::read_dir(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FileError::not_found(),
            _ => FileError::new(FileErrorKind::Other, e.to_string()),
        })?;
        Ok(entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect())
    }
}

/// Role memberships from a JSON file `{"member": ["role", …], …}` (the `roles` of the
/// conformance records): every name in it exists as a role.
///
/// # Errors
/// I/O errors and malformed JSON, with the file name.
pub fn read_role_graph(path: &str) -> Result<identmap::postgres::Roles, String> {
    let src = read_named(path)?;
    let v: serde_json::Value = serde_json::from_str(&src.text).map_err(|e| format!("{path}: {e}"))?;
    roles_from_json(&v).map_err(|e| format!("{path}: {e}"))
}

/// Role memberships from JSON `{"member": ["role", …], …}`: [`identmap::postgres::Roles::from_json`].
///
/// # Errors
/// When the value is not an object of string lists.
pub fn roles_from_json(v: &serde_json::Value) -> Result<identmap::postgres::Roles, String> {
    identmap::postgres::Roles::from_json(v)
}
