//! The choices every front end offers (the command line, `identmap.toml`, a browser
//! playground): the dialect of a map and the evaluator that answers. One definition each; with
//! the `serde` feature they (de)serialize as their lowercase names, with the `clap` feature they
//! are `clap::ValueEnum`s.

use core::fmt;

/// Which database's identity map a text is.
///
/// ```
/// use identmap::Dialect;
/// assert_eq!(Dialect::Postgres.name(), "postgres");
/// assert_eq!("cockroach".parse::<Dialect>(), Ok(Dialect::Cockroach));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Dialect {
    /// CockroachDB `server.identity_map.configuration` (a plain map or a `.sql` file).
    Cockroach,
    /// PostgreSQL `pg_ident.conf`.
    Postgres,
}

impl Dialect {
    /// Both dialects.
    pub const ALL: [Dialect; 2] = [Dialect::Cockroach, Dialect::Postgres];

    /// The lowercase name: `cockroach` or `postgres`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Cockroach => "cockroach",
            Dialect::Postgres => "postgres",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Dialect {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Dialect, UnknownName> {
        Dialect::ALL.into_iter().find(|d| d.name() == s).ok_or(UnknownName)
    }
}

/// Which evaluator answers a cockroach map (or a postgres check).
///
/// ```
/// use identmap::Engine;
/// assert_eq!(Engine::default(), Engine::Matcher);
/// assert_eq!("reference".parse::<Engine>(), Ok(Engine::Reference));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Engine {
    /// The compiled matcher.
    #[default]
    Matcher,
    /// The reference evaluator: the plain per-rule loop.
    Reference,
}

impl Engine {
    /// Both engines.
    pub const ALL: [Engine; 2] = [Engine::Matcher, Engine::Reference];

    /// The lowercase name: `matcher` or `reference`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Engine::Matcher => "matcher",
            Engine::Reference => "reference",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Engine {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Engine, UnknownName> {
        Engine::ALL.into_iter().find(|e| e.name() == s).ok_or(UnknownName)
    }
}

/// A name that is not one of the choices (`FromStr` of [`Dialect`], [`Engine`] and
/// [`crate::cockroach::CaseMode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownName;

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown name")
    }
}

impl std::error::Error for UnknownName {}
