//! Membership in a sorted list of disjoint character ranges.

use core::cmp::Ordering;

/// Whether `c` lies in one of `ranges` (sorted, disjoint, inclusive).
pub(crate) fn contains(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}
