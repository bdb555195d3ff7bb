//! Tests of the Go regex translator: the conformance records of
//! `testdata/conformance/cockroach-regex.jsonl` (both case modes), a table of the differences
//! listed in `go-regex.md`, and hostile inputs.

use super::{parse, quote_meta};
use crate::normalize_username;
use crate::regex::compile;

/// Run `pattern` on `haystack`: `None` if it does not match, else group 1's text (`""` when
/// group 1 did not participate) — the part of Go's `FindStringSubmatch` identmap uses.
fn run(pattern: &str, haystack: &str) -> Result<Option<String>, String> {
    let re = parse(pattern).map_err(|e| e.to_string())?;
    let meta = compile(&re.hir, false).map_err(|e| e.message)?;
    let mut caps = meta.create_captures();
    meta.captures(haystack, &mut caps);
    if !caps.is_match() {
        return Ok(None);
    }
    let g1 = caps.get_group(1).and_then(|sp| haystack.get(sp.range())).unwrap_or_default();
    Ok(Some(g1.to_owned()))
}

fn matches(pattern: &str, haystack: &str) -> bool {
    matches!(run(pattern, haystack), Ok(Some(_)))
}

fn group1(pattern: &str, haystack: &str) -> Option<String> {
    run(pattern, haystack).ok().flatten()
}

fn err(pattern: &str) -> String {
    match parse(pattern) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

// ---- conformance ----------------------------------------------------------------------------

struct Rule {
    map: String,
    regex: regex_automata::meta::Regex,
    user: String,
}

/// Go's ASCII `\s` field separators.
fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0C' | '\r')
}

/// Parse a config the way CockroachDB's identity-map parser does, as far as these records need.
fn parse_config(config: &str, ci: bool) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for (i, raw) in config.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let line = line.split('#').next().unwrap_or_default();
        let line = line.trim_matches(char::is_whitespace);
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(is_sep).filter(|f| !f.is_empty()).collect();
        let [map, ident, user] = fields[..] else {
            return Err(format!("unable to parse line {line_no}: field shape"));
        };
        let mut pattern = match ident.strip_prefix('/') {
            Some(p) => p.to_owned(),
            None => format!("^{}$", quote_meta(ident)),
        };
        if ci {
            pattern = format!("(?i){pattern}");
        }
        let re = parse(&pattern).map_err(|e| format!("unable to parse line {line_no}: {e}"))?;
        if user.contains("\\1") && re.groups == 0 {
            return Err(format!(
                "saw \\1 substitution on line {line_no}, but pattern contains no subexpressions"
            ));
        }
        let regex = compile(&re.hir, false).map_err(|e| e.message)?;
        rules.push(Rule { map: map.to_owned(), regex, user: user.to_owned() });
    }
    Ok(rules)
}

fn map_users(rules: &[Rule], issuer: &str, identity: &str, ci: bool) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| r.map == issuer) {
        let mut caps = rule.regex.create_captures();
        rule.regex.captures(identity, &mut caps);
        if !caps.is_match() {
            continue;
        }
        let user = match rule.user.find("\\1") {
            Some(i) => {
                let g1 = caps.get_group(1).and_then(|sp| identity.get(sp.range())).unwrap_or_default();
                format!("{}{}{}", &rule.user[..i], g1, &rule.user[i + 2..])
            }
            None => rule.user.clone(),
        };
        if user.is_empty() {
            continue;
        }
        let normalized = normalize_username(&user);
        let key = if ci { normalized.clone() } else { user };
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(normalized);
    }
    out
}

/// What a record expects, or `None` for records about other config-line errors.
fn expected(e: &serde_json::Value) -> Option<Result<Vec<String>, String>> {
    if e["ok"].as_bool() == Some(true) {
        let users = e["users"]
            .as_array()
            .map(|a| a.iter().filter_map(|u| u.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        return Some(Ok(users));
    }
    let error = e["error"].as_str().unwrap_or_default();
    if error.contains("error parsing regexp") || error.contains("saw \\1") {
        Some(Err(error.to_owned()))
    } else {
        None
    }
}

fn line_prefix(e: &str) -> &str {
    match e.find(": ") {
        Some(i) if e.starts_with("unable to parse line") => &e[..i],
        _ => e,
    }
}

/// Run `f` on a thread with a large stack: compiling a pattern nested 999 deep (which Go accepts)
/// recurses in `regex-automata`'s compiler deeper than a default 2 MiB test thread allows in
/// debug builds.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(64 << 20).spawn(f).expect("spawn");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn conformance_cockroach_regex() {
    with_big_stack(conformance);
}

fn conformance() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/conformance/cockroach-regex.jsonl");
    let text = std::fs::read_to_string(path).expect("conformance records");
    let mut failures: Vec<String> = Vec::new();
    let mut message_diffs: Vec<String> = Vec::new();
    let mut counts = [(0usize, 0usize, 0usize); 2]; // (run, passed, skipped) per mode
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_str(line).expect("json record");
        let config = rec["config"].as_str().unwrap_or_default();
        let issuer = rec["issuer"].as_str().unwrap_or_default();
        let identity = rec["identity"].as_str().unwrap_or_default();
        for (mode, (key, ci)) in [("expect_cs", false), ("expect_ci", true)].into_iter().enumerate() {
            let Some(want) = expected(&rec[key]) else {
                counts[mode].2 += 1;
                continue;
            };
            counts[mode].0 += 1;
            let got = parse_config(config, ci).map(|rules| map_users(&rules, issuer, identity, ci));
            let ok = match (&want, &got) {
                (Ok(w), Ok(g)) => w == g,
                (Err(w), Err(g)) => {
                    if w != g {
                        message_diffs
                            .push(format!("record {} {key} {config:?}: want {w:?}, got {g:?}", n + 1));
                    }
                    line_prefix(w) == line_prefix(g)
                }
                _ => false,
            };
            if ok {
                counts[mode].1 += 1;
            } else {
                failures.push(format!(
                    "record {} {key} {config:?} identity {identity:?}: want {want:?}, got {got:?}",
                    n + 1
                ));
            }
        }
    }
    let summary = format!(
        "cs: {}/{} passed ({} skipped); ci: {}/{} passed ({} skipped); {} failures; {} message diffs",
        counts[0].1,
        counts[0].0,
        counts[0].2,
        counts[1].1,
        counts[1].0,
        counts[1].2,
        failures.len(),
        message_diffs.len()
    );
    let shown: Vec<&String> = failures.iter().chain(&message_diffs).take(50).collect();
    assert!(
        failures.is_empty() && message_diffs.is_empty(),
        "{summary}\n{}",
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(counts[0].0 > 900 && counts[1].0 > 900, "{summary}");
}

// ---- the difference table of go-regex.md ----------------------------------------------------

/// `(row, pattern, haystack, expected group 1 or None for no match)`.
const MATCH_ROWS: &[(u32, &str, &str, Option<&str>)] = &[
    (1, r"^(\d)$", "7", Some("7")),
    (1, r"^(\d)$", "٣", None),
    (1, r"^(\w)$", "é", None),
    (1, r"^([\w])$", "ж", None),
    (1, r"^(\D)$", "٣", Some("٣")),
    (2, r"(?i)^(\w)$", "\u{212A}", Some("\u{212A}")),
    (2, r"(?i)^(\w)$", "\u{17F}", Some("\u{17F}")),
    (2, r"(?i)^([a-z])$", "\u{212A}", Some("\u{212A}")),
    (2, r"(?i)^([[:upper:]])$", "\u{17F}", Some("\u{17F}")),
    (2, r"(?i)^(\W)$", "\u{212A}", None),
    (3, r"^(\s)$", "\x0B", None),
    (3, r"^(\s)$", "\u{A0}", None),
    (3, r"^(\S)$", "\u{2003}", Some("\u{2003}")),
    (3, r"^(\s)$", "\x0C", Some("\x0C")),
    (4, r"(\b.)", "éa", Some("a")),
    (4, r"^(\b)", "\u{212A}", None),
    (4, r"^(.\B.)$", "éa", None),
    (5, r"^(\p{^Lu})$", "a", Some("a")),
    (5, r"^(\p{^Lu})$", "A", None),
    (5, r"^(\P{^Lu})$", "A", Some("A")),
    (7, r"^(\p{Cs}|x)$", "x", Some("x")),
    (8, r"^(\p{greek})$", "α", Some("α")),
    (8, r"^(\p{Letter})$", "ж", Some("ж")),
    (8, r"^(\p{Lowercase_Letter})$", "a", Some("a")),
    (8, r"^(\pl)$", "a", Some("a")),
    (8, r"^(\p{LC})$", "A", Some("A")),
    (8, r"^(\p{digit})$", "٣", Some("٣")),
    (8, r"^(\p{Cn})$", "\u{378}", Some("\u{378}")),
    (8, r"^(\p{Old_Italic})$", "\u{10300}", Some("\u{10300}")),
    (8, r"^(\p{olditalic})$", "\u{10300}", Some("\u{10300}")),
    (10, r"^([[a]])$", "[]", Some("[]")),
    (10, r"^([[a]])$", "a", None),
    (10, r"^([[a]]*)$", "a]]]", Some("a]]]")),
    (10, r"^([[a])]$", "[]", Some("[")),
    (10, r"^([a[]b)$", "]b", None),
    (10, r"^([[])$", "[", Some("[")),
    (10, r"^([[=a=]])$", "=]", Some("=]")),
    (11, r"^([a&&b])$", "&", Some("&")),
    (11, r"^([a~~b])$", "~", Some("~")),
    (11, r"^([--a])$", "0", Some("0")),
    (11, r"^([\p{Greek}&&\p{Lu}])$", "α", Some("α")),
    (13, r"^([\d-z])$", "-", Some("-")),
    (13, r"^([\w-.])$", ".", Some(".")),
    (14, r"^(\Qa.b\E)$", "a.b", Some("a.b")),
    (14, r"^(\Qa.b\E)$", "axb", None),
    (14, r"^(\Qab\E+)$", "abbb", Some("abbb")),
    (14, r"^(x)\Qa.b)$", "xa.b)$", Some("x")),
    (14, r"(?i)^(\QAB\E)$", "ab", Some("ab")),
    (15, r"^(\101)$", "A", Some("A")),
    (15, r"^(\0)$", "\0", Some("\0")),
    (15, r"^(\12)$", "\n", Some("\n")),
    (15, r"^(\0000)$", "\u{0}0", Some("\u{0}0")),
    (15, r"^(\777)$", "\u{1FF}", Some("\u{1FF}")),
    (17, r"^(\x{D800}|x)$", "x", Some("x")),
    (17, r"^([\x{D7FF}-\x{E000}])$", "\u{E000}", Some("\u{E000}")),
    (19, r"^(\<a\>)$", "<a>", Some("<a>")),
    (20, r"^(x\b{start}a)$", "x{start}a", Some("x{start}a")),
    (25, r"^(x{)$", "x{", Some("x{")),
    (25, r"^(x{})$", "x{}", Some("x{}")),
    (25, r"^(x{a})$", "x{a}", Some("x{a}")),
    (25, r"^(x{1)$", "x{1", Some("x{1")),
    (25, r"^(x{1,2)$", "x{1,2", Some("x{1,2")),
    (25, r"^(x{,3})$", "x{,3}", Some("x{,3}")),
    (26, r"^(x{03})$", "x{03}", Some("x{03}")),
    (26, r"^(x{03})$", "xxx", None),
    (28, r"^(\pL{1000})$", "a", None),
    (30, r"(?ii)^(a)$", "A", Some("A")),
    (30, r"(?i-i)^(a)$", "A", None),
    (31, r"(?)^(a)$", "a", Some("a")),
    (32, r"^(?P<1>x)$", "x", Some("x")),
    (32, r"^(?P<1a>x)$", "x", Some("x")),
    (34, r"^(?P<n>x)(?P<n>y)$", "xy", Some("x")),
    (34, r"^(?<n>x)(?P<n>y)$", "xy", Some("x")),
    (35, r"^(?<n>x)$", "x", Some("x")),
    // What agrees, pinned anyway.
    (0, r"(a|ab)(c|bcd)", "abcd", Some("a")),
    (0, r"(?:(a)|b)+", "ab", Some("a")),
    (0, r"a$", "a\n", None),
    (0, r"(?m)^(b)$", "a\nb\n", Some("b")),
    (0, r"(?m)a$", "a\r\n", None),
    (0, r"^(.)$", "\n", None),
    (0, r"(?s)^(.)$", "\n", Some("\n")),
    (0, r"(?i)^(k)$", "\u{212A}", Some("\u{212A}")),
    (0, r"(?i)^(ß)$", "ẞ", Some("ẞ")),
    (0, r"(?i)^(ß)$", "ss", None),
    (0, r"(?i)^(i)$", "İ", None),
    (0, r"(?i)^([^k])$", "\u{212A}", None),
    (0, r"(?i)^(\p{Lu})$", "a", Some("a")),
    (0, r"(?i)^(\P{Lu})$", "a", None),
    (0, r"^([[:space:]])$", "\x0B", Some("\x0B")),
    (0, r"(?U)(a+)", "aaa", Some("a")),
    (0, r"(?U)(a+?)", "aaa", Some("aaa")),
    (0, r"(a*?)b", "aab", Some("aa")),
    (0, r"(?i:A)(b)", "aB", None),
    (0, r"((?i)A|b)$", "B", Some("B")),
    (0, r"((?i)A)b$", "aB", None),
    (0, r"(a){0}b", "b", Some("")),
    (0, r"^*(a)", "a", Some("a")),
    (0, r"\b{2}(a)", "a", Some("a")),
    (0, r"(?i)(σ)", "ς", Some("ς")),
    // Go factors alternations (common literal prefixes, common leading classes); what they
    // match must not change.
    (0, r"^(abc|abd|aef|bcx|bcy)$", "aef", Some("aef")),
    (0, r"^(abc|abd|aef|bcx|bcy)$", "bcy", Some("bcy")),
    (0, r"^(abc|abd|aef|bcx|bcy)$", "abe", None),
    (0, r"^(ab|a)(c?)$", "ab", Some("ab")),
    (0, r"(a|ab)(b*)", "abb", Some("a")),
    (0, r"^([a-z]x|[a-z]y)$", "qy", Some("qy")),
    (0, r"^(x{2}a|x{2}b)$", "xxb", Some("xxb")),
    (0, r"^(?:(?i:A)x|A(\d))$", "a5", None),
    (0, r"^(?:(?i:A)x|A(\d))$", "A5", Some("5")),
    (0, r"^(?:(?i)ab|AC)$", "Ac", Some("")),
    (0, r"^(?:(?i)ab|AC)$", "aB", Some("")),
    (0, r"^(?:ab|(a)|ac)$", "ac", Some("")),
    (0, r"^(?:ab|(a)|ac)$", "a", Some("a")),
];

#[test]
fn difference_table_matches() {
    let mut bad = Vec::new();
    for &(row, pattern, haystack, want) in MATCH_ROWS {
        let got = run(pattern, haystack);
        if got != Ok(want.map(str::to_owned)) {
            bad.push(format!("row {row}: {pattern:?} on {haystack:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `(row, pattern, Go's error text or "ok")`.
const ERROR_ROWS: &[(u32, &str, &str)] = &[
    (6, r"\p{Emoji}", "invalid character class range: `\\p{Emoji}`"),
    (6, r"\p{Alphabetic}", "invalid character class range: `\\p{Alphabetic}`"),
    (6, r"\p{White_Space}", "invalid character class range: `\\p{White_Space}`"),
    (6, r"\p{XID_Start}", "invalid character class range: `\\p{XID_Start}`"),
    (6, r"\p{Script=Greek}", "invalid character class range: `\\p{Script=Greek}`"),
    (6, r"\p{sc=Greek}", "invalid character class range: `\\p{sc=Greek}`"),
    (6, r"\p{gc=Lu}", "invalid character class range: `\\p{gc=Lu}`"),
    (6, r"\p{Age=6.0}", "invalid character class range: `\\p{Age=6.0}`"),
    (6, r"\p{IsGreek}", "invalid character class range: `\\p{IsGreek}`"),
    (6, r"\p{Is_Greek}", "invalid character class range: `\\p{Is_Greek}`"),
    (7, r"\p{Cs}", "ok"),
    (7, r"\p{Sidetic}", "ok"),
    (7, r"\p{Tolong_Siki}", "ok"),
    (8, r"\p{L&}", "invalid character class range: `\\p{L&}`"),
    (8, r"\p{Greek}\p{greek}\p{Letter}\p{Lowercase_Letter}\pl\p{LC}\p{Cn}\p{digit}", "ok"),
    (9, "[[:foo:]]", "invalid character class range: `[:foo:]`"),
    (9, "[[:ALPHA:]]", "invalid character class range: `[:ALPHA:]`"),
    (10, "[[a]]", "ok"),
    (10, "[a[]b]", "ok"),
    (10, "[[]", "ok"),
    (10, "[a[]", "ok"),
    (11, "[a&&b][&&][a~~b][~~][--a]", "ok"),
    (12, "[a--b]", "invalid character class range: `a--`"),
    (12, r"[\pL--\p{Lu}]", "invalid escape sequence: `\\p`"),
    (13, r"[\d-z][\w-.]", "ok"),
    (14, r"\Qa", "ok"),
    (14, r"\E", "invalid escape sequence: `\\E`"),
    (14, r"[\Q]", "invalid escape sequence: `\\Q`"),
    (15, r"\0\00\000\101\12\777\0000", "ok"),
    (16, r"\1", "invalid escape sequence: `\\1`"),
    (16, r"\7", "invalid escape sequence: `\\7`"),
    (16, r"\8", "invalid escape sequence: `\\8`"),
    (16, r"\9", "invalid escape sequence: `\\9`"),
    (16, r"\18", "invalid escape sequence: `\\1`"),
    (17, r"\x{D800}", "ok"),
    (18, r"\u0041", "invalid escape sequence: `\\u`"),
    (18, r"\U00000041", "invalid escape sequence: `\\U`"),
    (19, r"\<\>", "ok"),
    (20, r"\b{start}\b{end}\b{start-half}", "ok"),
    (21, "a{1001}", "invalid repeat count: `{1001}`"),
    (21, "a{0,1001}", "invalid repeat count: `{0,1001}`"),
    (21, "a{1001,}", "invalid repeat count: `{1001,}`"),
    (21, "a{2147483648}", "invalid repeat count: `{2147483648}`"),
    (21, "a{1000}", "ok"),
    (22, "(a{100}){100}", "invalid repeat count: `{100}`"),
    (22, "(a{1000}){1000}", "invalid repeat count: `{1000}`"),
    (22, "(a{10}){10}", "ok"),
    (22, "(a{10}){10}?", "ok"),
    (22, "((a{10}){10}){2}", "ok"),
    (22, "((a{10}){10}){20}", "invalid repeat count: `{20}`"),
    (24, "a**", "invalid nested repetition operator: `**`"),
    (24, "a*+", "invalid nested repetition operator: `*+`"),
    (24, "a++", "invalid nested repetition operator: `++`"),
    (24, "a?*", "invalid nested repetition operator: `?*`"),
    (24, "a+*", "invalid nested repetition operator: `+*`"),
    (24, "a*?+", "invalid nested repetition operator: `*?+`"),
    (24, "a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
    (24, "a{2}*", "invalid nested repetition operator: `{2}*`"),
    (24, "a*{2}", "invalid nested repetition operator: `*{2}`"),
    (24, "a{2}??", "invalid nested repetition operator: `{2}??`"),
    (24, "x{1,2}{3,4}", "invalid nested repetition operator: `{1,2}{3,4}`"),
    (24, "a*?a??a{2}?", "ok"),
    (25, "x{x{}x{a}x{1x{1,2x{,3}", "ok"),
    (29, "(?x)", "invalid or unsupported Perl syntax: `(?x`"),
    (29, "(?x:a)", "invalid or unsupported Perl syntax: `(?x`"),
    (29, "(?u)", "invalid or unsupported Perl syntax: `(?u`"),
    (29, "(?-u)", "invalid or unsupported Perl syntax: `(?-u`"),
    (29, "(?R)", "invalid or unsupported Perl syntax: `(?R`"),
    (30, "(?ii)(?i-i)(?imsU-imsU)", "ok"),
    (31, "(?)", "ok"),
    (31, "(?-)", "invalid or unsupported Perl syntax: `(?-)`"),
    (31, "(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"),
    (31, "(?--i)", "invalid or unsupported Perl syntax: `(?--`"),
    (32, "(?P<1>x)(?P<1a>x)(?P<_>x)", "ok"),
    (33, "(?P<é>x)", "invalid named capture: `(?P<é>`"),
    (33, "(?P<a.b>x)", "invalid named capture: `(?P<a.b>`"),
    (33, "(?P<a[0]>x)", "invalid named capture: `(?P<a[0]>`"),
    (33, "(?P<>x)", "invalid named capture: `(?P<>`"),
    (33, "(?<=a)(b)", "invalid named capture: `(?<=a)(b)`"),
    (34, "(?P<n>x)(?P<n>y)(?<n>z)", "ok"),
    (35, "(?<n>x)", "ok"),
    // What agrees, with Go's messages.
    (0, "(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
    (0, "(?'n'x)", "invalid or unsupported Perl syntax: `(?'`"),
    (0, "(?>a)", "invalid or unsupported Perl syntax: `(?>`"),
    (0, "(?^)", "invalid or unsupported Perl syntax: `(?^`"),
    (0, "(?", "invalid or unsupported Perl syntax: `(?`"),
    (0, "(?i", "invalid or unsupported Perl syntax: `(?i`"),
    (0, r"\Z", "invalid escape sequence: `\\Z`"),
    (0, r"\C", "invalid escape sequence: `\\C`"),
    (0, r"\x{110000}", "invalid escape sequence: `\\x{110000`"),
    (0, r"\x4", "invalid escape sequence: `\\x4`"),
    (0, r"\x{}", "invalid escape sequence: `\\x{}`"),
    (0, r"\x{-", "invalid escape sequence: `\\x{-`"),
    (0, r"\é", "invalid escape sequence: `\\é`"),
    (0, "x{3,2}", "invalid repeat count: `{3,2}`"),
    (0, "[]", "missing closing ]: `[]`"),
    (0, "[^]", "missing closing ]: `[^]`"),
    (0, "[z-a]", "invalid character class range: `z-a`"),
    (0, r"[a-\d]", "invalid escape sequence: `\\d`"),
    (0, "*", "missing argument to repetition operator: `*`"),
    (0, "{3}", "missing argument to repetition operator: `{3}`"),
    (0, "(*)", "missing argument to repetition operator: `*`"),
    (0, "a|*", "missing argument to repetition operator: `*`"),
    (0, "(a", "missing closing ): `(a`"),
    (0, "a)", "unexpected ): `a)`"),
    (0, "(a))", "unexpected ): `(a))`"),
    (0, "\\", "trailing backslash at end of expression: ``"),
    (0, r"\p{Greek", "invalid character class range: `\\p{Greek`"),
    (0, r"\p", "invalid character class range: `\\p`"),
    (0, r"\pX", "invalid character class range: `\\pX`"),
    (0, r"\p{Zzzz}", "invalid character class range: `\\p{Zzzz}`"),
    (0, r"\p{Unknown}", "invalid character class range: `\\p{Unknown}`"),
    (0, r"^*\z*(?i:)()(?:)[^\d\D]", "ok"),
    (0, r"\a\f\t\n\r\v\x41\x{263a}\_\-\!", "ok"),
];

#[test]
fn difference_table_errors() {
    let mut bad = Vec::new();
    for &(row, pattern, want) in ERROR_ROWS {
        let got = err(pattern);
        let want = if want == "ok" { "ok".to_owned() } else { format!("error parsing regexp: {want}") };
        if got != want {
            bad.push(format!("row {row}: {pattern:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn unicode_names_resolve() {
    use super::names::{CATEGORIES, CATEGORY_ALIASES, SCRIPTS, SCRIPTS_17};
    let mut bad = Vec::new();
    let mut check = |name: &str, empty: bool| {
        for form in [format!(r"\p{{{name}}}"), format!(r"\P{{{name}}}"), format!(r"(?i)[\p{{^{name}}}]")] {
            match parse(&form) {
                Ok(re) => {
                    let is_empty = re.hir.properties().minimum_len().is_none();
                    if form.starts_with(r"\p") && is_empty != empty {
                        bad.push(format!("{form}: empty = {is_empty}"));
                    }
                }
                Err(e) => bad.push(format!("{form}: {e}")),
            }
        }
    };
    for (name, _) in CATEGORIES {
        check(name, *name == "Cs");
    }
    for (alias, _) in CATEGORY_ALIASES {
        check(alias, *alias == "Surrogate");
    }
    for name in SCRIPTS {
        check(name, false);
        check(&name.to_lowercase(), false);
        check(&name.replace('_', " "), false);
    }
    for name in SCRIPTS_17 {
        check(name, true);
    }
    for name in ["Any", "Assigned", "ASCII", "LC", "L", "Zl", "Zp", "Letter", "punct", "digit"] {
        check(name, false);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn nesting_depth() {
    // Row 27: 999 capture groups are accepted, 1000 are not; 1001 `(?:` levels are fine.
    let nest = |open: &str, n: usize| format!("{}a{}", open.repeat(n), ")".repeat(n));
    assert!(parse(&nest("(", 999)).is_ok());
    let e = parse(&nest("(", 1000)).unwrap_err();
    assert_eq!(e.code, "expression nests too deeply");
    assert_eq!(e.fragment.len(), 2001);
    assert!(parse(&nest("(?:", 1001)).is_ok());
    // Hostile depth: never overflow the stack.
    assert!(parse(&nest("(", 10_000)).is_err());
    assert!(parse(&nest("(?:", 10_000)).is_ok());
    assert!(parse(&"(".repeat(100_000)).is_err());
    assert!(parse(&")".repeat(100_000)).is_err());
    assert!(parse(&format!("{}a", "(?:a*)*".repeat(5000))).is_ok());
    let stars = format!("{}{}", "(?:".repeat(5000), "a)*".repeat(5000));
    assert_eq!(parse(&stars).unwrap_err().code, "expression nests too deeply");
    assert_eq!(parse(&"[".repeat(300)).unwrap_err().code, "missing closing ]");
}

#[test]
fn deep_compile() {
    with_big_stack(deep_compile_inner);
}

fn deep_compile_inner() {
    let deep = format!("{}a{}", "(".repeat(999), ")".repeat(999));
    let re = parse(&deep).expect("999 groups");
    assert_eq!(re.groups, 999);
    assert!(compile(&re.hir, false).is_ok());
}

#[test]
fn factoring_depth() {
    // `y|xy|xxy|…`: Go's prefix factoring nests one level (a concatenation and an alternation)
    // per alternative, so long chains exceed Go's height limit.
    let chain =
        |n: usize| -> String { (0..n).map(|k| format!("{}y", "x".repeat(k))).collect::<Vec<_>>().join("|") };
    // Parsing never recurses on the Rust stack, even on a 2 MiB test thread in a debug build.
    // (Compiling such a tree recurses in `regex-automata`, and needs a larger stack there.)
    // The tree of `chain(n)` is 2n - 2 high: 501 alternatives are the most Go accepts.
    assert!(parse(&chain(501)).is_ok());
    assert_eq!(parse(&chain(502)).map(|_| ()).unwrap_err().code, "expression nests too deeply");
    let small = format!("^(?:{})$", chain(60));
    assert!(matches(&small, &format!("{}y", "x".repeat(59))));
    assert!(!matches(&small, &format!("{}y", "x".repeat(60))));
    assert!(matches(&small, "y"));
    assert_eq!(parse(&chain(503)).map(|_| ()).unwrap_err().code, "expression nests too deeply");
}

#[test]
fn hostile_sizes() {
    assert_eq!(
        err("a{1000}{1000}"),
        "error parsing regexp: invalid nested repetition operator: `{1000}{1000}`"
    );
    // Row 28: large but accepted, and compilable.
    let re = parse(r"\pL{1000}").expect("accepted");
    assert!(compile(&re.hir, false).is_ok());
    assert!(matches(r"^\w{1000}$", &"a".repeat(1000)));
    assert!(parse(r"\p{Any}{1000}").is_ok());
    // Go's size estimate: 3,355,443 instructions, checked once the node count times the product
    // of the repeat counts seen reaches it (Go counts a repeat again each time the node is
    // pushed, as here when the group is closed and again at the end).
    let big = format!("(?:{}){{1000}}", "a".repeat(3400));
    assert_eq!(parse(&big).map(|_| ()).unwrap_err().code, "expression too large");
    let lots = "(a{1000})".repeat(4000);
    assert_eq!(parse(&lots).map(|_| ()).unwrap_err().code, "expression too large");
    // Long inputs of ordinary text: these must stay fast (no quadratic merging).
    let long = "ab|".repeat(50_000);
    assert!(parse(&long).is_ok());
    let distinct: String =
        (0..20_000u32).filter_map(|i| char::from_u32(0x4E00 + 2 * i)).map(|c| format!("{c}|")).collect();
    assert!(parse(&distinct).is_ok());
    // Many alternatives sharing prefixes in pairs.
    let pairs: String =
        (0..10_000u32).filter_map(|i| char::from_u32(0x4E00 + i)).map(|c| format!("{c}a|{c}b|")).collect();
    assert!(matches(&format!("^(?:{pairs}z)$"), "\u{4E05}b"));
    assert!(parse(&format!("(?i){}", r"\pL".repeat(5_000))).is_ok());
    assert!(parse(&format!("(?i){}", "k".repeat(1_000_000))).is_ok());
    assert!(parse(&format!("{}a", "(?:a?)".repeat(10_000))).is_ok());
}

#[test]
fn spans() {
    let e = parse("ab[z-a]").unwrap_err();
    assert_eq!((e.span.start, e.span.end), (3, 6));
    let e = parse("ab\\").unwrap_err();
    assert_eq!((e.span.start, e.span.end), (2, 3));
    let e = parse("(ab").unwrap_err();
    assert_eq!((e.span.start, e.span.end), (0, 3));
}

#[test]
fn groups_count() {
    assert_eq!(parse("(a)(?:b)(?P<n>c)((d))").map(|r| r.groups).ok(), Some(4));
    assert_eq!(parse("(a){0}").map(|r| r.groups).ok(), Some(1));
    assert_eq!(group1("(a)|b", "b"), Some(String::new()));
}

#[test]
fn quote_meta_like_go() {
    assert_eq!(quote_meta(r"a.b+c*d?e(f)g|h[i]j{k}l^m$n\o"), r"a\.b\+c\*d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\\o");
    assert_eq!(quote_meta("é-_ #"), "é-_ #");
    let q = format!("^{}$", quote_meta("a.b(c)"));
    assert!(matches(&q, "a.b(c)"));
    assert!(!matches(&q, "axb(c)"));
}

/// Go's own `invalidRegexps` (parse_test.go) that a Rust `&str` can hold, with the code Go gives.
#[test]
fn go_invalid_regexps() {
    let cases: Vec<(String, &str)> = vec![
        ("(".into(), "missing closing )"),
        (")".into(), "unexpected )"),
        ("(a".into(), "missing closing )"),
        ("a)".into(), "unexpected )"),
        ("(a))".into(), "unexpected )"),
        ("(a|b|".into(), "missing closing )"),
        ("a|b|)".into(), "unexpected )"),
        ("(a|b|))".into(), "unexpected )"),
        ("(a|b".into(), "missing closing )"),
        ("a|b)".into(), "unexpected )"),
        ("(a|b))".into(), "unexpected )"),
        ("[a-z".into(), "missing closing ]"),
        ("([a-z)".into(), "missing closing ]"),
        ("[a-z)".into(), "missing closing ]"),
        ("([a-z]))".into(), "unexpected )"),
        ("x{1001}".into(), "invalid repeat count"),
        ("x{9876543210}".into(), "invalid repeat count"),
        ("x{2,1}".into(), "invalid repeat count"),
        ("x{1,9876543210}".into(), "invalid repeat count"),
        ("(?P<name>a".into(), "missing closing )"),
        ("(?P<name>".into(), "missing closing )"),
        ("(?P<name".into(), "invalid named capture"),
        ("(?P<x y>a)".into(), "invalid named capture"),
        ("(?P<>a)".into(), "invalid named capture"),
        ("(?<name>a".into(), "missing closing )"),
        ("(?<name>".into(), "missing closing )"),
        ("(?<name".into(), "invalid named capture"),
        ("(?<x y>a)".into(), "invalid named capture"),
        ("(?<>a)".into(), "invalid named capture"),
        ("[a-Z]".into(), "invalid character class range"),
        ("(?i)[a-Z]".into(), "invalid character class range"),
        (r"\Q\E*".into(), "missing argument to repetition operator"),
        ("a{100000}".into(), "invalid repeat count"),
        ("a{100000,}".into(), "invalid repeat count"),
        ("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})".into(), "invalid repeat count"),
        (format!("{}{}", "(".repeat(1000), ")".repeat(1000)), "expression nests too deeply"),
        (format!("{}{}", "(?:".repeat(1000), ")*".repeat(1000)), "expression nests too deeply"),
        (format!("({}){{1000}}", "(xx?)".repeat(1000)), "expression too large"),
        ("(xx?){1000}".repeat(1000), "expression too large"),
        (r"\pL".repeat(27_000), "expression too large"),
        // Perl-only rejections (Go's onlyPOSIX list).
        ("a++".into(), "invalid nested repetition operator"),
        ("a**".into(), "invalid nested repetition operator"),
        ("a?*".into(), "invalid nested repetition operator"),
        ("a+*".into(), "invalid nested repetition operator"),
        ("a{1}{1}".into(), "invalid nested repetition operator"),
        (r"\8".into(), "invalid escape sequence"),
        (r"\C".into(), "invalid escape sequence"),
        ("(?i)(?z)".into(), "invalid or unsupported Perl syntax"),
    ];
    let mut bad = Vec::new();
    for (pattern, code) in &cases {
        match parse(pattern) {
            Ok(_) => bad.push(format!("{:.60?}: accepted, want {code}", pattern)),
            Err(e) if e.code != *code => {
                bad.push(format!("{:.60?}: {}, want {code}", pattern, e.code));
            }
            Err(_) => {}
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Patterns from Go's own parse tests that Go accepts, with a match each.
#[test]
fn go_valid_regexps() {
    let cases: &[(&str, &str, bool)] = &[
        (r"a{,2}", "a{,2}", true),
        (r"\Q+|*?{[\E", "+|*?{[", true),
        (r"^\Q\\E$", "\\", true),
        (r"^\Qa\E*$", "aaa", true),
        (r"^\Q\\\E$", "\\\\", true),
        (r"^\Qab\E*$", "abb", true),
        (r"^\Qab\E*$", "abab", false),
        (r"^\p{^Braille}$", "a", true),
        (r"^\P{^Braille}$", "⠁", true),
        (r"^[[:word:]]$", "_", true),
        (r"^[[:^alpha:]]$", "1", true),
        (r"^(?i)\W$", "k", false),
        (r"^[^\x00-\x{10FFFF}]$", "a", false),
        (r"^(?:[a-c]|[b-d])$", "d", true),
        (r"^(?:abc|abd|aef|bcx|bcy)$", "bcx", true),
        (r"^(?:a(?:b(?:c|d)|ef)|bc[xy])$", "abd", true),
        (r"^(?U)(?:a+?)$", "aa", true),
        (r"^(?:x{2}){3}$", "xxxxxx", true),
        (r"^(?:x{2}){3}$", "xxxxx", false),
        (r"^(?:[ab]c|[ab]d)$", "bd", true),
        (r"^\x{10FFFF}$", "\u{10FFFF}", true),
        (r"^[\x{D7FF}-\x{E000}]+$", "\u{D7FF}\u{E000}", true),
    ];
    let mut bad = Vec::new();
    for &(pattern, hay, want) in cases {
        let got = run(pattern, hay);
        if got.as_ref().map(Option::is_some) != Ok(want) {
            bad.push(format!("{pattern:?} on {hay:?}: want {want}, got {got:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Random patterns over syntax where Go and `regex-syntax` agree: no panics, and the same
/// matches and group spans as `regex-syntax`'s own parse (this checks the factoring and the
/// `Hir` built, not acceptance).
#[test]
fn random_patterns_agree_with_regex_syntax() {
    const TOKENS: &[&str] = &[
        "a", "b", "ab", ".", "*", "+", "?", "*?", "|", "(", ")", "(?:", "[ab]", "[^a]", "^", "$", "{2}",
        "{1,2}", "{0}", "(?i)", "A", "(?s)", "(?m)", "\\b", "[a-b]", "(?U)", "bb",
    ];
    let mut hays: Vec<String> = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for h in &frontier {
            for c in ['a', 'b', 'A', '\n'] {
                next.push(format!("{h}{c}"));
            }
        }
        hays.extend(next.iter().cloned());
        frontier = next;
    }
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut bad = Vec::new();
    let mut compared = 0;
    for _ in 0..3000 {
        let len = 1 + rand(8);
        let pattern: String = (0..len).map(|_| TOKENS[rand(TOKENS.len())]).collect();
        let Ok(mine) = parse(&pattern) else { continue };
        let Ok(theirs) = regex_syntax::ParserBuilder::new().build().parse(&pattern) else {
            continue;
        };
        let (Ok(a), Ok(b)) = (compile(&mine.hir, false), compile(&theirs, false)) else {
            bad.push(format!("{pattern:?}: does not compile"));
            continue;
        };
        compared += 1;
        let mut ca = a.create_captures();
        let mut cb = b.create_captures();
        for h in &hays {
            a.captures(h.as_str(), &mut ca);
            b.captures(h.as_str(), &mut cb);
            let sa = (ca.get_match().map(|m| m.range()), ca.get_group(1).map(|s| s.range()));
            let sb = (cb.get_match().map(|m| m.range()), cb.get_group(1).map(|s| s.range()));
            if sa != sb {
                bad.push(format!("{pattern:?} on {h:?}: {sa:?} vs {sb:?}"));
                break;
            }
        }
    }
    assert!(compared > 300, "only {compared} compared");
    assert!(bad.is_empty(), "{} of {compared}:\n{}", bad.len(), bad[..bad.len().min(30)].join("\n"));
}

/// Random text over the characters that mean something to the parser: never a panic, errors
/// always carry a span inside the pattern, and whatever is accepted compiles and runs.
#[test]
fn random_text_never_panics() {
    const CHARS: &[char] = &[
        '\\', '(', ')', '[', ']', '{', '}', '^', '$', '.', '*', '+', '?', '|', ':', '-', '<', '>', '\'', '=',
        '!', ',', 'p', 'P', 'x', 'Q', 'E', 'L', 'u', 'i', 's', 'm', 'U', 'd', 'w', 'b', 'z', 'A', '0', '1',
        '2', '7', '9', 'a', 'é', '\u{212A}', '_', '&', '~', ' ', 'n',
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut accepted = 0;
    for _ in 0..8_000 {
        let len = 1 + rand(14);
        let pattern: String = (0..len).map(|_| CHARS[rand(CHARS.len())]).collect();
        match parse(&pattern) {
            Ok(re) => {
                accepted += 1;
                if let Ok(m) = compile(&re.hir, false) {
                    let _ = m.is_match("a{b}\\ é_K");
                }
            }
            Err(e) => {
                assert!(e.span.start <= e.span.end && e.span.end <= pattern.len(), "{pattern:?}: {e:?}");
                assert!(pattern.contains(e.fragment.as_str()), "{pattern:?}: fragment {:?}", e.fragment);
            }
        }
    }
    assert!(accepted > 400, "{accepted}");
}
