//! `parse_ident_line`: map lines from tokenized lines, with their regexes compiled; the loaded
//! file; the `pg_ident_file_mappings` view.

use core::fmt;

use regex_automata::meta;
use regex_syntax::hir::Hir;

use super::files::{FileError, FileResolver, MemoryFiles};
use super::load::{Loader, TokLine};
use super::{Field, LoadError, LoadErrorKind, Location, SourceFile, Token, Version};
use crate::Span;

/// A compiled `pg_ident.conf` regex (the token text after the leading `/`).
#[derive(Clone, Debug)]
pub struct Regex {
    pattern: String,
    groups: usize,
    pub(crate) hir: Option<Hir>,
    pub(crate) compiled: Option<meta::Regex>,
    /// ARE's whole-regex preference is the shortest match (its first quantifier is non-greedy).
    pub(crate) prefers_shortest: bool,
    unsupported: Option<(String, Span)>,
    capture_risk: Option<(String, Span)>,
}

impl Regex {
    /// Compile `pattern` (without the leading `/`) as PostgreSQL's ARE engine would, or give
    /// PostgreSQL's reason for rejecting it.
    fn compile(pattern: &str) -> Result<Regex, String> {
        let are = crate::regex::are::parse(pattern.as_bytes()).map_err(|e| e.to_string())?;
        let mut unsupported = are.unsupported.map(|u| (u.construct, u.span));
        let compiled = match &are.hir {
            Some(hir) => match crate::regex::compile(hir, true) {
                Ok(re) => Some(re),
                Err(e) => {
                    unsupported.get_or_insert((e.message, Span::new(0, pattern.len())));
                    None
                }
            },
            None => None,
        };
        if compiled.is_none() && unsupported.is_none() {
            unsupported =
                Some(("a construct identmap cannot evaluate".to_string(), Span::new(0, pattern.len())));
        }
        Ok(Regex {
            pattern: pattern.to_string(),
            groups: are.groups,
            hir: are.hir,
            compiled,
            prefers_shortest: are.prefers_shortest,
            unsupported,
            capture_risk: are.capture_risk.map(|u| (u.construct, u.span)),
        })
    }

    /// The pattern text (without the leading `/`).
    #[must_use]
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The number of capturing groups.
    #[must_use]
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Why identmap cannot evaluate this pattern (PostgreSQL accepts it), and where in the pattern.
    #[must_use]
    pub fn unsupported(&self) -> Option<(&str, Span)> {
        self.unsupported.as_ref().map(|(s, sp)| (s.as_str(), *sp))
    }

    /// Why the text of capture group 1 may differ between PostgreSQL and identmap.
    #[must_use]
    pub fn capture_risk(&self) -> Option<(&str, Span)> {
        self.capture_risk.as_ref().map(|(s, sp)| (s.as_str(), *sp))
    }
}

/// A valid map line: map name, system-user and database-user tokens, compiled regexes.
#[derive(Clone, Debug)]
pub struct MapLine {
    pub(crate) number: usize,
    pub(crate) location: Location,
    pub(crate) map: Token,
    pub(crate) system_user: Token,
    pub(crate) database_user: Token,
    pub(crate) system_regex: Option<Regex>,
    pub(crate) database_regex: Option<Regex>,
}

impl MapLine {
    /// 1-based number among the valid lines (the view's `map_number`).
    #[must_use]
    pub fn number(&self) -> usize {
        self.number
    }

    /// Where the line is.
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The map name.
    #[must_use]
    pub fn map(&self) -> &Token {
        &self.map
    }

    /// The system-user token (a regex when its text starts with `/`).
    #[must_use]
    pub fn system_user(&self) -> &Token {
        &self.system_user
    }

    /// The database-user token.
    #[must_use]
    pub fn database_user(&self) -> &Token {
        &self.database_user
    }

    /// The compiled system-user regex.
    #[must_use]
    pub fn system_regex(&self) -> Option<&Regex> {
        self.system_regex.as_ref()
    }

    /// The compiled database-user regex (16+ only).
    #[must_use]
    pub fn database_regex(&self) -> Option<&Regex> {
        self.database_regex.as_ref()
    }
}

/// A non-empty line of the expanded file: a map line or an error (one row of the view).
#[derive(Clone, Debug)]
pub struct Line {
    location: Location,
    fields: Vec<Field>,
    result: Result<MapLine, LoadError>,
}

impl Line {
    /// Where the line is (file, first physical line, span of the whole logical line).
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Its fields (empty fields are dropped, as PostgreSQL does).
    #[must_use]
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The map line, when the line is valid.
    #[must_use]
    pub fn map_line(&self) -> Option<&MapLine> {
        self.result.as_ref().ok()
    }

    /// The error, when it is not.
    #[must_use]
    pub fn error(&self) -> Option<&LoadError> {
        self.result.as_ref().err()
    }
}

/// A row of `pg_ident_file_mappings`. For 15, `map_number` and `file_name` are not columns.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewRow {
    /// `map_number` (16+): the number among valid lines; `None` on error rows.
    pub map_number: Option<usize>,
    /// `file_name` (16+).
    pub file_name: String,
    /// `line_number`.
    pub line_number: usize,
    /// `map_name` (dequoted).
    pub map_name: Option<String>,
    /// `sys_name` (dequoted; a regex keeps its `/`).
    pub sys_name: Option<String>,
    /// `pg_username` (dequoted).
    pub pg_username: Option<String>,
    /// `error`.
    pub error: Option<String>,
}

/// A `pg_ident.conf` with everything it includes, tokenized and parsed for one [`Version`].
///
/// ```
/// use identmap::postgres::{IdentFile, MemoryFiles, Version};
/// let mut files = MemoryFiles::new();
/// files.insert("$PGDATA/pg_ident.conf", "include extra.conf\nm carol carol\n");
/// files.insert("$PGDATA/extra.conf", "m alice bob\nm /( x\n");
/// let file = IdentFile::load("$PGDATA/pg_ident.conf", &files, Version::V16).unwrap();
/// let rows = file.view();
/// assert_eq!(rows.len(), 3);
/// assert_eq!(rows[1].file_name, "$PGDATA/extra.conf");
/// assert_eq!(rows[1].error.as_deref(), Some("invalid regular expression \"(\": parentheses () not balanced"));
/// assert!(!file.is_loaded());
/// ```
#[derive(Clone, Debug)]
pub struct IdentFile {
    version: Version,
    path: String,
    sources: Vec<SourceFile>,
    lines: Vec<Line>,
    loaded: bool,
    /// The first line whose file identmap refused to read, if any.
    refused: Option<usize>,
}

impl IdentFile {
    /// Read the file at `path` and everything it includes through `resolver`.
    ///
    /// # Errors
    ///
    /// Only when the main file itself cannot be read; every other problem is kept in the result
    /// (see [`IdentFile::errors`]).
    pub fn load(path: &str, resolver: &dyn FileResolver, version: Version) -> Result<IdentFile, FileError> {
        let text = resolver.read(path)?;
        let mut loader = Loader::new(resolver, version);
        let mut tok_lines = Vec::new();
        loader.tokenize_file(path, text, 0, &mut tok_lines);
        let mut number = 0;
        let lines = tok_lines
            .into_iter()
            .map(|tl| {
                let result = match tl.error {
                    Some(e) => Err(e),
                    None => parse_line(&tl, version, number + 1),
                };
                if result.is_ok() {
                    number += 1;
                }
                Line { location: tl.location, fields: tl.fields, result }
            })
            .collect();
        let lines: Vec<Line> = lines;
        let loaded = lines.iter().all(|l| l.result.is_ok());
        let refused =
            lines.iter().position(|l| l.error().is_some_and(|e| e.kind() == LoadErrorKind::Refused));
        Ok(IdentFile { version, path: path.to_string(), sources: loader.sources, lines, loaded, refused })
    }

    /// Parse a text as `pg_ident.conf` with no other files (includes and `@file`s are missing).
    #[must_use]
    pub fn parse_str(text: &str, version: Version) -> IdentFile {
        let mut files = MemoryFiles::new();
        files.insert("pg_ident.conf", text);
        match IdentFile::load("pg_ident.conf", &files, version) {
            Ok(f) => f,
            Err(_) => {
                let path = "pg_ident.conf".into();
                IdentFile {
                    version,
                    path,
                    sources: Vec::new(),
                    lines: Vec::new(),
                    loaded: true,
                    refused: None,
                }
            }
        }
    }

    /// The version it was parsed for.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// The main file's path.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every file read, main file first.
    #[must_use]
    pub fn sources(&self) -> &[SourceFile] {
        &self.sources
    }

    /// The text of a file read while loading.
    #[must_use]
    pub fn source(&self, path: &str) -> Option<&str> {
        self.sources.iter().find(|s| s.path() == path).map(SourceFile::text)
    }

    /// Every non-empty line in order, includes expanded.
    #[must_use]
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The valid map lines in order.
    pub fn map_lines(&self) -> impl Iterator<Item = &MapLine> {
        self.lines.iter().filter_map(Line::map_line)
    }

    /// Every map name of the valid map lines, once each, in the order they first appear.
    ///
    /// ```
    /// use identmap::postgres::{IdentFile, Version};
    /// let file = IdentFile::parse_str("b x u\na y u\nb z u\n", Version::V16);
    /// assert_eq!(file.map_names(), ["b", "a"]);
    /// ```
    #[must_use]
    pub fn map_names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.map_lines().map(|ml| ml.map.text()).filter(|n| seen.insert(*n)).collect()
    }

    /// The first error of a file identmap refused to read ([`LoadErrorKind::Refused`]): what the
    /// server does with this file is then unknown.
    #[must_use]
    pub fn refused(&self) -> Option<&LoadError> {
        self.refused.and_then(|i| self.lines[i].error())
    }

    /// Every error in order.
    pub fn errors(&self) -> impl Iterator<Item = &LoadError> {
        self.lines.iter().filter_map(Line::error)
    }

    /// Whether the server would load this file: no line has an error. (On reload a file with
    /// errors is ignored and the previous map stays; at startup no map line is loaded at all.)
    #[must_use]
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// The rows of the `pg_ident_file_mappings` view.
    #[must_use]
    pub fn view(&self) -> Vec<ViewRow> {
        self.lines
            .iter()
            .map(|line| match &line.result {
                Ok(m) => ViewRow {
                    map_number: Some(m.number),
                    file_name: line.location.file().to_string(),
                    line_number: line.location.line(),
                    map_name: Some(m.map.text().to_string()),
                    sys_name: Some(m.system_user.text().to_string()),
                    pg_username: Some(m.database_user.text().to_string()),
                    error: None,
                },
                Err(e) => ViewRow {
                    map_number: None,
                    file_name: line.location.file().to_string(),
                    line_number: line.location.line(),
                    map_name: None,
                    sys_name: None,
                    pg_username: None,
                    error: Some(e.message().to_string()),
                },
            })
            .collect()
    }
}

impl fmt::Display for ViewRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
        write!(
            f,
            "{}:{} {} {} {} {}",
            self.file_name,
            self.line_number,
            o(&self.map_name),
            o(&self.sys_name),
            o(&self.pg_username),
            o(&self.error)
        )
    }
}

/// `parse_ident_line`.
fn parse_line(tl: &TokLine, version: Version, number: usize) -> Result<MapLine, LoadError> {
    let err = |kind, message: String, span| LoadError {
        kind,
        message,
        location: Location { span, ..tl.location.clone() },
    };
    let mut taken = Vec::with_capacity(3);
    for i in 0..3 {
        let Some(field) = tl.fields.get(i) else {
            let end = Span::empty(tl.location.span().end);
            return Err(err(LoadErrorKind::MissingEntry, "missing entry at end of line".into(), end));
        };
        match field.tokens.as_slice() {
            [one] => taken.push(one.clone()),
            _ => {
                return Err(err(
                    LoadErrorKind::MultipleValues,
                    "multiple values in ident field".into(),
                    field.span,
                ))
            }
        }
    }
    let database_user = taken.pop();
    let system_user = taken.pop();
    let map = taken.pop();
    let (Some(map), Some(system_user), Some(database_user)) = (map, system_user, database_user) else {
        let end = Span::empty(tl.location.span().end);
        return Err(err(LoadErrorKind::MissingEntry, "missing entry at end of line".into(), end));
    };
    let compile = |tok: &Token| -> Result<Option<Regex>, LoadError> {
        match tok.text().strip_prefix('/') {
            None => Ok(None),
            Some(pattern) => Regex::compile(pattern).map(Some).map_err(|reason| LoadError {
                kind: LoadErrorKind::InvalidRegex,
                message: format!("invalid regular expression \"{pattern}\": {reason}"),
                location: if tok.location.file == tl.location.file {
                    Location { line: tl.location.line(), ..tok.location.clone() }
                } else {
                    tl.location.clone()
                },
            }),
        }
    };
    let system_regex = compile(&system_user)?;
    let database_regex = if version.has_includes() { compile(&database_user)? } else { None };
    Ok(MapLine {
        number,
        location: tl.location.clone(),
        map,
        system_user,
        database_user,
        system_regex,
        database_regex,
    })
}
