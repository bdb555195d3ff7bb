//! `identmap lint` end to end: the rendered output of every format (snapshots under
//! `testdata/lint/snapshots/`; `IDENTMAP_BLESS=1` rewrites them), exit codes, stdin, `--output`,
//! `identmap.toml` discovery and flag overrides, and `--fix`.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{root, run_in};

fn identmap(args: &[&str]) -> Output {
    run_in(&root(), args, b"")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Compare with (or, under `IDENTMAP_BLESS=1`, write) `testdata/lint/snapshots/NAME`.
fn snapshot(name: &str, actual: &str) {
    let path = root().join("testdata/lint/snapshots").join(name);
    if std::env::var_os("IDENTMAP_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with IDENTMAP_BLESS=1 to create it", path.display()));
    if actual != expected {
        let first = actual.lines().zip(expected.lines()).position(|(a, e)| a != e);
        panic!(
            "{name} differs from its snapshot (first differing line: {first:?}; rerun with \
             IDENTMAP_BLESS=1 after checking the change)\n--- actual ---\n{actual}\n--- expected ---\n{expected}"
        );
    }
}

/// A scratch directory for one test, removed first if a previous run left it.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("identmap-lint-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

const MISTAKES: &str = "testdata/lint/mistakes.map";

#[test]
fn full_format_snapshots() {
    for (file, snap) in [
        (MISTAKES, "mistakes.full.txt"),
        ("examples/cockroach-docs.sql", "cockroach-docs.full.txt"),
        ("examples/pg_ident.conf", "pg_ident.full.txt"),
        ("testdata/lint/suppressed.map", "suppressed.full.txt"),
    ] {
        let out = identmap(&["lint", file]);
        assert!(code(&out) <= 1, "{file}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(!stdout.contains('\u{1b}'), "{file}: no colour when NO_COLOR is set and stdout is a pipe");
        snapshot(snap, &stdout);
    }
}

#[test]
fn concise_json_github_sarif_snapshots() {
    let out = identmap(&[
        "lint",
        "--format",
        "concise",
        MISTAKES,
        "testdata/lint/clean.map",
        "examples/cockroach-docs.sql",
    ]);
    snapshot("several.concise.txt", &text(&out.stdout));
    let out = identmap(&["lint", "--format", "json", MISTAKES]);
    snapshot("mistakes.json", &text(&out.stdout));
    let out = identmap(&["lint", "--format", "github", MISTAKES, "examples/pg_ident.conf"]);
    snapshot("several.github.txt", &text(&out.stdout));
    let out = identmap(&["lint", "--format", "sarif", MISTAKES, "examples/cockroach-docs.sql"]);
    snapshot("several.sarif", &text(&out.stdout));
}

#[test]
fn concise_lines_point_at_the_findings() {
    let out = identmap(&["lint", "--format", "concise", MISTAKES]);
    assert_eq!(code(&out), 1, "errors fail the run");
    let stdout = text(&out.stdout);
    // `/bob` on line 2 is unanchored; the backwards range on line 3 does not compile.
    assert!(stdout.contains("testdata/lint/mistakes.map:2:29: error[IM201] "), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("testdata/lint/mistakes.map:3:") && l.contains("[IM102]")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("testdata/lint/mistakes.map:4:") && l.contains("[IM103]")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("testdata/lint/mistakes.map:5:") && l.contains("[IM101]")),
        "{stdout}"
    );
    assert!(!stdout.contains("mistakes.map:6:"), "line 6 is fine: {stdout}");
    assert!(stdout.trim_end().lines().last().is_some_and(|l| l.ends_with("in 1 file")), "{stdout}");
}

#[test]
fn json_shape() {
    let out = identmap(&["lint", "--format", "json", MISTAKES]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert!(!diags.is_empty());
    let source = std::fs::read_to_string(root().join(MISTAKES)).expect("fixture");
    for d in diags {
        for key in [
            "code",
            "name",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "span",
            "labels",
            "help",
            "fix",
            "url",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
        assert_eq!(d["file"], MISTAKES);
        let (start, end) =
            (d["span"]["start"].as_u64().expect("start"), d["span"]["end"].as_u64().expect("end"));
        assert!(start <= end && end as usize <= source.len(), "{d}");
        // line/column agree with the byte span
        let line = source[..start as usize].matches('\n').count() + 1;
        assert_eq!(d["line"].as_u64(), Some(line as u64), "{d}");
    }
    let unanchored = diags.iter().find(|d| d["code"] == "IM201").expect("IM201");
    assert_eq!(unanchored["name"], "unanchored-regex");
    assert_eq!(unanchored["severity"], "error");
    assert!(unanchored["fix"]["edits"].as_array().is_some_and(|e| !e.is_empty()), "{unanchored}");
    let errors = diags.iter().filter(|d| d["severity"] == "error").count();
    assert_eq!(v["summary"]["errors"].as_u64(), Some(errors as u64));
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn github_commands_are_well_formed() {
    let out = identmap(&["lint", "--format", "github", MISTAKES]);
    let stdout = text(&out.stdout);
    assert!(!stdout.is_empty());
    for l in stdout.lines() {
        assert!(
            l.starts_with("::error file=testdata/lint/mistakes.map,line=")
                || l.starts_with("::warning file="),
            "{l}"
        );
        let (props, message) =
            l.split_once("::").map(|(_, rest)| rest.split_once("::").expect("message")).expect("command");
        assert!(
            props.contains(",col=") && props.contains(",endLine=") && props.contains(",endColumn="),
            "{l}"
        );
        let title = props.rsplit_once(",title=").map(|(_, t)| t).expect("title");
        assert!(title.len() == 5 && title.starts_with("IM"), "the code: {l}");
        assert!(!message.contains('\n') && !message.is_empty(), "{l}");
    }
}

#[test]
fn exit_codes() {
    assert_eq!(code(&identmap(&["lint", "testdata/lint/clean.map"])), 0);
    assert_eq!(code(&identmap(&["lint", MISTAKES])), 1);
    assert_eq!(code(&identmap(&["lint", "testdata/lint/clean.map", MISTAKES])), 1, "any file fails the run");
    // only warnings (IM001, the unused suppression) in suppressed.map
    let out = identmap(&["lint", "--format", "concise", "testdata/lint/suppressed.map"]);
    assert_eq!(code(&out), 1, "warnings fail by default: {}", text(&out.stdout));
    assert!(text(&out.stdout).contains("warning[IM001]"), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains("[IM201]"), "the used suppression silences IM201");
    assert_eq!(code(&identmap(&["lint", "--fail-on", "error", "testdata/lint/suppressed.map"])), 0);
    // usage and I/O errors
    let missing = identmap(&["lint", "testdata/lint/no-such.map"]);
    assert_eq!(code(&missing), 2);
    assert!(text(&missing.stderr).contains("testdata/lint/no-such.map"), "{}", text(&missing.stderr));
    assert_eq!(code(&identmap(&["lint", "--format", "xml", MISTAKES])), 2);
    let bad = identmap(&["lint", "--severity", "IM999=error", MISTAKES]);
    assert_eq!(code(&bad), 2);
    assert!(text(&bad.stderr).contains("IM999"), "{}", text(&bad.stderr));
    assert_eq!(code(&identmap(&["lint", "--severity", "IM201=fatal", MISTAKES])), 2);
    assert_eq!(code(&identmap(&["lint", "--severity", "IM201", MISTAKES])), 2);
    assert_eq!(code(&identmap(&["lint", "--config", "x.toml", "--no-config", MISTAKES])), 2);
}

#[test]
fn invalid_utf8_is_an_io_error_with_its_location() {
    let out = run_in(&root(), &["lint", "-"], b"iss alice@example.com alice\niss \xff bob\n");
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("<stdin>:2:5: invalid UTF-8"), "{}", text(&out.stderr));
}

#[test]
fn stdin_is_linted_as_a_cockroach_map() {
    let map = std::fs::read(root().join(MISTAKES)).expect("fixture");
    let out = run_in(&root(), &["lint", "--format", "concise", "-"], &map);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stdout).contains("<stdin>:2:29: error[IM201]"), "{}", text(&out.stdout));
    let clean = run_in(&root(), &["lint", "-"], b"iss alice@example.com alice\n");
    assert_eq!(code(&clean), 0, "{}", text(&clean.stdout));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = scratch("output");
    let target = dir.join("report.sarif");
    let out = identmap(&["lint", "--format", "sarif", "--output", target.to_str().expect("utf-8"), MISTAKES]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("written")).expect("JSON");
    assert_eq!(v["version"], "2.1.0");
    let bad = identmap(&["lint", "--output", dir.join("no/such/dir/x").to_str().expect("utf-8"), MISTAKES]);
    assert_eq!(code(&bad), 2);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn identmap_toml_is_discovered_and_flags_override_it() {
    let dir = scratch("config");
    let sub = dir.join("maps/prod");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::copy(root().join(MISTAKES), sub.join("m.map")).expect("copy");
    let concise = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "concise"];
        all.extend_from_slice(args);
        let out = run_in(&dir, &all, b"");
        (code(&out), text(&out.stdout), text(&out.stderr))
    };
    let (c, before, _) = concise(&["maps/prod/m.map"]);
    assert_eq!(c, 1);
    assert!(before.contains("error[IM201]"), "{before}");

    // identmap.toml two levels up: IM201 becomes a warning, IM102 is off, only errors fail.
    std::fs::write(
        dir.join("identmap.toml"),
        "fail_on = \"error\"\n[severity]\nIM201 = \"warning\"\nIM102 = \"off\"\n",
    )
    .expect("write");
    let (_, after, _) = concise(&["maps/prod/m.map"]);
    assert!(after.contains("warning[IM201]") && !after.contains("error[IM201]"), "{after}");
    assert!(!after.contains("IM102"), "{after}");
    // flags win over the file
    let (_, flagged, _) =
        concise(&["--severity", "IM201=info", "--severity", "IM102=error", "maps/prod/m.map"]);
    assert!(flagged.contains("info[IM201]") && flagged.contains("error[IM102]"), "{flagged}");
    // --no-config ignores it; --config names another one
    let (_, ignored, _) = concise(&["--no-config", "maps/prod/m.map"]);
    assert_eq!(ignored, before);
    std::fs::write(dir.join("other.toml"), "[severity]\nIM201 = \"off\"\n").expect("write");
    let (_, other, _) = concise(&["--config", "other.toml", "maps/prod/m.map"]);
    assert!(!other.contains("IM201") && other.contains("IM102"), "{other}");

    // fail_on from the file decides the exit code: only warnings and errors-turned-off remain
    std::fs::write(dir.join("identmap.toml"), "fail_on = \"error\"\n[severity]\nIM201 = \"warning\"\nIM102 = \"warning\"\nIM103 = \"warning\"\nIM101 = \"warning\"\n").expect("write");
    let (c, _, _) = concise(&["maps/prod/m.map"]);
    assert_eq!(c, 0, "fail_on = error and only warnings");
    let (c, _, _) = concise(&["--fail-on", "warning", "maps/prod/m.map"]);
    assert_eq!(c, 1, "--fail-on overrides fail_on");

    // errors in identmap.toml: exit 2 with the location
    std::fs::write(dir.join("identmap.toml"), "dialect = \"cockroach\"\nfail_onn = \"error\"\n")
        .expect("write");
    let (c, _, err) = concise(&["maps/prod/m.map"]);
    assert_eq!(c, 2);
    assert!(err.contains("identmap.toml:2:1: unknown field `fail_onn`"), "{err}");
    std::fs::write(dir.join("identmap.toml"), "[severity]\nIM201 = \"warning\"\nIM777 = \"error\"\n")
        .expect("write");
    let (c, _, err) = concise(&["maps/prod/m.map"]);
    assert_eq!(c, 2);
    assert!(err.contains("identmap.toml:3:9: [severity]: unknown lint code `IM777`"), "{err}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn config_selects_the_postgres_dialect() {
    let dir = scratch("dialect");
    // A pg_ident map under a name that auto-detection reads as cockroach: quoting is
    // postgres syntax, and a two-field line is "missing entry" there.
    std::fs::write(dir.join("ident.map"), "m alice\nm \"bob smith\" bob\n").expect("write");
    let lint = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "concise"];
        all.extend_from_slice(args);
        text(&run_in(&dir, &all, b"").stdout)
    };
    let as_cockroach = lint(&["ident.map"]);
    assert!(as_cockroach.contains("ident.map:2:1: error[IM101]"), "{as_cockroach}");
    std::fs::write(dir.join("identmap.toml"), "dialect = \"postgres\"\npg_version = 15\n").expect("write");
    let as_postgres = lint(&["ident.map"]);
    assert!(as_postgres.contains("ident.map:1:8: error[IM101] missing entry"), "{as_postgres}");
    assert!(!as_postgres.contains("ident.map:2:"), "quoted field: {as_postgres}");
    assert_eq!(
        lint(&["--dialect", "cockroach", "ident.map"]),
        as_cockroach,
        "--dialect overrides identmap.toml"
    );
    assert_eq!(lint(&["--dialect", "auto", "ident.map"]), as_cockroach, "auto: by the file name");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn fix_anchors_regexes_in_place_and_relints() {
    let dir = scratch("fix");
    let file = dir.join("fixable.map");
    std::fs::copy(root().join("testdata/lint/fixable.map"), &file).expect("copy");
    let out = run_in(&dir, &["lint", "--format", "concise", "--fix", "fixable.map"], b"");
    let fixed = std::fs::read_to_string(&file).expect("read");
    assert!(fixed.contains("/^svc-reports$ svc_reports"), "{fixed}");
    assert!(fixed.contains("/^svc-billing$ svc_billing"), "{fixed}");
    assert!(text(&out.stderr).contains("fixable.map: fixed 2 findings (IM201 ×2)"), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("IM201"), "the report is of the fixed file: {}", text(&out.stdout));
    // a second run has nothing left to fix
    let again = run_in(&dir, &["lint", "--fix", "fixable.map"], b"");
    assert!(text(&again.stderr).is_empty(), "{}", text(&again.stderr));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), fixed);
    // stdin cannot be fixed in place
    assert_eq!(code(&run_in(&dir, &["lint", "--fix", "-"], b"iss /a a\n")), 2);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn reserved_users_and_sso_settings_come_from_flags_and_identmap_toml() {
    let dir = scratch("sso");
    std::fs::write(
        dir.join("s.map"),
        "https://accounts.google.com/ /^([a-z]+)@example\\.com$ \\1\nhttps://accounts.google.com bob@example.com admin2\nhttps://accounts.google.com dba@example.com dba\n",
    )
    .expect("write");
    let concise = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "concise"];
        all.extend_from_slice(args);
        text(&run_in(&dir, &all, b"").stdout)
    };
    let plain = concise(&["s.map"]);
    assert!(!plain.contains("IM301") && !plain.contains("IM208"), "no SSO settings, no cross-check: {plain}");
    assert!(!plain.contains("`admin2`"), "{plain}");
    let flagged = concise(&["--reserved", "admin2", "s.map"]);
    assert!(
        flagged.contains("s.map:2:45: error[IM203] this rule maps to the reserved user `admin2`"),
        "{flagged}"
    );

    std::fs::write(
        dir.join("cluster.sql"),
        "SET CLUSTER SETTING server.jwt_authentication.claim = 'email';\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("identmap.toml"),
        "reserved_users = [\"dba\"]\n[sso]\nsettings = \"cluster.sql\"\nissuers = [\"https://accounts.google.com\"]\n",
    )
    .expect("write");
    let configured = concise(&["--reserved", "admin2", "s.map"]);
    assert!(
        configured.contains("warning[IM301] the map name `https://accounts.google.com/`"),
        "{configured}"
    );
    assert!(
        configured.contains("info[IM208] the JWT claim `email`"),
        "claim from the settings file: {configured}"
    );
    assert!(
        configured.contains("reserved user `admin2`") && configured.contains("reserved user `dba`"),
        "{configured}"
    );

    std::fs::write(dir.join("identmap.toml"), "[sso]\njwks = \"missing.json\"\n").expect("write");
    let out = run_in(&dir, &["lint", "s.map"], b"");
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("missing.json"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn no_colour_when_stdout_is_not_a_terminal_even_without_no_color() {
    let out = Command::new(env!("CARGO_BIN_EXE_identmap"))
        .args(["lint", MISTAKES])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("identmap runs");
    assert_eq!(code(&out), 1);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("IM201") && !stdout.contains('\u{1b}'), "{stdout}");
}
