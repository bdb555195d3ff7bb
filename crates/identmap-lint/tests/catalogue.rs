//! The documentation's own mistakes (`spec/sso.md` "common mistakes", the examples of the lint
//! catalogue) are caught; suppressions; the miette view; hostile input never panics.

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap_lint::{lint, Config, Dialect, Input, Report, Severity};

fn map(text: &str) -> Report {
    lint(&Input::Map { name: "ids.map", text }, &Config::default())
}

fn has(r: &Report, code: &str) -> bool {
    r.diagnostics().iter().any(|d| d.code() == code)
}

#[test]
fn documentation_mistakes_are_caught() {
    // The docs' backwards range.
    assert!(has(&map("https://accounts.google.com /^([9-0]*)$ \\1\n"), "IM102"));
    // Unanchored: `/bob` matches `jimbob`; `/@example\.com` matches `x@example.com.evil.io`.
    assert!(has(&map("https://idp.example.com /bob bob\n"), "IM201"));
    assert!(has(&map("https://idp.example.com /@example\\.com x\n"), "IM201"));
    // Unescaped dots.
    let r = map("https://accounts.google.com /^(.*)@example.com$ \\1\n");
    assert!(has(&r, "IM202"));
    // `/^(.*)@corp\.com$ \1` lets root@corp.com become root.
    let r = map("https://idp.example.com /^(.*)@corp\\.com$ \\1\n");
    let d = r.diagnostics().iter().find(|d| d.code() == "IM203").expect("IM203");
    assert!(d.message().contains("root@corp.com"));
    // `(.*)@` swallows the separator.
    assert!(has(&r, "IM205"));
    // Perl-style delimiters.
    assert!(has(&map("https://idp.example.com /^alice$/ alice\n"), "IM303"));
    // A trailing-slash issuer in the map only.
    let sql = "SET CLUSTER SETTING server.jwt_authentication.issuers = 'https://accounts.google.com';\n\
               SET CLUSTER SETTING server.identity_map.configuration = 'https://accounts.google.com/ carl@cockroachlabs.com carl';\n";
    let r = lint(&Input::Sql { name: "c.sql", text: sql }, &Config::default());
    assert!(has(&r, "IM301"), "{:#?}", r.diagnostics());
    // A mutable claim.
    let sql = "SET CLUSTER SETTING server.jwt_authentication.claim = 'preferred_username';\n";
    assert!(has(&lint(&Input::Sql { name: "c.sql", text: sql }, &Config::default()), "IM208"));
    // Escaping lost across layers: `\\1` in a plain map is a backslash and `\1`; a user of `1`
    // from a lost backslash is a literal user (and starts with a digit).
    assert!(has(&map("https://idp.example.com /^(.*)@x\\.com$ 1\n"), "IM308"));
}

#[test]
fn the_bundled_example_of_the_docs_sql() {
    let text = include_str!("../../../examples/cockroach-docs.sql");
    let r = lint(&Input::Sql { name: "cockroach-docs.sql", text }, &Config::default());
    assert!(has(&r, "IM102"), "{:#?}", r.diagnostics());
    for d in r.diagnostics() {
        assert!(d.span().end <= text.len(), "{d:?}");
    }
}

#[test]
fn clean_map_is_clean() {
    let text = "https://idp.example.com /^([a-z0-9._-]+)@example\\.com$ corp_\\1\nhttps://idp.example.com carl@example.com carl\n";
    let r = map(text);
    assert!(r.diagnostics().is_empty(), "{:#?}", r.diagnostics());
    assert_eq!(r.max_severity(), None);
}

#[test]
fn suppressions() {
    let text = "m /bob bob  # identmap: allow IM201 — legacy partner feed\n\
                # identmap: allow IM201: next line\n\
                m /carl carl\n\
                m /^alice$ alice  # identmap: allow IM201 -- nothing to allow\n\
                m /^dave$ dave  # identmap: allow IM201\n";
    let r = map(text);
    let codes: Vec<(&str, usize)> = r
        .diagnostics()
        .iter()
        .map(|d| (d.code(), identmap::LineIndex::new(text).line(d.span().start)))
        .collect();
    assert_eq!(codes, [("IM001", 4), ("IM002", 5)], "{:#?}", r.diagnostics());
    assert_eq!(r.unused_suppressions().len(), 1);
    assert_eq!(r.unused_suppressions()[0].codes(), ["IM201"]);
    // In SQL, above the statement.
    let sql = "SET CLUSTER SETTING server.jwt_authentication.issuers = 'https://a.example';\n\
               -- identmap: allow IM301 — the staging issuer is added next week\n\
               SET CLUSTER SETTING server.identity_map.configuration = 'https://b.example carl@x.com carl';\n";
    let r = lint(&Input::Sql { name: "c.sql", text: sql }, &Config::default());
    assert!(r.diagnostics().is_empty(), "{:#?}", r.diagnostics());
}

#[test]
fn severity_overrides() {
    let mut config = Config::default();
    config.set_severity("IM201", Some(Severity::Info)).unwrap();
    config.set_severity("IM202", None).unwrap();
    let r = lint(&Input::Map { name: "m", text: "m /@x.com x\n" }, &config);
    assert!(r.diagnostics().iter().all(|d| d.code() != "IM202"));
    assert_eq!(
        r.diagnostics().iter().find(|d| d.code() == "IM201").map(|d| d.severity()),
        Some(Severity::Info)
    );
    assert!(config.set_severity("IM999", None).is_err());
}

#[test]
fn miette_view() {
    let r = map("m /bob bob\n");
    let d = &r.diagnostics()[0];
    assert_eq!(d.code().to_string(), "IM201");
    let m: &dyn miette::Diagnostic = d;
    assert_eq!(m.code().map(|c| c.to_string()).as_deref(), Some("IM201(unanchored-regex)"));
    assert_eq!(m.severity(), Some(miette::Severity::Error));
    assert!(m.help().is_some());
    assert!(m.url().is_some_and(|u| u.to_string().ends_with("docs/rules/IM201.md")));
    let labels: Vec<miette::LabeledSpan> = m.labels().unwrap().collect();
    assert_eq!((labels[0].offset(), labels[0].len()), (2, 4));
    assert!(m.source_code().is_some());
    assert_eq!(r.sources()[0].name(), "ids.map");
}

#[test]
fn deterministic_order() {
    let text = "m /b@x.com b\nm /a a\nm root root\n";
    let a = map(text);
    let b = map(text);
    let key = |r: &Report| r.diagnostics().iter().map(|d| (d.span().start, d.code())).collect::<Vec<_>>();
    assert_eq!(key(&a), key(&b));
    let k = key(&a);
    assert!(k.windows(2).all(|w| w[0] <= w[1]), "{k:?}");
}

#[test]
fn hostile_input_never_panics() {
    let cases: Vec<String> = vec![
        format!("m /{} x\n", "(".repeat(5000)),
        format!("m /{} x\n", "a{1000}".repeat(30)),
        format!("m /^(a|b|c)*{}$ \\1\n", "(x?)".repeat(500)),
        format!("m {} x\n", "é".repeat(40_000)),
        "m /\\ x\nm /[ x\nm /(?P<n x\n\u{0}\u{1} \u{feff} x\n".to_string(),
        "m / \\1\nm /() \\1\nm /(|) \\1\nm /^$ \\1\nm /$^ x\nm /\\b x\n".to_string(),
        "m /(?i)[^\\x00-\\x{10FFFF}] x\nm /[^\\s\\S] x\n".to_string(),
        (0..2000).map(|i| format!("m /^u{i}(.*)$ \\1\n")).collect(),
        "# identmap: allow\n# identmap: allow IM201 —\n# identmap:\n#identmap: allow IM201 — x\n".to_string(),
    ];
    for text in &cases {
        for dialect in [
            Dialect::Cockroach(CaseMode::Insensitive),
            Dialect::Cockroach(CaseMode::Sensitive),
            Dialect::Postgres(identmap::postgres::Version::V15),
            Dialect::Postgres(identmap::postgres::Version::V16),
        ] {
            let r = lint(&Input::Map { name: "h", text }, &Config::new(dialect));
            for d in r.diagnostics() {
                assert!(d.span().end <= text.len());
                let _ = identmap_lint::apply_fixes(text, "h", r.diagnostics());
            }
            let r = lint(&Input::Sql { name: "h.sql", text }, &Config::new(dialect));
            assert!(r.diagnostics().iter().all(|d| d.span().end <= text.len()));
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn pattern() -> impl Strategy<Value = String> {
        let prefix = prop_oneof![Just(""), Just("u"), Just("svc-"), Just("[a-z]*")];
        let capture = prop_oneof![
            Just("(.*)"),
            Just("(.+)"),
            Just("([a-z]+)"),
            Just("([a-z0-9._-]*)"),
            Just("(\\w+)"),
            Just("([^@]+)")
        ];
        let suffix = prop_oneof![Just("@corp\\.com"), Just("@x\\.example\\.org"), Just(""), Just("-[0-9]+")];
        (prefix, capture, suffix, any::<bool>(), any::<bool>()).prop_map(|(p, c, s, a, z)| {
            format!("{}{p}{c}{s}{}", if a { "^" } else { "" }, if z { "$" } else { "" })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// IM203's example identity really maps to the reserved user, through the reference
        /// evaluator of identmap itself.
        #[test]
        fn im203_examples_map_to_the_reserved_user(pat in pattern(), user in prop_oneof![Just("\\1"), Just("pg_\\1"), Just("x_\\1"), Just("\\1_x")], sensitive in any::<bool>()) {
            let case = if sensitive { CaseMode::Sensitive } else { CaseMode::Insensitive };
            let text = format!("m /{pat} {user}\n");
            let r = lint(&Input::Map { name: "m", text: &text }, &Config::new(Dialect::Cockroach(case)));
            let rules = Ruleset::parse(&text, Options::new().case(case)).unwrap();
            for d in r.diagnostics().iter().filter(|d| d.code() == "IM203" && d.severity() == Severity::Warning) {
                let msg = d.message();
                let id = msg.split("the identity `").nth(1).and_then(|s| s.split('`').next()).unwrap();
                let target = msg.split("reserved user `").nth(1).and_then(|s| s.split('`').next()).unwrap();
                let users = rules.map("m", id).into_users();
                prop_assert!(users.iter().any(|u| u == target), "{text}: {id} gives {users:?}, not {target}");
            }
        }
    }
}

#[test]
fn findings_in_included_files_point_there() {
    let mut files = identmap::postgres::MemoryFiles::new();
    files.insert("conf.d/extra.conf", "m /bob bob\n");
    let text = "include conf.d/extra.conf\nm alice alice\n";
    let config = Config::new(Dialect::Postgres(identmap::postgres::Version::V16));
    let r = lint(&Input::PgIdent { name: "pg_ident.conf", text, files: &files }, &config);
    let d = r.diagnostics().iter().find(|d| d.code() == "IM201").expect("IM201");
    assert_eq!(d.file(), "conf.d/extra.conf");
    assert_eq!(&"m /bob bob\n"[d.span().range()], "/bob");
    assert_eq!(r.source("conf.d/extra.conf"), Some("m /bob bob\n"));
    assert_eq!(r.sources()[0].name(), "pg_ident.conf");
}

#[test]
fn fixes_inside_sql_literals() {
    // A plain literal holds the map verbatim: the fix applies to the .sql file.
    let sql = "SET CLUSTER SETTING server.identity_map.configuration = 'm /^(.*)@corp.com$ c_\\1';\n";
    let r = lint(&Input::Sql { name: "c.sql", text: sql }, &Config::default());
    let fixed = identmap_lint::apply_fixes(sql, "c.sql", r.diagnostics());
    assert_eq!(
        fixed,
        "SET CLUSTER SETTING server.identity_map.configuration = 'm /^(.*)@corp\\.com$ c_\\1';\n"
    );
    // In an e'…' literal a backslash would need escaping: no fix is offered.
    let sql = "SET CLUSTER SETTING server.identity_map.configuration = e'm /^(.*)@corp.com$ c_\\\\1';\n";
    let r = lint(&Input::Sql { name: "c.sql", text: sql }, &Config::default());
    let d = r.diagnostics().iter().find(|d| d.code() == "IM202").expect("IM202");
    assert!(d.fix().is_none());
    assert_eq!(&sql[d.span().range()], ".");
}
