//! Postgres records (`"dialect":"postgres"`, `kind` `parse` or `match`).
