//! Every rule: fixtures that fire and fixtures that stay silent, in both dialects.

use identmap::cockroach::CaseMode;
use identmap::postgres::{MemoryFiles, Version};
use identmap_lint::{lint, Config, Dialect, Input, Report, Severity};

const CR: Dialect = Dialect::Cockroach(CaseMode::Insensitive);
const CS: Dialect = Dialect::Cockroach(CaseMode::Sensitive);
const PG: Dialect = Dialect::Postgres(Version::V16);
const PG15: Dialect = Dialect::Postgres(Version::V15);

fn run(dialect: Dialect, text: &str) -> Report {
    lint(&Input::Map { name: "test.map", text }, &Config::new(dialect))
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.diagnostics().iter().map(|d| d.code()).collect()
}

/// `code` fires on `fires` and not on `silent`.
#[track_caller]
fn case(code: &str, dialect: Dialect, fires: &str, silent: &str) {
    let r = run(dialect, fires);
    assert!(codes(&r).contains(&code), "{code} should fire on {fires:?}; got {:#?}", r.diagnostics());
    let r = run(dialect, silent);
    assert!(!codes(&r).contains(&code), "{code} should be silent on {silent:?}; got {:#?}", r.diagnostics());
}

fn find<'r>(r: &'r Report, code: &str) -> &'r identmap_lint::Diagnostic {
    r.diagnostics()
        .iter()
        .find(|d| d.code() == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", r.diagnostics()))
}

#[test]
fn im101_malformed_line() {
    case("IM101", CR, "m alice\n", "m alice alice\n");
    case("IM101", PG, "m alice\n", "m alice alice\n");
    case("IM101", PG, "m alice, bob x\n", "m \"alice, bob\" x\n");
    let sql = "SET CLUSTER SETTING server.identity_map.configuration = 'm a a;\n";
    let r = lint(&Input::Sql { name: "c.sql", text: sql }, &Config::new(CR));
    assert!(codes(&r).contains(&"IM101"), "{:#?}", r.diagnostics());
}

#[test]
fn im102_invalid_regex() {
    case(
        "IM102",
        CR,
        "https://accounts.google.com /^([9-0]*)$ \\1\n",
        "https://accounts.google.com /^([0-9]*)$ \\1\n",
    );
    case("IM102", PG, "m /( x\n", "m /(a) x\n");
    let text = "m /^([9-0]*)$ \\1\n";
    let r = run(CR, text);
    assert_eq!(&text[find(&r, "IM102").span().range()], "9-0");
}

#[test]
fn im103_missing_capture_group() {
    case("IM103", CR, "m /^.*@x\\.com$ \\1\n", "m /^(.*)@x\\.com$ \\1\n");
    case("IM103", PG, "m /^.*@x\\.com$ \\1\n", "m /^(.*)@x\\.com$ \\1\n");
}

#[test]
fn im104_line_too_long() {
    let long = format!("m /^{}$ u\nm alice alice\n", "a".repeat(70_000));
    case("IM104", CR, &long, "m alice alice\n");
}

#[test]
fn im105_unresolved_include() {
    let files = MemoryFiles::new();
    let config = Config::new(PG);
    let text = "include missing.conf\nm a a\n";
    let r = lint(&Input::PgIdent { name: "pg_ident.conf", text, files: &files }, &config);
    assert!(codes(&r).contains(&"IM105"), "{:#?}", r.diagnostics());
    let mut files = MemoryFiles::new();
    files.insert("more.conf", "m b b\n");
    let r =
        lint(&Input::PgIdent { name: "pg_ident.conf", text: "include more.conf\n", files: &files }, &config);
    assert!(!codes(&r).contains(&"IM105"), "{:#?}", r.diagnostics());
    // Deep nesting: a file that includes itself.
    let mut files = MemoryFiles::new();
    files.insert("loop.conf", "include loop.conf\n");
    let r =
        lint(&Input::PgIdent { name: "pg_ident.conf", text: "include loop.conf\n", files: &files }, &config);
    assert!(codes(&r).contains(&"IM105"), "{:#?}", r.diagnostics());
}

#[test]
fn im106_unsupported_regex() {
    case("IM106", PG, "m \"/^(a)\\1$\" x\n", "m /^(a)$ x\n");
    case("IM106", PG, "m /^(?=a)b x\n", "m /^b x\n");
}

#[test]
fn im201_unanchored_regex() {
    case("IM201", CR, "m /bob bob\n", "m /^bob$ bob\n");
    case("IM201", CR, "m /^(.*)@example\\.com \\1\n", "m /^(.*)@example\\.com$ \\1\n");
    case("IM201", CR, "m /(?m)^bob$ bob\n", "m alice alice\n");
    case("IM201", PG, "m /lic alice\n", "m /^alice$ alice\n");
    let text = "m /bob bob\n";
    let r = run(CR, text);
    let d = find(&r, "IM201");
    assert!(d.message().contains("evil-bob.evil.example"), "{}", d.message());
    assert_eq!(identmap_lint::apply_fixes(text, "test.map", r.diagnostics()), "m /^bob$ bob\n");
    let text = "m /a|b x\n";
    let r = run(CR, text);
    assert_eq!(identmap_lint::apply_fixes(text, "test.map", r.diagnostics()), "m /^(?:a|b)$ x\n");
}

#[test]
fn im202_unescaped_dot() {
    case("IM202", CR, "m /^(.*)@example.com$ \\1\n", "m /^(.*)@example\\.com$ \\1\n");
    case("IM202", CR, "m /^x.example.org$ x\n", "m /^user.name$ x\n");
    case("IM202", PG, "m /^(.*)@corp.com$ \\1\n", "m /^(.*)@corp[.]com$ \\1\n");
    case("IM202", PG, "m /@corp.com x\n", "m /(?q)@corp.com x\n");
    let text = "m /^(.*)@example.com$ \\1\n";
    let r = run(CR, text);
    let d = find(&r, "IM202");
    assert_eq!(&text[d.span().range()], ".");
    assert!(d.message().contains("@examplexcom"), "{}", d.message());
    assert_eq!(
        identmap_lint::apply_fixes(text, "test.map", r.diagnostics()),
        "m /^(.*)@example\\.com$ \\1\n"
    );
}

#[test]
fn im203_reserved_user() {
    case("IM203", CR, "m ops@corp.com root\n", "m ops@corp.com ops\n");
    case("IM203", CR, "m /^(.*)@corp\\.com$ \\1\n", "m /^(.*)@corp\\.com$ corp_\\1\n");
    case("IM203", CR, "m /^([a-z]+)$ pg_\\1\n", "m /^([0-9]+)$ \\1\n");
    case("IM203", PG, "m /^(.*)@corp\\.com$ \\1\n", "m /^(.*)@corp\\.com$ c_\\1\n");
    let r = run(CR, "m ops@corp.com root\n");
    assert_eq!(find(&r, "IM203").severity(), Severity::Error);
    let r = run(CR, "m /^(.*)@corp\\.com$ \\1\n");
    let d = find(&r, "IM203");
    assert_eq!(d.severity(), Severity::Warning);
    assert!(d.message().contains("`root@corp.com`") && d.message().contains("refuses"), "{}", d.message());
    // Configured reserved users.
    let mut config = Config::new(CR);
    config.add_reserved_user("DBA");
    let r = lint(&Input::Map { name: "m", text: "m /^(.*)@corp\\.com$ \\1\n" }, &config);
    assert!(r.diagnostics().iter().any(|d| d.code() == "IM203"));
    let r = lint(&Input::Map { name: "m", text: "m x@corp.com dba\n" }, &config);
    assert!(r.diagnostics().iter().any(|d| d.code() == "IM203" && d.message().contains("`dba`")));
}

#[test]
fn im204_matches_everything() {
    case("IM204", CR, "m / x\n", "m /^[a-z]+$ x\n");
    case("IM204", CR, "m /.* x\n", "m /^(.*)@x\\.com$ x\n");
    case("IM204", CR, "m /^(.*)$ \\1\n", "m /^(.+)@$ \\1\n");
    case("IM204", PG, "m /^(.+)$ \\1\n", "m /^a(.+)$ \\1\n");
}

#[test]
fn im205_capture_swallows_separator() {
    case("IM205", CR, "m /^(.*)@corp\\.com$ \\1\n", "m /^([^@]+)@corp\\.com$ \\1\n");
    case("IM205", CR, "m /^(.*)@corp\\.com$ \\1\n", "m /^(.*?)@corp\\.com$ x\n");
    let r = run(CR, "m /^(.*)@corp\\.com$ \\1\n");
    assert!(find(&r, "IM205").message().contains("a@evil.example@corp.com"));
}

#[test]
fn im206_confusable_text() {
    case("IM206", CR, "m \u{430}lice@x.com alice\n", "m alice@x.com alice\n");
    case("IM206", CR, "m x \u{440}\u{43e}\u{43e}t\n", "m x j\u{f6}rg\n");
}

#[test]
fn im207_all_roles() {
    case("IM207", PG, "m /^(.*)@x\\.com$ all\n", "m /^(.*)@x\\.com$ \"all\"\n");
    case("IM207", PG, "m /x +staff\n", "m /^x$ +staff\n");
    case("IM207", PG, "m alice all\n", "m alice alice\n");
    let r = run(PG15, "m alice all\n");
    assert!(!codes(&r).contains(&"IM207"));
}

#[test]
fn im208_mutable_claim_and_im301_issuer_mismatch() {
    let sql = "SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'https://accounts.google.com';\n\
               SET CLUSTER SETTING server.jwt_authentication.claim = 'email';\n\
               SET CLUSTER SETTING server.identity_map.configuration = 'https://accounts.google.com/ /^(.*)@example\\.com$ \\1\nhttps://accounts.google.com /^([a-z]+)@example\\.com$ e_\\1';\n";
    let r = lint(&Input::Sql { name: "cluster.sql", text: sql }, &Config::new(CR));
    let d = find(&r, "IM208");
    assert_eq!(d.severity(), Severity::Info);
    assert_eq!(&sql[d.span().range()], "'email'");
    let d = find(&r, "IM301");
    assert!(d.message().contains("trailing slash"), "{}", d.message());
    assert_eq!(&sql[d.span().range()], "https://accounts.google.com/");
    assert_eq!(r.diagnostics().iter().filter(|d| d.code() == "IM301").count(), 1);
    // Through the configuration, for a plain map.
    let mut config = Config::new(CR);
    let mut sso = identmap::sso::JwtSettings::new();
    sso.set_issuers("[\"https://login.example.com\"]");
    sso.set_claim("sub");
    config.set_sso(sso);
    let r = lint(&Input::Map { name: "m", text: "https://other.example.com alice alice\n" }, &config);
    assert!(find(&r, "IM301").message().contains("not among"));
    assert!(!codes(&r).contains(&"IM208"));
    let r = lint(&Input::Map { name: "m", text: "https://login.example.com alice alice\n" }, &config);
    assert!(!codes(&r).contains(&"IM301"));
}

#[test]
fn im302_hash_in_field() {
    case("IM302", CR, "m /^a#b$ u\n", "m /^ab$ u # comment\n");
    case("IM302", PG, "m /^a#b$ u\n", "m \"/^a#b$\" u\n");
}

#[test]
fn im303_perl_delimiters() {
    case("IM303", CR, "m /^alice$/ alice\n", "m /^alice$ alice\n");
    case("IM303", PG, "m /^spiffe:\\/\\/x$/ x\n", "m /^spiffe:\\/\\/x$ x\n");
    let text = "m /^alice$/ alice\n";
    let r = run(CR, text);
    assert!(find(&r, "IM303").fix().is_none(), "dropping the slash would widen the match");
}

#[test]
fn im304_extra_backreference() {
    case("IM304", CR, "m /^(.*)@(.*)$ \\2_\\1\n", "m /^(.*)@x$ a_\\1\n");
    case("IM304", CR, "m /^(a)$ \\1\\1\n", "m /^(a)$ \\11\n");
}

#[test]
fn im305_shadowed_rule() {
    case("IM305", CR, "m alice alice\nm alice alice\n", "m alice alice\nm alice bob\n");
    case(
        "IM305",
        CR,
        "m /^(.*)@example\\.com$ \\1\nm alice@example.com alice\n",
        "m alice@example.com alice\nm /^(.*)@example\\.com$ \\1\n",
    );
    case("IM305", CR, "m /admin1 admin\nm /admin12 admin\n", "m /admin12 admin\nm /admin1 admin\n");
    case(
        "IM305",
        CR,
        "m /^(.*)@example\\.com$ x_\\1\nm alice@example.com x_alice\n",
        "m /^(.*)@example\\.com$ x_\\1\nm alice@example.com alice\n",
    );
    case("IM305", PG, "m alice alice\nm alice alice\n", "m alice alice\nm alice bob\n");
    // PostgreSQL: a regex covers a literal only for every ASCII case (krb_caseins_users).
    case("IM305", PG, "m \"/(?i)^alice$\" a\nm alice a\n", "m /^alice$ a\nm alice a\n");
    // `s` folds with U+017F: `ſam@example.com` matches the literal but the regex captures `ſam`.
    let r = run(CR, "m /^(.*)@example\\.com$ \\1\nm sam@example.com sam\n");
    assert!(!codes(&r).contains(&"IM305"), "{:#?}", r.diagnostics());
    // …but a capture without such letters is fine.
    let r = run(CR, "m /^user([0-9]+)@x\\.com$ u\\1\nm user7@x.com u7\n");
    assert!(codes(&r).contains(&"IM305"), "{:#?}", r.diagnostics());
    // Case variants in sensitive mode are different identities.
    case("IM305", CR, "m Alice a\nm alice a\n", "m x a\nm alice a\n");
    let r = run(CS, "m Alice a\nm alice a\n");
    assert!(!codes(&r).contains(&"IM305"));
}

#[test]
fn im306_never_matches() {
    case("IM306", CR, "m /^alice$/ alice\n", "m /^alice$ alice\n");
    case("IM306", CR, "m /a^b x\n", "m /a|^b x\n");
    case("IM306", PG, "m /^a$b x\n", "m /^ab$ x\n");
}

#[test]
fn im307_empty_user() {
    case("IM307", CR, "m /^(.*)@example\\.com$ \\1\n", "m /^(.+)@example\\.com$ \\1\n");
    let r = run(CR, "m /^(.*)@example\\.com$ \\1\n");
    assert!(find(&r, "IM307").message().contains("`@example.com`"));
    assert!(!codes(&run(PG, "m /^(.*)@example\\.com$ \\1\n")).contains(&"IM307"));
}

#[test]
fn im308_invalid_user() {
    case("IM308", CR, "m alice 1alice\n", "m alice alice1\n");
    case("IM308", CR, "m alice alice@x.com\n", "m alice alice\n");
    case("IM308", CR, "m /^([0-9]+)$ \\1\n", "m /^([0-9]+)$ sa_\\1\n");
    case("IM308", PG, &format!("m alice {}\n", "r".repeat(64)), &format!("m alice {}\n", "r".repeat(63)));
}

#[test]
fn im309_unicode_blank() {
    case("IM309", CR, "m\u{a0}alice alice\n", "\u{a0}m alice alice\n");
    case("IM309", CR, "m\u{b}x u v\n", "m x u\n");
}

#[test]
fn im310_case_confusion() {
    case("IM310", CS, "m Carl@Example.com carl\n", "m carl@example.com carl\n");
    case("IM310", CR, "m /^[A-Z]+$ x\n", "m /^[A-Za-z]+$ x\n");
    case("IM310", CR, "m alice Alice\n", "m alice alice\n");
    case("IM310", CR, "m Carl@x.com carl\nm carl@x.com carl2\n", "m carl@x.com carl\nm carl@y.com carl2\n");
}

#[test]
fn im401_version_difference() {
    case("IM401", PG, "m alice +staff\n", "m alice \"+staff\"\n");
    case("IM401", PG15, "m alice all\n", "m alice alice\n");
    case("IM401", PG15, "include other.conf\n", "m include x\n");
}

#[test]
fn im402_are_capture_semantics() {
    case("IM402", PG, "m \"/^(a|ab)(c|bcd)(d*)$\" \\1\n", "m /^(ab)$ \\1\n");
    case("IM402", PG, "m /^a\\bb$ x\n", "m /^a\\yb$ x\n");
}

#[test]
fn im403_dialect_meaning() {
    case("IM403", CR, "m /^\\bbob\\b$ bob\n", "m /^bob$ bob\n");
    case("IM403", PG, "m /^bob\\Z x\n", "m /^bob$ x\n");
    case("IM403", CR, "m /(?s)^a.b$ x\n", "m /(?i)^ab$ x\n");
    let r = run(CR, "m /^\\bbob\\b$ bob\n");
    assert_eq!(find(&r, "IM403").severity(), Severity::Info);
}

#[test]
fn every_rule_is_tested() {
    let src = include_str!("rules.rs");
    for rule in identmap_lint::rules() {
        let name = rule.name.replace('-', "_");
        let code = rule.code.to_ascii_lowercase();
        assert!(
            src.contains(&format!("fn {code}_{name}"))
                || src.contains(&format!("_{code}_{name}"))
                || rule.code <= "IM002",
            "no test function for {} {}",
            rule.code,
            rule.name
        );
    }
}

/// No finding is reported twice (same code, place and message): a rule whose checks overlap
/// once reported an upper-case user twice in the case-insensitive dialect.
#[test]
fn no_finding_is_reported_twice() {
    let inputs = [
        "m alice Alice\n",
        "m /^[A-Z]+$ Bob\nm /^(.*)@corp.com$ \\1\nm /bob root\n",
        "https://accounts.google.com/ /^(.*)@example.com$ \\1\\2\nm Carl@x.com carl\nm carl@x.com carl\n",
    ];
    for dialect in [CR, CS, PG] {
        for input in inputs {
            let r = run(dialect, input);
            let mut seen = std::collections::HashSet::new();
            for d in r.diagnostics() {
                assert!(
                    seen.insert((d.code(), d.file().to_string(), d.span(), d.message().to_string())),
                    "{} reported twice on {input:?}: {}",
                    d.code(),
                    d.message()
                );
            }
        }
    }
}

#[test]
fn im003_not_analysed() {
    // `[a-z]*a[a-z]{25}` needs about 2^26 DFA states: IM204 cannot decide, and says so.
    case("IM003", CR, "m /^(?:|[a-z]*a[a-z]{25})$ x\n", "m /^(?:|[a-z]{3})$ x\n");
    let r = run(CR, "m /^(?:|[a-z]*a[a-z]{25})$ x\n");
    let d = find(&r, "IM003");
    assert!(d.message().starts_with("IM204 (matches-everything) not analysed"), "{}", d.message());
    assert_eq!(d.severity(), identmap_lint::Severity::Info);
    // Not a verdict: IM204 itself stays silent.
    assert!(!codes(&r).contains(&"IM204"));
}
