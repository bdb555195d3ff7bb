//! The library half of the `identmap` command-line tool: the pieces the binary and its tests
//! share. The binary (`src/main.rs`) only parses arguments and dispatches.

pub mod bench;
pub mod config;
pub mod eval;
pub mod input;
pub mod lint_format;
pub mod output;
pub mod report;
