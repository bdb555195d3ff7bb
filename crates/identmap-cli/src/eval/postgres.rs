//! Postgres records (`"dialect":"postgres"`, `kind` `parse` or `match`).

use serde_json::{json, Value};

/// Evaluate one postgres record.
#[must_use]
pub fn eval(record: &Value) -> Value {
    let _ = record;
    json!({"ok": false, "error": "postgres evaluation is not built yet"})
}
