//! Edge cases of §2–§4 and hostile input. The recorded cases run in the one conformance harness,
//! `crates/identmap-cli/tests/conformance.rs`.

use std::fmt::Write as _;

use super::*;

// ---- unit tests: §2–§4 edge cases and hostile input ----

fn load(main: &str, others: &[(&str, &str)], version: Version) -> IdentFile {
    let mut files = MemoryFiles::new();
    files.insert("$PGDATA/pg_ident.conf", main);
    for (name, text) in others {
        files.insert(format!("$PGDATA/{name}"), *text);
    }
    IdentFile::load("$PGDATA/pg_ident.conf", &files, version).expect("main file")
}

fn rows(f: &IdentFile) -> Vec<String> {
    f.view().iter().map(ToString::to_string).collect()
}

#[test]
fn continuation_and_comments() {
    let f =
        IdentFile::parse_str("m alice bob # c \\\nm carol dave\nm \"ali\\\nce\" x\\\\\ny z\n", Version::V15);
    assert_eq!(rows(&f), ["pg_ident.conf:1 m alice bob NULL", "pg_ident.conf:3 m alice x\\y NULL"]);
}

#[test]
fn spans_point_into_the_right_file() {
    let f = load("m @u.txt \"bob\"\n", &[("u.txt", "# c\n  alice\n")], Version::V16);
    let line = f.map_lines().next().expect("a line");
    let sys = line.system_user();
    assert_eq!(sys.location().file(), "$PGDATA/u.txt");
    assert_eq!(&f.source("$PGDATA/u.txt").unwrap()[sys.location().span().range()], "alice");
    let db = line.database_user();
    assert!(db.is_quoted());
    assert_eq!(&f.source("$PGDATA/pg_ident.conf").unwrap()[db.location().span().range()], "\"bob\"");
}

#[test]
fn error_spans() {
    let src = "m alice\nm a,b c d\n";
    let f = IdentFile::parse_str(src, Version::V16);
    let errs: Vec<_> = f.errors().collect();
    assert_eq!(errs[0].kind(), LoadErrorKind::MissingEntry);
    assert_eq!(errs[0].location().span(), crate::Span::empty(7));
    assert_eq!(errs[1].kind(), LoadErrorKind::MultipleValues);
    assert_eq!(&src[errs[1].location().span().range()], "a,b");
    assert_eq!(errs[1].location().line(), 2);
}

#[test]
fn includes() {
    // Only exactly two fields make a directive; the keyword may be quoted; only the first path.
    let f = load(
        "include a.conf,b.conf\n\"include\" b.conf\ninclude a.conf x\n",
        &[("a.conf", "m a a\n"), ("b.conf", "m b b\n")],
        Version::V16,
    );
    assert_eq!(
        rows(&f),
        [
            "$PGDATA/a.conf:1 m a a NULL",
            "$PGDATA/b.conf:1 m b b NULL",
            "$PGDATA/pg_ident.conf:3 include a.conf x NULL"
        ]
    );
    // INCLUDE is not a directive.
    let f = load("INCLUDE a.conf\n", &[], Version::V16);
    assert_eq!(rows(&f), ["$PGDATA/pg_ident.conf:1 NULL NULL NULL missing entry at end of line"]);
    // include_if_exists: missing is fine.
    let f = load("include_if_exists nope.conf\n", &[], Version::V16);
    assert!(f.is_loaded() && f.lines().is_empty());
    // include_dir: selection, order, joined errors.
    let f = load(
        "include_dir d\n",
        &[
            ("d/b.conf", "m b\n"),
            ("d/a.conf", "m /( x\n"),
            ("d/.x.conf", "m x x\n"),
            ("d/x.conf~", "m y y\n"),
            ("d/sub/c.conf", "m c c\n"),
        ],
        Version::V16,
    );
    let v = rows(&f);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].starts_with("$PGDATA/d/a.conf:1"));
    assert!(v[1].starts_with("$PGDATA/d/b.conf:1"));
    let f = load("include_dir nodir\n", &[], Version::V16);
    assert_eq!(f.errors().next().unwrap().message(), "could not open directory \"$PGDATA/nodir\"");
    // An error inside an included file stays on its own row.
    let f = load("include_dir d\n", &[("d/a.conf", "include x.conf\n")], Version::V16);
    assert_eq!(rows(&f), ["$PGDATA/d/a.conf:1 NULL NULL NULL could not open file \"$PGDATA/d/x.conf\": No such file or directory"]);
    // Files of the directory that cannot be opened: errors joined on the directive's row.
    struct Vanishing(MemoryFiles);
    impl FileResolver for Vanishing {
        fn read(&self, path: &str) -> Result<String, FileError> {
            self.0.read(path)
        }
        fn read_dir(&self, _: &str) -> Result<Vec<String>, FileError> {
            Ok(vec!["b.conf".into(), "a.conf".into(), "c.conf".into()])
        }
    }
    let mut files = MemoryFiles::new();
    files.insert("$PGDATA/pg_ident.conf", "include_dir d\n");
    files.insert("$PGDATA/d/b.conf", "m b b\n");
    let f = IdentFile::load("$PGDATA/pg_ident.conf", &Vanishing(files), Version::V16).expect("main");
    let v = f.view();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].file_name, "$PGDATA/d/b.conf");
    assert_eq!(
        v[1].error.as_deref(),
        Some("could not open file \"$PGDATA/d/a.conf\": No such file or directory\ncould not open file \"$PGDATA/d/c.conf\": No such file or directory")
    );
    assert_eq!(v[1].file_name, "$PGDATA/pg_ident.conf");
    // Depth limit.
    let f = load("include pg_ident.conf\n", &[], Version::V16);
    assert_eq!(f.lines().len(), 1);
    assert_eq!(f.errors().next().unwrap().kind(), LoadErrorKind::NestingTooDeep);
    // @file recursion is bounded too.
    let f = load("m @a.txt x\n", &[("a.txt", "@a.txt\n")], Version::V16);
    assert_eq!(f.errors().next().unwrap().kind(), LoadErrorKind::NestingTooDeep);
    let f = load("m @a.txt x\n", &[("a.txt", "@a.txt\n")], Version::V15);
    assert_eq!(f.errors().next().unwrap().kind(), LoadErrorKind::NestingTooDeep);
    // In 15 directives are map lines.
    let f = load("include a.conf\n", &[("a.conf", "m a a\n")], Version::V15);
    assert_eq!(rows(&f), ["$PGDATA/pg_ident.conf:1 NULL NULL NULL missing entry at end of line"]);
}

#[test]
fn at_file_keeps_quoted_flag_and_includes() {
    let f = load("m alice @r.txt\n", &[("r.txt", "\"all\"\n")], Version::V16);
    let l = f.map_lines().next().unwrap();
    assert!(l.database_user().is_quoted());
    // An @file's lines may themselves be include directives (16+).
    let f = load("m @r.txt bob\n", &[("r.txt", "include s.txt\n"), ("s.txt", "alice\n")], Version::V16);
    assert_eq!(rows(&f), ["$PGDATA/pg_ident.conf:1 m alice bob NULL"]);
}

#[test]
fn hostile_input_does_not_panic() {
    let inputs = [
        "\0",
        "\"",
        "\\",
        "\\\\\n\\",
        "@",
        "@\"",
        ",,,",
        "#",
        "\r\r\r\n",
        "m \"\" \"\"",
        "m / /",
        "m /\\1 \\1",
        "\u{feff}m a b",
        "m a b\0c",
        "m é \"ü\"",
        "include",
        "include_dir \"\"",
        "include_dir \" \"",
        "m @/ x",
        "m @.. x",
        "m @ x",
    ];
    for text in inputs {
        for v in [Version::V15, Version::V16] {
            let f = IdentFile::parse_str(text, v);
            let _ = f.view();
            let _ = f.check("m", "a", "b", true, &Roles::new());
        }
    }
    // Every byte pattern of a short alphabet.
    let alphabet = [" ", "\"", ",", "#", "\\", "\n", "é", "@", "/", "\r"];
    let mut buf = String::new();
    for i in 0..20_000usize {
        buf.clear();
        let mut n = i;
        for _ in 0..5 {
            buf.push_str(alphabet[n % alphabet.len()]);
            n /= alphabet.len();
        }
        for v in [Version::V15, Version::V16] {
            let f = IdentFile::parse_str(&buf, v);
            let _ = f.view();
            spans_in_bounds(&f);
        }
    }
}

/// Every span points into its file, on character boundaries.
fn spans_in_bounds(f: &IdentFile) {
    let check = |loc: &Location| {
        let text = f.source(loc.file()).expect("a source");
        let r = loc.span().range();
        assert!(text.get(r.clone()).is_some(), "{loc:?} out of {text:?}");
    };
    for line in f.lines() {
        check(line.location());
        for field in line.fields() {
            assert!(field.span().end <= f.source(line.location().file()).expect("source").len());
            for t in field.tokens() {
                check(t.location());
            }
        }
        if let Some(e) = line.error() {
            check(e.location());
        }
    }
}

#[test]
fn a_ten_megabyte_line() {
    let long = "a".repeat(10 << 20);
    let text = format!("m {long} bob\n");
    let f = IdentFile::parse_str(&text, Version::V16);
    assert!(f.is_loaded());
    assert_eq!(f.map_lines().next().unwrap().system_user().text().len(), 10 << 20);
    let f = IdentFile::parse_str(&text, Version::V15);
    assert_eq!(f.errors().next().unwrap().kind(), LoadErrorKind::TokenTooLong);
    // A long quoted token, and a long continued line.
    let f = IdentFile::parse_str(&format!("m \"{long}\" bob\n"), Version::V16);
    assert!(f.is_loaded());
    let cont = "a\\\n".repeat(1 << 20);
    let f = IdentFile::parse_str(&format!("m {cont} bob\n"), Version::V16);
    assert!(f.is_loaded());
}

#[test]
fn a_million_lines() {
    let mut text = String::with_capacity(20 << 20);
    for i in 0..1_000_000 {
        let _ = writeln!(text, "m u{i} r{i}");
    }
    let start = std::time::Instant::now();
    let f = IdentFile::parse_str(&text, Version::V16);
    assert_eq!(f.map_lines().count(), 1_000_000);
    let c = f.check("m", "u999999", "r999999", false, &Roles::new());
    assert_eq!(c.decision(), &Decision::Allow);
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn case_insensitive_and_truncation() {
    let f = IdentFile::parse_str("m ALICE Bob\nM x y\n", Version::V16);
    assert_eq!(f.check("m", "alice", "bob", true, &Roles::new()).decision(), &Decision::Allow);
    assert_eq!(f.check("m", "alice", "bob", false, &Roles::new()).decision(), &Decision::Deny);
    assert_eq!(f.check("m", "x", "y", true, &Roles::new()).decision(), &Decision::Deny);
    let long = "r".repeat(70);
    let f = IdentFile::parse_str(&format!("m a {}\n", &long[..63]), Version::V16);
    assert_eq!(f.check("m", "a", &long, false, &Roles::new()).decision(), &Decision::Allow);
}

#[test]
fn broken_file_loads_nothing() {
    let f = IdentFile::parse_str("m alice bob\nm\n", Version::V16);
    let c = f.check("m", "alice", "bob", false, &Roles::new());
    assert_eq!(c.decision(), &Decision::Deny);
    assert!(!c.file_loaded());
    assert_eq!(c.log(), ["no match in usermap \"m\" for user \"bob\" authenticated as \"alice\""]);
}

#[test]
fn explain_trace() {
    let f = IdentFile::parse_str(
        "m bob x\nm /^(.*)@corp$ \\1\nother alice alice\nm /^(.*)@corp$ +grp\n",
        Version::V16,
    );
    let c = f.check("m", "alice@corp", "carol", false, &Roles::new());
    assert_eq!(c.decision(), &Decision::Deny);
    let t = c.trace();
    assert_eq!(t.len(), 3, "{t:?}");
    assert_eq!(t[0].location().line(), 1);
    assert_eq!(t[0].result(), &StepResult::SystemUserMismatch);
    assert!(t[1].system_user_matched());
    assert_eq!(t[1].captures(), [Some(crate::Span::new(0, 10)), Some(crate::Span::new(0, 5))]);
    assert_eq!(t[1].produced_role(), Some("alice"));
    assert_eq!(t[1].result(), &StepResult::RoleMismatch);
    assert_eq!(t[2].location().line(), 4);
    assert_eq!(t[2].result(), &StepResult::NotAMember);
    assert_eq!(
        t[1].to_string(),
        "pg_ident.conf:2: produced \"alice\"; system user matches, database user does not"
    );
}

#[test]
fn unsupported_is_reported_with_its_location() {
    let src = "m alice bob\nm /^(a)\\1$ bob\nm aa bob\n";
    let f = IdentFile::parse_str(src, Version::V16);
    // An earlier line allows: the unsupported line is never reached.
    assert_eq!(f.check("m", "alice", "bob", false, &Roles::new()).decision(), &Decision::Allow);
    match f.check("m", "aa", "bob", false, &Roles::new()).decision() {
        Decision::Unsupported { reason, location } => {
            assert!(reason.contains("back-reference"), "{reason}");
            assert_eq!(location.line(), 2);
            assert_eq!(&src[location.span().range()], "/^(a)\\1$");
        }
        other => panic!("{other:?}"),
    }
    // Another map's line is not reached either.
    assert_eq!(f.check("n", "aa", "bob", false, &Roles::new()).decision(), &Decision::Deny);
}

#[test]
fn regex_bombs_stay_bounded() {
    let start = std::time::Instant::now();
    for pat in [
        "((a{255}){255}){255}",
        "(((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))",
        "(a*)*$",
        "(a|aa)*b",
    ] {
        let f = IdentFile::parse_str(&format!("m \"/{pat}\" \\1\n"), Version::V16);
        let _ = f.view();
        let c = f.check("m", &"a".repeat(5000), "x", false, &Roles::new());
        assert!(
            matches!(c.decision(), Decision::Deny | Decision::Unsupported { .. }),
            "{pat}: {:?}",
            c.decision()
        );
    }
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

#[test]
fn empty_map_name_compares_role_and_system_user() {
    // `check_usermap` with `map=` empty reads no file (hba.c): R must equal S.
    let file = IdentFile::parse_str("m alice bob\n", Version::V16);
    let roles = Roles::new();
    assert_eq!(file.check("", "alice", "alice", false, &roles).decision(), &Decision::Allow);
    let c = file.check("", "alice", "bob", false, &roles);
    assert_eq!(c.decision(), &Decision::Deny);
    assert_eq!(c.log(), ["provided user name (bob) and authenticated user name (alice) do not match"]);
    assert_eq!(file.check("", "ALICE", "alice", true, &roles).decision(), &Decision::Allow);
    assert_eq!(file.check("", "ALICE", "alice", false, &roles).decision(), &Decision::Deny);
}

/// A file the resolver refuses (identmap's own limit: a FIFO, a device, too large) is not the
/// server's error: the check answers unsupported, naming it, never allow or deny.
#[test]
fn a_refused_include_makes_checks_unsupported() {
    struct Refusing;
    impl FileResolver for Refusing {
        fn read(&self, path: &str) -> Result<String, FileError> {
            match path {
                "pg_ident.conf" => Ok("m alice alice\ninclude fifo.conf\n".into()),
                _ => Err(FileError::new(FileErrorKind::Refused, "not a regular file")),
            }
        }
        fn read_dir(&self, _: &str) -> Result<Vec<String>, FileError> {
            Ok(Vec::new())
        }
    }
    let f = IdentFile::load("pg_ident.conf", &Refusing, Version::V16).expect("main file");
    let e = f.refused().expect("the refused include");
    assert_eq!(e.kind(), LoadErrorKind::Refused);
    assert_eq!(e.message(), "identmap does not read \"fifo.conf\": not a regular file");
    for check in [
        f.check("m", "alice", "alice", false, &Roles::new()),
        Matcher::new(&f).check("m", "alice", "alice", false, &Roles::new()),
    ] {
        assert!(matches!(check.decision(), Decision::Unsupported { .. }), "{:?}", check.decision());
    }
}
