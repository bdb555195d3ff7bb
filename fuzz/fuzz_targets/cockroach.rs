//! Any text as a CockroachDB identity map, and any identity: parsing never panics, every span
//! is inside the text, and the compiled `Matcher` answers exactly as the reference evaluator.
//!
//! Input: the first line is `<issuer> <identity>`, the rest is the map.
#![no_main]

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::Matcher;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (query, map) = text.split_once('\n').unwrap_or((text, ""));
    let (issuer, identity) = query.split_once(' ').unwrap_or((query, ""));
    for case in [CaseMode::Insensitive, CaseMode::Sensitive] {
        let parsed = Ruleset::parse_recovering(map, Options::new().case(case));
        for e in parsed.errors() {
            assert!(e.span().end <= map.len() && e.span().start <= e.span().end);
            assert!(!e.message().is_empty());
        }
        let rules = parsed.ruleset();
        for rule in rules.rules() {
            assert!(rule.span().end <= map.len());
            assert!(map.get(rule.identity().span().range()).is_some());
        }
        let reference = rules.map(issuer, identity);
        // A map over the matcher's size limits is an error, never a wrong answer.
        let Ok(matcher) = Matcher::new(rules) else { continue };
        let fast = matcher.map(issuer, identity);
        assert_eq!(fast.map_found(), reference.map_found());
        let fast_users: Vec<&str> = fast.users().iter().map(|u| u.as_ref()).collect();
        assert_eq!(fast_users, reference.users(), "map {map:?} identity {identity:?}");
        for user in reference.users() {
            assert!(matcher.is_mapped(issuer, identity, user));
        }
        let explain = rules.explain(issuer, identity);
        assert_eq!(explain.result.users(), reference.users());
    }
});
