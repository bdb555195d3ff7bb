//! The PostgreSQL dialect: `pg_ident.conf` as PostgreSQL 15 and 16+ parse and match it.

/// A source of the files a `pg_ident.conf` names (`@file`, `include`, `include_if_exists`,
/// `include_dir`). The core does no I/O: the CLI reads real files, tests use an in-memory set.
pub trait FileResolver {}
