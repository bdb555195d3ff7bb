//! identmap: identity maps — the rules that turn an external identity (a JWT claim, a certificate
//! name, a Kerberos principal) into the database users it may log in as — parsed, checked and
//! evaluated exactly as CockroachDB (`server.identity_map.configuration`) and PostgreSQL
//! (`pg_ident.conf`) do.
//!
//! The crate does no I/O: files named by a `pg_ident.conf` are read through a
//! [`postgres::FileResolver`] that the caller supplies.
//!
//! * [`cockroach`]: the CockroachDB dialect (both case modes), its parser, reference evaluator and
//!   JWT candidate list.
//! * [`postgres`]: the PostgreSQL dialect (15 and 16+), with includes, `@file`, the
//!   `pg_ident_file_mappings` view and the authentication-time check.
//! * [`Matcher`]: the cockroach dialect compiled once for fast many-to-many matching, with exactly
//!   the reference evaluator's answers.
//! * [`batch`]: many identities through one [`Matcher`], with the counts of unmapped and
//!   multiply-mapped ones.
//! * [`report`]: map results and explain traces rendered once, as JSON and as text (the CLI
//!   and a browser playground print the same).
//! * [`Dialect`], [`Engine`], [`cockroach::CaseMode`]: the choices every front end offers (with
//!   the `serde` and `clap` features, derived for them).
//! * [`expect`]: expectation files (`identmap test`): parser, runner, report.
//! * [`sql`]: reading `SET CLUSTER SETTING …` statements out of a `.sql` file.
//! * [`syntax`]: the dialects' regex syntax trees (`regex_syntax::hir::Hir`), for analyses.
//! * [`Span`] and [`LineIndex`]: byte spans into the source, and line/column numbers on demand.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

pub mod batch;
mod choice;
pub mod cockroach;
pub mod expect;
mod fold;
mod goquote;
mod matcher;
mod normalize;
pub mod postgres;
mod ranges;
mod regex;
pub mod report;
mod span;
pub mod sql;
pub mod sso;
pub mod syntax;

pub use choice::{Dialect, Engine, UnknownName};
pub use matcher::{BuildError, Builder, Config, Mapping, Matcher};
pub use normalize::normalize_username;
pub use span::{LineIndex, Span};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
