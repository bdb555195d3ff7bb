//! Hostile input: every case gets a clear error with its location or a correct answer, never a
//! panic, and memory stays bounded.

use identmap::cockroach::{ErrorKind, Options, Ruleset};
use identmap::Span;

fn parse(src: &str) -> identmap::cockroach::Parsed {
    Ruleset::parse_recovering(src, Options::default())
}

#[test]
fn nul_bytes_are_field_characters() {
    let p = parse("m a\0b u\n");
    assert!(p.errors().is_empty());
    assert_eq!(p.ruleset().map("m", "a\0b").users(), ["u"]);
}

#[test]
fn ten_megabyte_line_is_the_64k_quirk() {
    let mut src = String::from("m a u\n");
    src.push_str(&"x".repeat(10 << 20));
    src.push_str("\nm b v\n");
    let p = parse(&src);
    assert!(p.errors().is_empty());
    let t = p.truncation().expect("truncation reported");
    assert_eq!((t.line(), t.ignored_lines()), (2, 2));
    assert_eq!(t.span(), Span::new(6, 6 + (10 << 20)));
    // CockroachDB keeps the rules before the long line only.
    assert_eq!(p.ruleset().rules().len(), 1);
    assert!(!p.ruleset().map("m", "b").users().contains(&"v".to_string()));
}

#[test]
fn line_of_65535_bytes_still_parses() {
    let line = format!("m {} u", "a".repeat(65535 - 4));
    assert_eq!(line.len(), 65535);
    let p = parse(&format!("{line}\n"));
    assert!(p.truncation().is_none());
    assert_eq!(p.ruleset().rules().len(), 1);
    let p = parse(&format!("{line}a\n"));
    assert!(p.truncation().is_some());
}

#[test]
fn a_million_lines() {
    let mut src = String::with_capacity(20 << 20);
    for i in 0..1_000_000 {
        src.push_str(&format!("m user{i} u{i}\n"));
    }
    let p = parse(&src);
    assert!(p.errors().is_empty());
    assert_eq!(p.ruleset().rules().len(), 1_000_000);
    assert_eq!(p.ruleset().map("m", "USER999999").users(), ["u999999"]);
}

#[test]
fn a_million_broken_lines_are_all_reported() {
    let src = "m x\n".repeat(1_000_000);
    let p = parse(&src);
    assert_eq!(p.errors().len(), 1_000_000);
    assert_eq!(p.errors()[999_999].line(), 1_000_000);
}

#[test]
fn regex_nested_ten_thousand_deep() {
    // Capture groups nest into Go's syntax tree: 10,000 levels are "expression nests too deeply".
    let pat = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    let p = parse(&format!("m /{pat} u\n"));
    assert_eq!(p.errors().len(), 1);
    assert_eq!(p.errors()[0].kind(), ErrorKind::Regex);
    assert!(p.errors()[0]
        .message()
        .starts_with("unable to parse line 1: error parsing regexp: expression nests too deeply"));
    // Non-capturing groups leave no node behind: Go accepts them at any depth.
    let pat = format!("{}a{}", "(?:".repeat(10_000), ")".repeat(10_000));
    let p = parse(&format!("m /^{pat}$ u\n"));
    assert!(p.errors().is_empty());
    assert_eq!(p.ruleset().map("m", "A").users(), ["u"]);
}

#[test]
fn repetition_bombs_are_rejected_like_go() {
    for pat in ["a{1000}{1000}", "(a{1000}){1000}", "a{1001}", "((a{100}){100}){100}"] {
        let p = parse(&format!("m /{pat} u\n"));
        assert_eq!(p.errors().len(), 1, "{pat}");
        assert_eq!(p.errors()[0].kind(), ErrorKind::Regex, "{pat}");
    }
    // Go accepts a{1000}; it compiles within identmap's limits.
    assert!(parse("m /^a{1000}$ u\n").errors().is_empty());
}

#[test]
fn every_problem_has_a_span_inside_the_source() {
    let src = "m\nm /( u\nm /^a$ \\1\nm /[9-0] u\nok a b\n";
    let p = parse(src);
    assert_eq!(p.errors().len(), 4);
    for e in p.errors() {
        assert!(e.span().end <= src.len() && e.span().start <= e.span().end, "{e:?}");
    }
    assert_eq!(p.ruleset().rules().len(), 1);
}
