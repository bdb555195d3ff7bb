//! The `identmap` command-line tool.
fn main() {}
