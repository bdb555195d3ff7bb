//! identmap-wasm: the identmap engine, linter and SSO simulator for the browser playground
//! (`web/`), through `wasm-bindgen`.
//!
//! This crate holds no logic of its own. Every answer comes from the same library function the
//! `identmap` command line calls, in the same JSON shape wherever the command line has one
//! (`identmap lint --format json`, `identmap map --format json --explain`, `identmap sso --format
//! json`, `identmap token decode`), so the terminal and the browser cannot disagree. What it adds
//! is what only the browser needs:
//!
//! * byte offsets are also given in UTF-16 code units (JavaScript's and CodeMirror's unit), as
//!   `from`/`to` (or `ranges`) next to the byte `span`s;
//! * the parsed workspace (map, extra files, settings, role graph, compiled matcher) is kept
//!   between calls in a [`Playground`], so a keystroke re-parses once and the queries that follow
//!   reuse it.
//!
//! Every call takes one JSON request (a string) and returns one JSON answer (a string); a request
//! that does not read gives `{"error": "…"}`, never an exception. The request and answer fields are
//! documented on each method and in `web/README.md`.
//!
//! ```
//! use identmap_wasm::Playground;
//!
//! let mut p = Playground::new();
//! let loaded = p.load(r#"{"dialect": "cockroach", "rules": "idp /^(.*)@corp\\.com$ \\1\n"}"#);
//! assert!(loaded.contains(r#""accepted":true"#));
//! let users = p.map(r#"{"issuer": "idp", "identities": ["Bob@corp.com"]}"#);
//! assert!(users.contains(r#""users":["bob"]"#));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod workspace;

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use workspace::Workspace;

/// The playground's engine: the last loaded workspace and the queries on it.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Playground {
    workspace: Option<Workspace>,
}

#[wasm_bindgen]
impl Playground {
    /// An engine with nothing loaded.
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> Playground {
        Playground::default()
    }

    /// Load (parse, and compile) a workspace. Request: `{"dialect": "cockroach"|"postgres",
    /// "pg_version": 15..18, "case": "insensitive"|"sensitive", "rules": TEXT, "files": {PATH:
    /// TEXT}, "settings": SQL, "roles": JSON-TEXT}` (only `rules` is required). Answer: `accepted`
    /// (whether the database would take this map), `answered` (whether identmap answers for it:
    /// not past one of its own limits), `verdict` (the sentence that says so), cockroach: `error` and
    /// `error_range` (CockroachDB's first error), `rules` (how many), `map_names` (each once);
    /// postgres: `errors`; `settings` (how many SET statements were
    /// read, their `errors` and `problems`, and the `identity_map` they set, if any), `roles_error`.
    pub fn load(&mut self, request: &str) -> String {
        // A request that does not load leaves nothing loaded: no later call may answer from an
        // older workspace as if it were this one.
        self.workspace = None;
        answer(parse_request(request).and_then(|r| {
            let ws = Workspace::load(&r)?;
            let summary = ws.summary();
            self.workspace = Some(ws);
            Ok(summary)
        }))
    }

    /// Every lint finding and parse problem of the loaded workspace: the `identmap lint --format
    /// json` object, each diagnostic (and each fix edit) with `from`/`to` in UTF-16 units of its
    /// file's text.
    pub fn lint(&self) -> String {
        answer(self.loaded().map(Workspace::lint))
    }

    /// Which users an identity maps to, with the explain trace. Cockroach request: `{"issuer",
    /// "identities": [..], "explain": bool}`: the `identmap map --format json` object, trace rows
    /// with `rule_index`, `outcome_text` (the CLI's words), `ranges` (UTF-16 ranges of the matched
    /// text and each capture in the identity) and `rule_range`, `pattern_range`, `user_range`
    /// (UTF-16 ranges in the rules text), `substitution_range` (the one `\1` substituted).
    /// Postgres request: `{"map", "system_user", "db_user", "case_insensitive", "explain"}`: the
    /// postgres `identmap map --format json` object, trace rows with the same `identity`, `rule`,
    /// `matched`, `outcome_text`, `ranges`, `main` (the line is in the rules text) and
    /// `rule_range`.
    pub fn map(&self, request: &str) -> String {
        answer(self.loaded().and_then(|ws| ws.map(&parse_request(request)?)))
    }

    /// Many identities at once. Request: `{"issuer": DEFAULT, "lines": TEXT}` (one identity a
    /// line; `issuer<TAB>identity` names another issuer). Answer: `identmap::batch::Batch`'s JSON
    /// (`total`, `unmapped`, `multiple`, `rows`). Cockroach dialect only.
    pub fn batch(&self, request: &str) -> String {
        answer(self.loaded().and_then(|ws| ws.batch(&parse_request(request)?)))
    }

    /// The SSO (JWT) login decision for a token under the loaded settings and map. Request:
    /// `{"token", "jwks", "claim", "user", "now": UNIX-SECONDS, "verify": bool, "skew": SECONDS,
    /// "show_claims": bool}` (`jwks` and `claim`, when given, replace the settings' own). Answer:
    /// the `identmap sso --format json` object.
    pub fn sso(&self, request: &str) -> String {
        answer(self.loaded().and_then(|ws| ws.sso(&parse_request(request)?)))
    }
}

/// A token's header and claims, as `identmap token decode` prints them (no verification); a token
/// that does not read gives `{"error": …, "part": …, "offset": …}`.
#[wasm_bindgen]
#[must_use]
pub fn decode_token(token: &str) -> String {
    match identmap_sso::Token::parse(token) {
        Ok(t) => t.to_json().to_string(),
        Err(e) => json!({"error": e.message(), "part": e.part().name(), "offset": e.offset()}).to_string(),
    }
}

/// The identmap version this engine was built from.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

impl Playground {
    fn loaded(&self) -> Result<&Workspace, String> {
        self.workspace.as_ref().ok_or_else(|| "nothing is loaded yet".to_string())
    }
}

fn parse_request(request: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(request).map_err(|e| format!("the request is not JSON: {e}"))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err("the request is not a JSON object".to_string())
    }
}

fn answer(result: Result<Value, String>) -> String {
    match result {
        Ok(v) => v.to_string(),
        Err(e) => json!({ "error": e }).to_string(),
    }
}
