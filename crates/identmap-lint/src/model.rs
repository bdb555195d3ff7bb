//! What the rules look at: the input read once, in one shape for both dialects.

use identmap::cockroach::{self, CaseMode, Options, PatternKind, Ruleset};
use identmap::postgres::{FileError, FileResolver, IdentFile, Version};
use identmap::sql::{self, Setting};
use identmap::sso::JwtSettings;
use identmap::syntax::{self, ArePattern};
use identmap::Span;
use regex_syntax::hir::Hir;

use crate::config::{Config, Dialect};
use crate::Input;

/// A text the findings point into.
#[derive(Clone, Debug)]
pub(crate) struct SourceText {
    pub(crate) name: String,
    pub(crate) text: String,
    /// For the identity map inside a `.sql` file: the setting whose value this text is, and the
    /// index of the file that holds it. Findings are moved there.
    pub(crate) inside: Option<(Setting, usize)>,
}

/// A field: its text (dequoted for postgres), its span in its file, whether it was quoted.
#[derive(Clone, Debug)]
pub(crate) struct Fld {
    pub(crate) text: String,
    pub(crate) span: Span,
    pub(crate) quoted: bool,
}

impl Fld {
    /// The span of the text itself in the file, when the field is written exactly as its text
    /// (not quoted, no `@file`).
    pub(crate) fn exact_span(&self, src: &str) -> Option<Span> {
        (!self.quoted && src.get(self.span.range()) == Some(self.text.as_str())).then_some(self.span)
    }
}

/// A system-identity regex.
#[derive(Clone, Debug)]
pub(crate) struct Re {
    /// The pattern text (after the `/`).
    pub(crate) pattern: String,
    /// The syntax tree as the database compiles it (cockroach: with `(?i)` in insensitive mode),
    /// `None` when it is not evaluable.
    pub(crate) hir: Option<Hir>,
    pub(crate) groups: usize,
    /// Postgres: the ARE translation details.
    pub(crate) are: Option<ArePattern>,
}

/// What the database-user field is (postgres 16+ keywords).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UserKind {
    Plain,
    /// Unquoted `all` (16+).
    All,
    /// Unquoted `+role` (16+).
    Member,
    /// `/regex` (16+).
    Regex,
}

/// One rule of either dialect.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    /// Cockroach: the index in the model's `ruleset`.
    pub(crate) index: usize,
    pub(crate) file: usize,
    pub(crate) line: usize,
    pub(crate) span: Span,
    pub(crate) map: Fld,
    pub(crate) ident: Fld,
    pub(crate) user: Fld,
    pub(crate) regex: Option<Re>,
    pub(crate) substitute_at: Option<usize>,
    pub(crate) user_kind: UserKind,
}

impl Rule {
    /// The span of the pattern text after the `/`, when it is written exactly.
    pub(crate) fn pattern_span(&self, model: &Model) -> Option<Span> {
        let s = self.ident.exact_span(&model.files[self.file].text)?;
        (self.regex.is_some() && !s.is_empty()).then(|| Span::new(s.start + 1, s.end))
    }

    /// Whether the user template substitutes `\1` (the dialect does it for this rule).
    pub(crate) fn substitutes(&self) -> bool {
        self.substitute_at.is_some() && self.regex.is_some() && self.user_kind == UserKind::Plain
    }
}

/// A line the database rejects.
#[derive(Clone, Debug)]
pub(crate) enum ParseProblem {
    Cockroach(cockroach::Error),
    /// A `.sql` file that cannot be read completely (file 0).
    Sql(sql::SqlError),
    Postgres {
        file: usize,
        error: identmap::postgres::LoadError,
    },
}

/// The input, read once.
#[derive(Debug)]
pub(crate) struct Model<'c> {
    pub(crate) config: &'c Config,
    pub(crate) files: Vec<SourceText>,
    /// The file the map's own text is (for cockroach, the map text; for postgres, the main file).
    pub(crate) map_file: usize,
    pub(crate) rules: Vec<Rule>,
    pub(crate) problems: Vec<ParseProblem>,
    /// Cockroach: the rules the database keeps (for evaluation) and the 64 KiB truncation.
    pub(crate) ruleset: Option<Ruleset>,
    pub(crate) truncation: Option<cockroach::Truncation>,
    /// Postgres: the loaded file.
    pub(crate) ident: Option<IdentFile>,
    /// Postgres: the main file could not be read at all.
    pub(crate) unreadable: Option<FileError>,
    /// The SSO settings, and the file their spans point into (a `.sql` input).
    pub(crate) sso: Option<(JwtSettings, Option<usize>)>,
}

impl Model<'_> {
    pub(crate) fn case(&self) -> CaseMode {
        match self.config.dialect() {
            Dialect::Cockroach(c) => c,
            Dialect::Postgres(_) => CaseMode::Sensitive,
        }
    }

    pub(crate) fn pg_version(&self) -> Option<Version> {
        match self.config.dialect() {
            Dialect::Postgres(v) => Some(v),
            Dialect::Cockroach(_) => None,
        }
    }

    pub(crate) fn is_cockroach(&self) -> bool {
        matches!(self.config.dialect(), Dialect::Cockroach(_))
    }

    pub(crate) fn text(&self, file: usize) -> &str {
        &self.files[file].text
    }
}

/// A resolver that serves the main text for the main name and asks `inner` for the rest.
struct WithMain<'a> {
    name: &'a str,
    text: &'a str,
    inner: Option<&'a dyn FileResolver>,
}

impl FileResolver for WithMain<'_> {
    fn read(&self, path: &str) -> Result<String, FileError> {
        if path == self.name {
            return Ok(self.text.to_string());
        }
        match self.inner {
            Some(r) => r.read(path),
            None => Err(FileError::not_found()),
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>, FileError> {
        match self.inner {
            Some(r) => r.read_dir(path),
            None => Err(FileError::not_found()),
        }
    }
}

pub(crate) fn build<'c>(input: &Input<'_>, config: &'c Config) -> Model<'c> {
    let mut m = Model {
        config,
        files: Vec::new(),
        map_file: 0,
        rules: Vec::new(),
        problems: Vec::new(),
        ruleset: None,
        truncation: None,
        ident: None,
        unreadable: None,
        sso: config.sso().map(|s| (s.clone(), None)),
    };
    let options = config.cockroach_options();
    match (*input, config.dialect()) {
        (Input::Map { name, text }, Dialect::Cockroach(case)) => {
            m.files.push(SourceText { name: name.to_string(), text: text.to_string(), inside: None });
            cockroach_rules(&mut m, options.case(case));
        }
        (Input::Sql { name, text }, dialect) => {
            m.files.push(SourceText { name: name.to_string(), text: text.to_string(), inside: None });
            let settings = sql::parse_settings(text);
            m.problems.extend(settings.errors().iter().cloned().map(ParseProblem::Sql));
            if m.sso.is_none() {
                m.sso = Some((JwtSettings::from_sql(&settings), Some(0)));
            }
            if let Some(setting) = settings.setting(sql::IDENTITY_MAP) {
                if let Some(map) = setting.text() {
                    m.files.push(SourceText {
                        name: name.to_string(),
                        text: map.to_string(),
                        inside: Some((setting.clone(), 0)),
                    });
                    m.map_file = 1;
                    // The settings are CockroachDB's: a postgres dialect still reads this map as
                    // a cockroach one (in the current case mode).
                    let case = match dialect {
                        Dialect::Cockroach(case) => case,
                        Dialect::Postgres(_) => CaseMode::Insensitive,
                    };
                    cockroach_rules(&mut m, options.case(case));
                }
            }
        }
        (Input::Map { name, text }, Dialect::Postgres(v)) => {
            let main = WithMain { name, text, inner: None };
            postgres_rules(&mut m, name, &main, v);
        }
        (Input::PgIdent { name, text, files }, Dialect::Postgres(v)) => {
            let main = WithMain { name, text, inner: Some(files) };
            postgres_rules(&mut m, name, &main, v);
        }
        (Input::PgIdent { name, text, .. }, Dialect::Cockroach(case)) => {
            m.files.push(SourceText { name: name.to_string(), text: text.to_string(), inside: None });
            cockroach_rules(&mut m, options.case(case));
        }
    }
    m
}

fn cockroach_rules(m: &mut Model<'_>, options: Options) {
    let file = m.files.len() - 1;
    m.map_file = file;
    let parsed = Ruleset::parse_recovering(&m.files[file].text, options);
    for r in parsed.ruleset().rules() {
        let fld = |f: &cockroach::Field| Fld { text: f.text().to_string(), span: f.span(), quoted: false };
        let regex = match r.kind() {
            PatternKind::Literal => None,
            // The rule's own translation (the case mode's `(?i)` included), not a second one.
            PatternKind::Regex => Some(Re {
                pattern: r.pattern().to_string(),
                groups: r.groups(),
                hir: r.hir().cloned(),
                are: None,
            }),
        };
        m.rules.push(Rule {
            index: m.rules.len(),
            file,
            line: r.line(),
            span: r.span(),
            map: fld(r.map_name()),
            ident: fld(r.identity()),
            user: fld(r.user()),
            regex,
            substitute_at: r.substitute_at(),
            user_kind: UserKind::Plain,
        });
    }
    m.problems.extend(parsed.errors().iter().cloned().map(ParseProblem::Cockroach));
    m.truncation = parsed.truncation().cloned();
    m.ruleset = Some(parsed.ruleset().clone());
}

fn postgres_rules(m: &mut Model<'_>, name: &str, resolver: &dyn FileResolver, version: Version) {
    let base = m.files.len();
    let ident = match IdentFile::load(name, resolver, version) {
        Ok(f) => f,
        Err(e) => {
            m.unreadable = Some(e);
            return;
        }
    };
    for s in ident.sources() {
        m.files.push(SourceText { name: s.path().to_string(), text: s.text().to_string(), inside: None });
    }
    m.map_file = base;
    let index_of = |m: &Model<'_>, path: &str| -> usize {
        (base..m.files.len()).find(|&i| m.files[i].name == path).unwrap_or(base)
    };
    for line in ident.lines() {
        let file = index_of(m, line.location().file());
        if let Some(e) = line.error() {
            let efile = index_of(m, e.location().file());
            m.problems.push(ParseProblem::Postgres { file: efile, error: e.clone() });
            continue;
        }
        let Some(ml) = line.map_line() else { continue };
        // A token from an `@file` lives in another file: point at the line instead.
        let tok = |t: &identmap::postgres::Token| {
            let elsewhere = t.location().file() != line.location().file();
            Fld {
                text: t.text().to_string(),
                span: if elsewhere { line.location().span() } else { t.location().span() },
                quoted: t.is_quoted() || elsewhere,
            }
        };
        let (map, ident_f, user) = (tok(ml.map()), tok(ml.system_user()), tok(ml.database_user()));
        let regex = ident_f.text.strip_prefix('/').map(|pat| {
            let are = syntax::are(pat).ok();
            Re {
                pattern: pat.to_string(),
                hir: are.as_ref().and_then(|a| a.hir().cloned()),
                groups: are.as_ref().map_or(0, ArePattern::groups),
                are,
            }
        });
        let keywords = version.has_includes();
        let user_kind = if !keywords {
            UserKind::Plain
        } else if user.text.starts_with('/') {
            UserKind::Regex
        } else if !ml.database_user().is_quoted() && user.text == "all" {
            UserKind::All
        } else if !ml.database_user().is_quoted() && user.text.starts_with('+') {
            UserKind::Member
        } else {
            UserKind::Plain
        };
        let substitute_at = user.text.find("\\1");
        m.rules.push(Rule {
            index: m.rules.len(),
            file,
            line: line.location().line(),
            span: line.location().span(),
            map,
            ident: ident_f,
            user,
            regex,
            substitute_at,
            user_kind,
        });
    }
    m.ident = Some(ident);
}
