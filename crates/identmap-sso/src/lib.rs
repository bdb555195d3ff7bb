//! identmap-sso: CockroachDB cluster SSO, offline. Given the cluster's JWT settings
//! ([`identmap::sso::JwtSettings`]) and a token, may the token's holder log in as SQL user X —
//! and if not, which step fails and why (`shared/spec/sso.md`).
//!
//! The steps, each with its own failure ([`Step`]): JWT enabled; the token reads (three
//! base64url parts, JSON header and payload); its signature verifies against the JWKS (`kid`
//! and `alg` matched; RS256/384/512, PS256/384/512, ES256/384, EdDSA; `alg: none` and HMAC
//! refused); `exp`/`nbf`/`iat` against an explicit clock with a skew; the issuer (exact); the
//! audience (string or array on both sides); the claim (by name or JSON Pointer; arrays element
//! by element with Go's formatting); the identity map through the compiled [`identmap::Matcher`]
//! (with the no-map fallback); reserved users; the requested user.
//!
//! [`decide`] answers for one token; a [`Simulator`] reads the JWK set and compiles the identity
//! map once and answers for many.
//!
//! ```
//! use identmap::sql::parse_settings;
//! use identmap::sso::JwtSettings;
//! use identmap_sso::{decide, Options};
//!
//! let settings = JwtSettings::from_sql(&parse_settings(
//!     "SET CLUSTER SETTING server.jwt_authentication.enabled = true;",
//! ));
//! let d = decide(&settings, "not a token", &Options::new(0));
//! assert!(!d.allowed());
//! assert_eq!(d.failed_step().map(|s| s.name()), Some("token"));
//! assert_eq!(d.to_json(false)["failed_step"], "token");
//! ```
//!
//! # The JWT crate
//!
//! Signatures are checked with [`jsonwebtoken`] (the most used and actively maintained JWT crate)
//! and its `rust_crypto` backend: the RustCrypto crates `rsa`, `p256`, `p384`, `ed25519-dalek`
//! and `sha2`, pure Rust, so this crate builds for `wasm32-unknown-unknown` and the same code can
//! run in a browser. Only its key loading ([`jsonwebtoken::DecodingKey::from_jwk`]) and its
//! low-level `crypto::verify` are used: token reading, the choice of key, the clock, and
//! every claim check are done here, step by step, so that each failure has its own reason and
//! nothing reads a system clock. `jwt-compact` was the alternative; it has no ES384.
//!
//! The crate does no I/O and never panics on input: a malformed token, JWKS or map gives a
//! failed step with a reason.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

mod claims;
mod decision;
mod jwks;
mod token;

pub use claims::{candidates, go_sprint, principals_of};
pub use decision::{decide, Decision, Options, Simulator, Status, Step, StepResult};
pub use identmap::report::TraceStep;
pub use jwks::{Jwks, JwksError, Key};
pub use token::{Part, Token, TokenError, MAX_TOKEN_LEN};
