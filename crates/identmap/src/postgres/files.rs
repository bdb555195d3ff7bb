//! Where the files a `pg_ident.conf` names come from: the [`FileResolver`] trait, its error type
//! and an in-memory implementation, plus PostgreSQL's path arithmetic.

use core::fmt;
use std::collections::BTreeMap;

/// A source of the files a `pg_ident.conf` names (`@file`, `include`, `include_if_exists`,
/// `include_dir`). The core does no I/O: the CLI reads real files, tests use [`MemoryFiles`].
///
/// Paths are strings whose components are joined with `/`, exactly as PostgreSQL builds them
/// (relative names are resolved against the directory of the including file before the resolver
/// sees them).
pub trait FileResolver {
    /// The whole text of the file at `path`.
    ///
    /// # Errors
    ///
    /// A [`FileError`] whose [`reason`](FileError::reason) is printed as PostgreSQL prints
    /// `strerror(errno)`, e.g. `No such file or directory`.
    fn read(&self, path: &str) -> Result<String, FileError>;

    /// The names (not paths) of the entries of directory `path` that are not directories
    /// themselves, in any order. Used by `include_dir`.
    ///
    /// # Errors
    ///
    /// A [`FileError`] when the directory cannot be opened.
    fn read_dir(&self, path: &str) -> Result<Vec<String>, FileError>;
}

/// What went wrong when a file was opened.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileErrorKind {
    /// The file does not exist (`ENOENT`): `include_if_exists` skips it silently.
    NotFound,
    /// Permission denied (`EACCES`).
    PermissionDenied,
    /// Any other failure.
    Other,
    /// identmap's own refusal to read the file (not a regular file, over its size limit): the
    /// server would try to read it, so no verdict of the server's follows from it.
    Refused,
}

/// Why a file could not be read. Opaque; see [`FileError::kind`] and [`FileError::reason`].
///
/// ```
/// use identmap::postgres::{FileError, FileErrorKind};
/// let e = FileError::not_found();
/// assert_eq!(e.kind(), FileErrorKind::NotFound);
/// assert_eq!(e.reason(), "No such file or directory");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    kind: FileErrorKind,
    reason: String,
}

impl FileError {
    /// An error of the given kind with the given reason text.
    #[must_use]
    pub fn new(kind: FileErrorKind, reason: impl Into<String>) -> FileError {
        FileError { kind, reason: reason.into() }
    }

    /// `No such file or directory`.
    #[must_use]
    pub fn not_found() -> FileError {
        FileError::new(FileErrorKind::NotFound, "No such file or directory")
    }

    /// What kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> FileErrorKind {
        self.kind
    }

    /// The reason as PostgreSQL prints it (`%m`), e.g. `No such file or directory`.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for FileError {}

/// An in-memory set of files, keyed by path. Directories exist implicitly: `a/b.conf` makes `a`
/// a directory.
///
/// ```
/// use identmap::postgres::{FileResolver, MemoryFiles};
/// let mut files = MemoryFiles::new();
/// files.insert("$PGDATA/pg_ident.conf", "m alice bob\n");
/// files.insert("$PGDATA/conf.d/a.conf", "m carol dave\n");
/// assert_eq!(files.read("$PGDATA/pg_ident.conf").unwrap(), "m alice bob\n");
/// assert_eq!(files.read_dir("$PGDATA/conf.d").unwrap(), vec!["a.conf".to_string()]);
/// assert!(files.read("$PGDATA/nosuch").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, String>,
}

impl MemoryFiles {
    /// An empty set.
    #[must_use]
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Add (or replace) the file at `path` (canonicalized as PostgreSQL does).
    pub fn insert(&mut self, path: impl AsRef<str>, text: impl Into<String>) {
        self.files.insert(canonicalize(path.as_ref()), text.into());
    }

    /// Number of files.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl FileResolver for MemoryFiles {
    fn read(&self, path: &str) -> Result<String, FileError> {
        let path = canonicalize(path);
        match self.files.get(&path) {
            Some(text) => Ok(text.clone()),
            None if self.is_dir(&path) => Err(FileError::new(FileErrorKind::Other, "Is a directory")),
            None => Err(FileError::not_found()),
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>, FileError> {
        let path = canonicalize(path);
        if self.files.contains_key(&path) {
            return Err(FileError::new(FileErrorKind::Other, "Not a directory"));
        }
        let prefix = if path.ends_with('/') { path.clone() } else { format!("{path}/") };
        let mut names = Vec::new();
        let mut found = false;
        for key in self.files.keys() {
            if let Some(rest) = key.strip_prefix(&prefix) {
                found = true;
                if !rest.is_empty() && !rest.contains('/') {
                    names.push(rest.to_string());
                }
            }
        }
        if found {
            Ok(names)
        } else {
            Err(FileError::not_found())
        }
    }
}

impl MemoryFiles {
    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.files.keys().any(|k| k.starts_with(&prefix))
    }
}

/// PostgreSQL's `canonicalize_path` for `/`-separated paths: collapses repeated slashes, drops
/// `.` components and trailing slashes, and resolves `..` against a preceding component.
pub(crate) fn canonicalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// PostgreSQL's `AbsoluteConfigLocation`: `location` as is when absolute, else relative to the
/// directory of `calling_file`.
pub(crate) fn absolute_location(location: &str, calling_file: &str) -> String {
    if location.starts_with('/') {
        return canonicalize(location);
    }
    let dir = match calling_file.rfind('/') {
        Some(0) => "/",
        Some(i) => &calling_file[..i],
        None => "",
    };
    if dir.is_empty() {
        canonicalize(location)
    } else {
        canonicalize(&format!("{dir}/{location}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(absolute_location("b.conf", "$PGDATA/pg_ident.conf"), "$PGDATA/b.conf");
        assert_eq!(absolute_location("sub/b.conf", "$PGDATA/a.conf"), "$PGDATA/sub/b.conf");
        assert_eq!(absolute_location("/etc/x", "$PGDATA/a.conf"), "/etc/x");
        assert_eq!(absolute_location("x", "a.conf"), "x");
        assert_eq!(absolute_location("../x", "d/sub/a.conf"), "d/x");
        assert_eq!(absolute_location("./x//y/", "/a.conf"), "/x/y");
        assert_eq!(canonicalize("/../x"), "/x");
    }
}
