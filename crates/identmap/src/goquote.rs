//! Go's `%q`.
