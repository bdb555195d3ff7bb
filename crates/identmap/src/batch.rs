//! Many identities through one compiled [`Matcher`] at once: which users each maps to, and how
//! many map to nothing or to several users. The browser playground's batch table and any tool that
//! checks a list of identities (an export from the identity provider) read the same answer.
//!
//! The input is text, one identity per line. A line holding a tab names its own issuer,
//! `issuer<TAB>identity`; any other line is an identity under the default issuer, taken as it is
//! (spaces included: an identity may hold them). Empty lines are skipped; a final `\r` is dropped.
//!
//! ```
//! use identmap::cockroach::{Options, Ruleset};
//! use identmap::{batch, Matcher};
//!
//! let rules = Ruleset::parse(
//!     "idp /^(.*)@corp\\.com$ \\1\nidp alice@corp.com admin\n",
//!     Options::new(),
//! )?;
//! let matcher = Matcher::new(&rules)?;
//! let b = batch::map_lines(&matcher, "idp", "alice@corp.com\nbob@corp.com\nmallory@evil.com\nother\tx\n");
//! assert_eq!(b.rows().len(), 4);
//! assert_eq!(b.rows()[0].users(), ["alice", "admin"]);
//! assert_eq!((b.rows()[3].issuer(), b.rows()[3].identity(), b.rows()[3].line()), ("other", "x", 4));
//! assert_eq!((b.unmapped(), b.multiple()), (2, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use serde_json::{json, Value};

use crate::Matcher;

/// One identity of a batch and the users it maps to, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    line: usize,
    issuer: String,
    identity: String,
    users: Vec<String>,
}

impl Row {
    /// The 1-based line of the input.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The issuer (map name) it was looked up under.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The identity.
    #[must_use]
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The users it maps to, in the map's order (empty: none).
    #[must_use]
    pub fn users(&self) -> &[String] {
        &self.users
    }
}

/// The answer for a whole batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    rows: Vec<Row>,
    unmapped: usize,
    multiple: usize,
}

impl Batch {
    /// Every identity, in input order.
    #[must_use]
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// How many identities map to no user.
    #[must_use]
    pub fn unmapped(&self) -> usize {
        self.unmapped
    }

    /// How many identities map to more than one user.
    #[must_use]
    pub fn multiple(&self) -> usize {
        self.multiple
    }

    /// `{"total", "unmapped", "multiple", "rows": [{"line", "issuer", "identity", "users"}]}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| json!({"line": r.line, "issuer": r.issuer, "identity": r.identity, "users": r.users}))
            .collect();
        json!({
            "total": self.rows.len(),
            "unmapped": self.unmapped,
            "multiple": self.multiple,
            "rows": rows,
        })
    }
}

/// Map every identity of `text` (see the [module documentation](self) for the line format)
/// through `matcher`, under `default_issuer` unless a line names its own.
#[must_use]
pub fn map_lines(matcher: &Matcher, default_issuer: &str, text: &str) -> Batch {
    let mut batch = Batch::default();
    let mut users: Vec<Cow<'_, str>> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line_text = line.strip_suffix('\r').unwrap_or(line);
        if line_text.is_empty() {
            continue;
        }
        let (issuer, identity) = line_text.split_once('\t').unwrap_or((default_issuer, line_text));
        users.clear();
        matcher.map_into(issuer, identity, &mut users);
        match users.len() {
            0 => batch.unmapped += 1,
            1 => {}
            _ => batch.multiple += 1,
        }
        batch.rows.push(Row {
            line: i + 1,
            issuer: issuer.to_string(),
            identity: identity.to_string(),
            users: users.iter().map(|u| u.to_string()).collect(),
        });
    }
    batch
}
