//! `tokenize_auth_file`: a file and everything it includes, as tokenized lines.

use std::sync::Arc;

use super::files::{absolute_location, canonicalize, FileErrorKind, FileResolver};
use super::read::{joined_lines, next_token, JoinedLine, Next, MAX_TOKEN_15};
use super::{Field, LoadError, LoadErrorKind, Location, SourceFile, Token, Version};
use crate::Span;

/// PostgreSQL's `CONF_FILE_MAX_DEPTH`.
pub(crate) const MAX_DEPTH: usize = 10;

/// A non-empty line after tokenizing, possibly with an error (a row of the view).
#[derive(Clone, Debug)]
pub(crate) struct TokLine {
    pub(crate) location: Location,
    pub(crate) fields: Vec<Field>,
    pub(crate) error: Option<LoadError>,
}

pub(crate) struct Loader<'r> {
    resolver: &'r dyn FileResolver,
    version: Version,
    pub(crate) sources: Vec<SourceFile>,
}

struct FileCtx {
    path: Arc<str>,
    depth: usize,
}

impl<'r> Loader<'r> {
    pub(crate) fn new(resolver: &'r dyn FileResolver, version: Version) -> Loader<'r> {
        Loader { resolver, version, sources: Vec::new() }
    }

    /// Tokenize the text of `path` (already read) at nesting `depth`, appending its lines to `out`.
    pub(crate) fn tokenize_file(&mut self, path: &str, text: String, depth: usize, out: &mut Vec<TokLine>) {
        let path: Arc<str> = Arc::from(path);
        let ctx = FileCtx { path: path.clone(), depth };
        // Tokenize before storing the text, so that a nested file is stored after its includer.
        let mut lines = Vec::new();
        for line in joined_lines(&text) {
            lines.push(line);
        }
        self.sources.push(SourceFile { path, text });
        for line in lines {
            self.tokenize_line(&ctx, &line, out);
        }
    }

    fn tokenize_line(&mut self, ctx: &FileCtx, line: &JoinedLine, out: &mut Vec<TokLine>) {
        let location = Location { file: ctx.path.clone(), line: line.line_number, span: line.span };
        let mut fields: Vec<Field> = Vec::new();
        let mut error: Option<LoadError> = None;
        let mut pos = 0;
        while pos < line.text.len() && error.is_none() {
            let (field, next) = self.next_field(ctx, line, pos, &mut error);
            pos = next;
            if let Some(field) = field {
                fields.push(field);
            }
        }
        if fields.is_empty() && error.is_none() {
            return;
        }
        if error.is_none() && fields.len() == 2 && self.version.has_includes() {
            if let (Some(first), Some(second)) = (fields[0].tokens.first(), fields[1].tokens.first()) {
                let target = second.text.clone();
                let span = second.location.span;
                let err = match first.text.as_str() {
                    "include" => Some(self.include_file(ctx, &target, false, out)),
                    "include_if_exists" => Some(self.include_file(ctx, &target, true, out)),
                    "include_dir" => Some(self.include_dir(ctx, &target, out)),
                    _ => None,
                };
                match err {
                    Some(None) => return,
                    Some(Some((kind, message))) => {
                        error = Some(LoadError {
                            kind,
                            message,
                            location: Location { span, ..location.clone() },
                        });
                    }
                    None => {}
                }
            }
        }
        out.push(TokLine { location, fields, error });
    }

    /// `next_field_expand`: one field of comma-separated tokens, `@file`s expanded.
    fn next_field(
        &mut self,
        ctx: &FileCtx,
        line: &JoinedLine,
        mut pos: usize,
        error: &mut Option<LoadError>,
    ) -> (Option<Field>, usize) {
        let limit = (!self.version.has_includes()).then_some(MAX_TOKEN_15);
        let mut tokens = Vec::new();
        let mut first: Option<usize> = None;
        let mut last = 0;
        loop {
            let (next, after) = next_token(&line.text, pos, limit);
            pos = after;
            match next {
                Next::Token(raw, comma) => {
                    first.get_or_insert(raw.start);
                    last = raw.end;
                    let span = line.source_span(raw.start, raw.end);
                    let text = String::from_utf8_lossy(&raw.text).into_owned();
                    let location = Location { file: ctx.path.clone(), line: line.line_number, span };
                    if !raw.quoted && text.len() > 1 && text.starts_with('@') {
                        if let Err((kind, message)) = self.expand_file(ctx, &text[1..], &mut tokens) {
                            *error = Some(LoadError { kind, message, location });
                        }
                    } else {
                        tokens.push(Token { text, quoted: raw.quoted, location });
                    }
                    if !comma || error.is_some() {
                        break;
                    }
                }
                Next::End => break,
                Next::TooLong(start) => {
                    *error = Some(LoadError {
                        kind: LoadErrorKind::TokenTooLong,
                        message: "authentication file token too long".to_string(),
                        location: Location {
                            file: ctx.path.clone(),
                            line: line.line_number,
                            span: Span::new(line.source_span(start, start + 1).start, line.span.end),
                        },
                    });
                    break;
                }
            }
        }
        let field = (!tokens.is_empty()).then(|| Field {
            tokens,
            span: first.map_or_else(|| line.end_span(), |f| line.source_span(f, last)),
        });
        (field, pos)
    }

    /// `tokenize_expand_file` (16+) / `tokenize_inc_file` (15): the tokens of an `@file`.
    fn expand_file(
        &mut self,
        ctx: &FileCtx,
        name: &str,
        tokens: &mut Vec<Token>,
    ) -> Result<(), (LoadErrorKind, String)> {
        let path = absolute_location(name, &ctx.path);
        let depth = ctx.depth + 1;
        let text = if self.version.has_includes() {
            self.open(&path, depth)?
        } else if depth > MAX_DEPTH {
            return Err((
                LoadErrorKind::NestingTooDeep,
                format!("could not open secondary authentication file \"@{name}\" as \"{path}\": maximum nesting depth exceeded"),
            ));
        } else {
            self.resolver.read(&path).map_err(|e| {
                (
                    LoadErrorKind::CannotOpen,
                    format!(
                        "could not open secondary authentication file \"@{name}\" as \"{path}\": {}",
                        e.reason()
                    ),
                )
            })?
        };
        let mut inc_lines = Vec::new();
        self.tokenize_file(&path, text, depth, &mut inc_lines);
        for line in inc_lines {
            if let Some(err) = line.error {
                return Err((err.kind, err.message));
            }
            for field in line.fields {
                tokens.extend(field.tokens);
            }
        }
        Ok(())
    }

    /// `open_auth_file`: the depth check, then the resolver.
    fn open(&self, path: &str, depth: usize) -> Result<String, (LoadErrorKind, String)> {
        if depth > MAX_DEPTH {
            return Err((
                LoadErrorKind::NestingTooDeep,
                format!("could not open file \"{path}\": maximum nesting depth exceeded"),
            ));
        }
        self.resolver.read(path).map_err(|e| match e.kind() {
            FileErrorKind::NotFound => {
                (LoadErrorKind::FileNotFound, format!("could not open file \"{path}\": {}", e.reason()))
            }
            FileErrorKind::Refused => {
                (LoadErrorKind::Refused, format!("identmap does not read \"{path}\": {}", e.reason()))
            }
            _ => (LoadErrorKind::CannotOpen, format!("could not open file \"{path}\": {}", e.reason())),
        })
    }

    /// `tokenize_include_file`. `None` when the line is fully handled.
    fn include_file(
        &mut self,
        ctx: &FileCtx,
        name: &str,
        missing_ok: bool,
        out: &mut Vec<TokLine>,
    ) -> Option<(LoadErrorKind, String)> {
        let path = absolute_location(name, &ctx.path);
        self.include_path(ctx, &path, missing_ok, out)
    }

    /// `tokenize_include_file` of an already resolved path.
    fn include_path(
        &mut self,
        ctx: &FileCtx,
        path: &str,
        missing_ok: bool,
        out: &mut Vec<TokLine>,
    ) -> Option<(LoadErrorKind, String)> {
        match self.open(path, ctx.depth + 1) {
            Ok(text) => {
                self.tokenize_file(path, text, ctx.depth + 1, out);
                None
            }
            Err((LoadErrorKind::FileNotFound, _)) if missing_ok => None,
            Err(e) => Some(e),
        }
    }

    /// `include_dir`: `GetConfFilesInDir`, then every file in strcmp order, errors joined.
    fn include_dir(
        &mut self,
        ctx: &FileCtx,
        name: &str,
        out: &mut Vec<TokLine>,
    ) -> Option<(LoadErrorKind, String)> {
        if name.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            return Some((LoadErrorKind::CannotOpen, "empty configuration directory name".to_string()));
        }
        let dir = absolute_location(name, &ctx.path);
        let names = match self.resolver.read_dir(&dir) {
            Ok(names) => names,
            Err(_) => {
                return Some((LoadErrorKind::CannotOpen, format!("could not open directory \"{dir}\"")))
            }
        };
        let mut paths: Vec<String> = names
            .into_iter()
            .filter(|n| n.len() >= 6 && !n.starts_with('.') && n.ends_with(".conf"))
            .map(|n| canonicalize(&format!("{dir}/{n}")))
            .collect();
        paths.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut errors: Vec<String> = Vec::new();
        let mut kind = LoadErrorKind::CannotOpen;
        for path in paths {
            if let Some((k, message)) = self.include_path(ctx, &path, false, out) {
                kind = k;
                errors.push(message);
            }
        }
        if errors.is_empty() {
            None
        } else {
            Some((kind, errors.join("\n")))
        }
    }
}
