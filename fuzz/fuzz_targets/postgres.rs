//! Any bytes as a `pg_ident.conf` (with an included file), any system user and role: loading
//! and checking never panic, and the `pg_ident_file_mappings` view has a row per map line.
//!
//! Input: `<system user>\n<role>\n<pg_ident.conf>`; `@inc` and `include inc` reach the same text.
#![no_main]

use identmap::postgres::{IdentFile, MemoryFiles, Roles, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut parts = text.splitn(3, '\n');
    let (user, role, conf) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut files = MemoryFiles::new();
    files.insert("pg_ident.conf", conf);
    files.insert("inc", conf);
    let mut roles = Roles::new();
    roles.add(role);
    roles.add(user);
    roles.grant(user, role);
    for version in [Version::V15, Version::V16] {
        let Ok(file) = IdentFile::load("pg_ident.conf", &files, version) else { continue };
        let _ = file.view();
        for ci in [false, true] {
            let check = file.check("m", user, role, ci, &roles);
            let _ = (check.decision(), check.log(), check.trace());
        }
    }
});
