//! Reading a compact JWS token: three base64url parts, a JSON header and a JSON payload.

use core::fmt;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};

/// Tokens longer than this are refused before any decoding (real tokens are a few KiB).
pub const MAX_TOKEN_LEN: usize = 1 << 20;

/// base64url as Go's JWT libraries read it: URL-safe alphabet, padding optional, trailing bits
/// not checked.
pub(crate) const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Which part of a token an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The whole token (its size or its number of parts).
    Whole,
    /// The first part, the JOSE header.
    Header,
    /// The second part, the claims.
    Payload,
    /// The third part, the signature.
    Signature,
}

impl Part {
    /// `token`, `header`, `payload` or `signature`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Part::Whole => "token",
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        }
    }
}

/// Why a token could not be read: which part, where (a byte offset in the token text), and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    part: Part,
    offset: Option<usize>,
    message: String,
}

impl TokenError {
    fn new(part: Part, offset: Option<usize>, message: impl Into<String>) -> TokenError {
        TokenError { part, offset, message: message.into() }
    }

    /// A registered claim of the wrong JSON type (the payload reads, but CockroachDB's JWT
    /// library refuses it).
    pub(crate) fn claim_type(message: String) -> TokenError {
        TokenError::new(Part::Payload, None, message)
    }

    /// The part of the token that is wrong.
    #[must_use]
    pub fn part(&self) -> Part {
        self.part
    }

    /// Byte offset in the token text (after surrounding white space is trimmed) where the problem
    /// is, when it has a place.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// What is wrong, in words, with the part and the offset.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

/// A decoded (not yet verified) token.
///
/// ```
/// use identmap_sso::Token;
/// // {"alg":"RS256","kid":"k1"} . {"sub":"carl","iss":"https://idp"} . (signature)
/// let text = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJjYXJsIiwiaXNzIjoiaHR0cHM6Ly9pZHAifQ.c2ln";
/// let token = Token::parse(text)?;
/// assert_eq!(token.alg(), Some("RS256"));
/// assert_eq!(token.kid(), Some("k1"));
/// assert_eq!(token.claims()["sub"], "carl");
/// assert_eq!(token.claim_names().collect::<Vec<_>>(), ["sub", "iss"]);
///
/// let err = Token::parse("eyJhbGciOiJSUzI1NiJ9.e30").unwrap_err();
/// assert_eq!(err.part().name(), "token");
/// # Ok::<(), identmap_sso::TokenError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Token {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signing_input: String,
    signature: String,
}

impl Token {
    /// Read a compact token: `header.payload.signature`, each base64url, the first two JSON
    /// objects. White space around the token is ignored (a file ending in a newline).
    ///
    /// # Errors
    /// A [`TokenError`] naming the part and the byte offset: too long (over [`MAX_TOKEN_LEN`]),
    /// not three parts, invalid base64url, not UTF-8, not JSON, not a JSON object.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        let text = text.trim();
        if text.len() > MAX_TOKEN_LEN {
            return Err(TokenError::new(
                Part::Whole,
                None,
                format!(
                    "the token is {} bytes, more than identmap's limit of {MAX_TOKEN_LEN} bytes (real tokens are a few KiB)",
                    text.len()
                ),
            ));
        }
        if text.is_empty() {
            return Err(TokenError::new(Part::Whole, None, "the token is empty"));
        }
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() != 3 {
            let what = if parts.len() == 5 { " (a JWE, an encrypted token: not supported)" } else { "" };
            return Err(TokenError::new(
                Part::Whole,
                None,
                format!("a token has three parts separated by '.', this one has {}{what}", parts.len()),
            ));
        }
        let header_at = 0;
        let payload_at = parts[0].len() + 1;
        let sig_at = payload_at + parts[1].len() + 1;
        let header = json_part(Part::Header, parts[0], header_at)?;
        let claims = json_part(Part::Payload, parts[1], payload_at)?;
        if let Err(e) = B64URL.decode(parts[2]) {
            let (msg, at) = b64_problem(&e);
            return Err(TokenError::new(
                Part::Signature,
                Some(sig_at + at.unwrap_or(0)),
                format!("signature (part 3): invalid base64url: {msg}"),
            ));
        }
        Ok(Token {
            header,
            claims,
            signing_input: text[..sig_at - 1].to_owned(),
            signature: parts[2].to_owned(),
        })
    }

    /// The JOSE header.
    #[must_use]
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The claims (the payload object).
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// What `identmap token decode` prints (and the playground shows): `{"header": …, "claims":
    /// …}`, unverified.
    #[must_use]
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "header": self.header, "claims": self.claims })
    }

    /// The names of the top-level claims, in the token's order.
    pub fn claim_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.claims.keys().map(String::as_str)
    }

    /// The header's `alg`, when it is a string.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// The header's `kid`, when it is a string.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// `header.payload` as in the token: what the signature signs.
    #[must_use]
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The signature part (base64url text).
    #[must_use]
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

fn json_part(part: Part, text: &str, at: usize) -> Result<Map<String, Value>, TokenError> {
    let n = if part == Part::Header { 1 } else { 2 };
    let label = format!("{} (part {n})", part.name());
    let bytes = B64URL.decode(text).map_err(|e| {
        let (msg, off) = b64_problem(&e);
        TokenError::new(part, Some(at + off.unwrap_or(0)), format!("{label}: invalid base64url: {msg}"))
    })?;
    let s = std::str::from_utf8(&bytes).map_err(|e| {
        TokenError::new(
            part,
            Some(at),
            format!(
                "{label}: the decoded bytes are not UTF-8 (byte {} of the decoded text)",
                e.valid_up_to()
            ),
        )
    })?;
    let value: Value = serde_json::from_str(s).map_err(|e| {
        TokenError::new(
            part,
            Some(at),
            format!("{label}: not JSON: {e} (in the decoded text, line {} column {})", e.line(), e.column()),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(TokenError::new(
            part,
            Some(at),
            format!("{label}: a JSON object is expected, the decoded text is {}", kind_of(&other)),
        )),
    }
}

/// The message and offset (within the part) of a base64 problem.
fn b64_problem(e: &base64::DecodeError) -> (String, Option<usize>) {
    match e {
        base64::DecodeError::InvalidByte(at, b) => (
            format!("byte {:?} at offset {at} of the part is not in the alphabet", char::from(*b)),
            Some(*at),
        ),
        base64::DecodeError::InvalidLength(n) => (format!("{n} symbols is not a valid base64 length"), None),
        base64::DecodeError::InvalidLastSymbol(at, b) => {
            (format!("invalid last symbol {:?} at offset {at} of the part", char::from(*b)), Some(*at))
        }
        base64::DecodeError::InvalidPadding => ("invalid padding".to_owned(), None),
    }
}

/// A JSON value's kind, in words: `a string`, `an array`, ….
#[must_use]
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        B64URL.encode(s)
    }

    #[test]
    fn errors_name_the_part_and_place() {
        let h = b64(r#"{"alg":"RS256"}"#);
        let e = Token::parse(&format!("{h}.ab*d.c2ln")).unwrap_err();
        assert_eq!(e.part(), Part::Payload);
        assert_eq!(e.offset(), Some(h.len() + 1 + 2));
        assert!(e.message().contains("'*'"), "{}", e.message());

        let e = Token::parse(&format!("{h}.{}.c2ln", b64("not json"))).unwrap_err();
        assert_eq!(e.part(), Part::Payload);
        assert!(e.message().starts_with("payload (part 2): not JSON"), "{}", e.message());

        let e = Token::parse(&format!("{}.{}.c2ln", b64("[1]"), b64("{}"))).unwrap_err();
        assert_eq!(e.part(), Part::Header);
        assert!(e.message().contains("an array"), "{}", e.message());

        let e = Token::parse(&format!("{h}.{}.c2!n", b64("{}"))).unwrap_err();
        assert_eq!(e.part(), Part::Signature);

        let e = Token::parse("a.b.c.d.e").unwrap_err();
        assert!(e.message().contains("JWE"), "{}", e.message());
    }

    #[test]
    fn padding_is_optional() {
        // 16 bytes: 22 symbols, or 24 with "==".
        let h = base64::engine::general_purpose::URL_SAFE.encode(r#"{"alg": "ES256"}"#);
        assert!(h.ends_with("=="));
        let t = Token::parse(&format!("{h}.{}.", b64(r#"{"a":1}"#)));
        assert_eq!(t.map(|t| t.claims()["a"].clone()).ok(), Some(serde_json::json!(1)));
    }
}
