//! Postgres records (`"dialect":"postgres"`, `kind` `parse` or `match`).
//!
//! The record's `config` is `$PGDATA/pg_ident.conf`; `files` maps names relative to `$PGDATA` to
//! their text (for `@file` and includes).
//!
//! * `kind:"parse"` → `{"parsed":bool,"errors":[…],"view":[…]}`: `view` holds the
//!   `pg_ident_file_mappings` rows with that version's columns (15: `line_number`, `map_name`,
//!   `sys_name`, `pg_username`, `error`; 16+ also `map_number` and `file_name`).
//! * `kind:"match"` → `{"decision":"allow"|"deny"|"unsupported","log":[…]}`: for a denial the
//!   server's `LOG:` line and the `FATAL: … authentication failed for user "R"` line; for
//!   `unsupported`, an `identmap:` line saying why.
//!
//! A malformed record gives `{"ok":false,"error":"…"}`.

use identmap::postgres::{Decision, IdentFile, Matcher, MemoryFiles, Roles, Version, ViewRow};
use identmap::report::PostgresCheck;

use super::cockroach::Engine;
use serde_json::{json, Map, Value};

const MAIN: &str = "$PGDATA/pg_ident.conf";

/// Evaluate one postgres record.
///
/// ```
/// use serde_json::json;
/// let got = identmap_cli::eval::postgres::eval(&json!({
///     "dialect": "postgres", "version": 16, "kind": "match", "config": "m alice bob\n",
///     "map": "m", "system_user": "alice", "db_user": "carol", "case_insensitive": false,
///     "roles": {}, "auth": "peer",
/// }));
/// assert_eq!(got["decision"], "deny");
/// assert_eq!(got["log"][1], "FATAL: Peer authentication failed for user \"carol\"");
/// ```
#[must_use]
pub fn eval(record: &Value) -> Value {
    eval_with(record, Engine::Matcher)
}

/// [`eval`] with a choice of evaluator for `match` records: the compiled
/// [`identmap::postgres::Matcher`] (the default) or the reference check.
#[must_use]
pub fn eval_with(record: &Value, engine: Engine) -> Value {
    match try_eval(record, engine) {
        Ok(v) => v,
        Err(e) => json!({"ok": false, "error": e}),
    }
}

fn str_field<'a>(record: &'a Value, name: &str) -> Result<&'a str, String> {
    record.get(name).and_then(Value::as_str).ok_or_else(|| format!("record has no string field {name:?}"))
}

fn try_eval(record: &Value, engine: Engine) -> Result<Value, String> {
    let major =
        record.get("version").and_then(Value::as_u64).ok_or("record has no numeric field \"version\"")?;
    let version =
        Version::from_major(major).ok_or_else(|| format!("unsupported PostgreSQL version {major}"))?;
    let mut files = MemoryFiles::new();
    files.insert(MAIN, str_field(record, "config")?);
    match record.get("files") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => {
            for (name, text) in extra {
                let text = text.as_str().ok_or_else(|| format!("file {name:?} is not a string"))?;
                files.insert(format!("$PGDATA/{name}"), text);
            }
        }
        Some(_) => return Err("field \"files\" is not an object".into()),
    }
    let file = IdentFile::load(MAIN, &files, version).map_err(|e| format!("{MAIN}: {e}"))?;
    match str_field(record, "kind")? {
        "parse" => Ok(parse(&file, version)),
        "match" => check(&file, record, engine),
        other => Err(format!("unknown kind {other:?}")),
    }
}

fn row(row: &ViewRow, version: Version) -> Value {
    let mut m = Map::new();
    if version.has_includes() {
        m.insert("map_number".into(), json!(row.map_number));
        m.insert("file_name".into(), json!(row.file_name));
    }
    m.insert("line_number".into(), json!(row.line_number));
    m.insert("map_name".into(), json!(row.map_name));
    m.insert("sys_name".into(), json!(row.sys_name));
    m.insert("pg_username".into(), json!(row.pg_username));
    m.insert("error".into(), json!(row.error));
    Value::Object(m)
}

fn parse(file: &IdentFile, version: Version) -> Value {
    let errors: Vec<&str> = file.errors().map(|e| e.message()).collect();
    let view: Vec<Value> = file.view().iter().map(|r| row(r, version)).collect();
    json!({"parsed": file.is_loaded(), "errors": errors, "view": view})
}

fn check(file: &IdentFile, record: &Value, engine: Engine) -> Result<Value, String> {
    let map = str_field(record, "map")?;
    let system_user = str_field(record, "system_user")?;
    let db_user = str_field(record, "db_user")?;
    let case_insensitive = match record.get("case_insensitive") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("field \"case_insensitive\" is not a boolean".into()),
    };
    let auth = match str_field(record, "auth")? {
        "cert" => "certificate",
        "peer" => "Peer",
        "gss" => "GSSAPI",
        "ident" => "Ident",
        "sspi" => "SSPI",
        other => return Err(format!("unknown auth method {other:?}")),
    };
    // Every role named in the graph exists, and so does the requested one (PostgresCheck).
    let roles = match record.get("roles") {
        None | Some(Value::Null) => Roles::new(),
        Some(v) => Roles::from_json(v).map_err(|e| format!("field \"roles\": {e}"))?,
    };
    let matcher = (engine == Engine::Matcher).then(|| Matcher::new(file));
    let report = PostgresCheck::new(
        file,
        matcher.as_ref(),
        map,
        system_user,
        db_user,
        case_insensitive,
        &roles,
        false,
    );
    let result = report.check();
    // The server cuts the requested role to 63 bytes (`NAMEDATALEN - 1`, a byte cut that may split
    // a character); the FATAL line names that role, written like the LOG line (a split character
    // shows as U+FFFD).
    let cut = &db_user.as_bytes()[..db_user.len().min(63)];
    let fatal = format!("FATAL: {auth} authentication failed for user \"{}\"", String::from_utf8_lossy(cut));
    let log_lines = || result.log().iter().map(|l| format!("LOG: {l}")).collect::<Vec<_>>();
    Ok(match result.decision() {
        Decision::Allow => json!({"decision": "allow", "log": []}),
        Decision::Deny => {
            let mut log = log_lines();
            log.push(fatal);
            json!({"decision": "deny", "log": log})
        }
        Decision::Unsupported { reason, location } => json!({
            "decision": "unsupported",
            "log": [format!("identmap: unsupported: {reason} (line {} of \"{}\")", location.line(), location.file())],
        }),
        _ => json!({"decision": "unsupported", "log": ["identmap: unsupported: unknown decision"]}),
    })
}
