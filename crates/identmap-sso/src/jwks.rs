//! JWK and JWK set parsing, and signature verification against them (crate `jsonwebtoken` with
//! its RustCrypto backend).

use core::fmt;
use std::str::FromStr;

use base64::Engine as _;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use crate::token::{kind_of, Token, B64URL};

/// A JWKS (`server.jwt_authentication.jwks`) that could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksError {
    message: String,
}

impl JwksError {
    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JwksError {}

/// One key of a JWKS, usable or not.
#[derive(Clone, Debug)]
pub struct Key {
    index: usize,
    kid: Option<String>,
    kty: String,
    alg: Option<String>,
    crv: Option<String>,
    parsed: Result<Jwk, String>,
}

impl Key {
    /// Its position in the set (0-based).
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Its `kty` (`RSA`, `EC`, `OKP`, `oct`, …).
    #[must_use]
    pub fn kty(&self) -> &str {
        &self.kty
    }

    /// Its `alg`, when given.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// Why the key cannot be used, when it cannot.
    #[must_use]
    pub fn problem(&self) -> Option<&str> {
        self.parsed.as_ref().err().map(String::as_str)
    }

    fn describe(&self) -> String {
        let mut s = match &self.kid {
            Some(k) => format!("key {k:?} ({}", self.kty),
            None => format!("key #{} without kid ({}", self.index + 1, self.kty),
        };
        if let Some(c) = &self.crv {
            s.push(' ');
            s.push_str(c);
        }
        if let Some(a) = &self.alg {
            s.push_str(", alg ");
            s.push_str(a);
        }
        s.push(')');
        s
    }
}

/// A JWK set, or a single JWK, as CockroachDB's `server.jwt_authentication.jwks` accepts.
/// Each key is read on its own: a key of an unknown type makes that key unusable, not the set.
///
/// ```
/// use identmap_sso::Jwks;
/// let jwks = Jwks::parse(r#"{"keys": [
///     {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///     {"kty": "XYZ", "kid": "odd"}
/// ]}"#)?;
/// assert_eq!(jwks.keys().len(), 2);
/// assert!(jwks.keys()[0].problem().is_none());
/// assert!(jwks.keys()[1].problem().is_some());
/// # Ok::<(), identmap_sso::JwksError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Jwks {
    keys: Vec<Key>,
}

impl Jwks {
    /// Read a JWK set (`{"keys": [...]}`) or a single JWK (an object with `kty`).
    ///
    /// # Errors
    /// When the text is not JSON, or neither a set nor a key.
    pub fn parse(text: &str) -> Result<Jwks, JwksError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| JwksError { message: format!("the JWKS is not JSON: {e}") })?;
        let items: Vec<&Value> = match &v {
            Value::Object(o) if o.contains_key("keys") => match &o["keys"] {
                Value::Array(a) => a.iter().collect(),
                other => {
                    return Err(JwksError {
                        message: format!("the JWKS's \"keys\" is {}, not an array", kind_of(other)),
                    })
                }
            },
            Value::Object(o) if o.contains_key("kty") => vec![&v],
            other => {
                return Err(JwksError {
                    message: format!(
                        "the JWKS is {}: expected a JWK set {{\"keys\": [...]}} or a single JWK",
                        if other.is_object() {
                            "an object with neither \"keys\" nor \"kty\""
                        } else {
                            kind_of(other)
                        }
                    ),
                })
            }
        };
        let keys = items.into_iter().enumerate().map(|(i, k)| read_key(i, k)).collect();
        Ok(Jwks { keys })
    }

    /// The keys, in order.
    #[must_use]
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }
}

fn read_key(index: usize, v: &Value) -> Key {
    let s = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    let kty = s("kty").unwrap_or_default();
    let parsed = if !v.is_object() {
        Err(format!("a key is {}, not an object", kind_of(v)))
    } else {
        serde_json::from_value::<Jwk>(v.clone()).map_err(|e| format!("not a usable public key: {e}"))
    };
    Key { index, kid: s("kid"), kty, alg: s("alg"), crv: s("crv"), parsed }
}

/// Which key verified a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The key, described: kid, type, curve, algorithm.
    pub(crate) key: String,
    /// The algorithm.
    pub(crate) alg: String,
}

/// Verify `token`'s signature against `jwks` as CockroachDB does: the header names a supported
/// asymmetric algorithm (`none` and HMAC are refused), its `kid` selects the keys, a key's own
/// `alg` (when given) and its type and curve must fit the header's algorithm.
pub(crate) fn verify(token: &Token, jwks: &Jwks) -> Result<Verified, String> {
    let alg_name = match token.header().get("alg") {
        Some(Value::String(a)) => a.as_str(),
        Some(other) => return Err(format!("the header's \"alg\" is {}, not a string", kind_of(other))),
        None => return Err("the header has no \"alg\"".to_owned()),
    };
    if alg_name.eq_ignore_ascii_case("none") {
        return Err(format!(
            "\"alg\": \"{alg_name}\" (an unsigned token) is refused: CockroachDB accepts only tokens signed by a key of the JWKS"
        ));
    }
    if alg_name.starts_with("HS") {
        return Err(format!(
            "{alg_name} (HMAC, a shared secret) is refused: CockroachDB verifies with the public keys of the JWKS only, so an HMAC token (for example one signed with a public key as the secret) never verifies"
        ));
    }
    let alg = match Algorithm::from_str(alg_name) {
        Ok(a) => a,
        Err(_) => {
            return Err(format!(
                "the algorithm {alg_name:?} is not supported (RS256/384/512, PS256/384/512, ES256/384 and EdDSA are)"
            ))
        }
    };
    if jwks.keys.is_empty() {
        return Err("the JWKS has no keys (server.jwt_authentication.jwks is empty or not set)".to_owned());
    }
    let kid = match token.header().get("kid") {
        Some(Value::String(k)) => k.as_str(),
        Some(other) => return Err(format!("the header's \"kid\" is {}, not a string", kind_of(other))),
        None => {
            return Err("the header has no \"kid\": CockroachDB picks the key by its kid, so no key is tried"
                .to_owned())
        }
    };
    let same_kid: Vec<&Key> = jwks.keys.iter().filter(|k| k.kid.as_deref() == Some(kid)).collect();
    if same_kid.is_empty() {
        let kids: Vec<String> =
            jwks.keys.iter().filter_map(|k| k.kid.as_deref()).map(|k| format!("{k:?}")).collect();
        return Err(format!(
            "unknown kid {kid:?}: the JWKS has {}",
            if kids.is_empty() {
                "no key with a kid".to_owned()
            } else {
                format!("kids {}", kids.join(", "))
            }
        ));
    }
    let mut why = Vec::new();
    for key in same_kid {
        match try_key(token, key, alg, alg_name) {
            Ok(()) => return Ok(Verified { key: key.describe(), alg: alg_name.to_owned() }),
            Err(e) => why.push(format!("{}: {e}", key.describe())),
        }
    }
    Err(why.join("; "))
}

fn try_key(token: &Token, key: &Key, alg: Algorithm, alg_name: &str) -> Result<(), String> {
    let jwk = key.parsed.as_ref().map_err(Clone::clone)?;
    if let Some(ka) = &key.alg {
        if ka != alg_name {
            return Err(format!("the key is for {ka}, the token says {alg_name}"));
        }
    }
    let fits = match (&jwk.algorithm, alg) {
        (
            AlgorithmParameters::RSA(_),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => Ok(()),
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => {
            curve(&p.curve, EllipticCurve::P256, "P-256", &[&p.x, &p.y], 32)
        }
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES384) => {
            curve(&p.curve, EllipticCurve::P384, "P-384", &[&p.x, &p.y], 48)
        }
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
            curve(&p.curve, EllipticCurve::Ed25519, "Ed25519", &[&p.x], 32)
        }
        (AlgorithmParameters::OctetKey(_), _) => {
            Err("a symmetric (oct) key: HMAC keys are never used to verify".to_owned())
        }
        _ => Err(format!("a {} key cannot verify {alg_name}", key.kty)),
    };
    fits?;
    let dk = DecodingKey::from_jwk(jwk).map_err(|e| format!("the key does not load: {e}"))?;
    match jsonwebtoken::crypto::verify(token.signature(), token.signing_input().as_bytes(), &dk, alg) {
        Ok(true) => Ok(()),
        Ok(false) => Err("the signature does not verify with this key".to_owned()),
        Err(e) => Err(format!("the signature does not verify with this key ({e})")),
    }
}

/// The key's curve must be `want`, and each coordinate `len` bytes (the crypto code slices
/// without checking).
fn curve(
    have: &EllipticCurve,
    want: EllipticCurve,
    name: &str,
    coords: &[&str],
    len: usize,
) -> Result<(), String> {
    if *have != want {
        return Err(format!("the key's curve is {have:?}, the algorithm needs {name}"));
    }
    for c in coords {
        let bytes = B64URL.decode(c).map_err(|e| format!("a coordinate is not base64url: {e}"))?;
        if bytes.len() != len {
            return Err(format!("a {name} coordinate is {} bytes, not {len}", bytes.len()));
        }
    }
    Ok(())
}
