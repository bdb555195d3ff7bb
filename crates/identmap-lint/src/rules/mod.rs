//! The rules, one file each.

pub(crate) mod im101_malformed_line;
pub(crate) mod im102_invalid_regex;
pub(crate) mod im103_missing_capture_group;
pub(crate) mod im201_unanchored_regex;
