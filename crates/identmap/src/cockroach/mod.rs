//! The CockroachDB dialect.
