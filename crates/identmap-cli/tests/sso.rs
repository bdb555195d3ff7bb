//! The SSO simulator: every step and failure of `shared/spec/sso.md`, through the library
//! (`identmap_sso::decide`) and end to end through `identmap sso` / `identmap token decode`.
//!
//! Tokens are signed here with the test-only keys of `testdata/sso/keys/` (made by
//! `scripts/gen-sso-test-keys`; checked in so runs are deterministic and fast).

mod common;

use std::process::Output;

use base64::Engine as _;
use identmap::sso::JwtSettings;
use identmap_sso::{decide, Decision, Options};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const NOW: i64 = 1_800_000_000;
const GOOGLE: &str = "https://accounts.google.com";
const AUD: &str = "my-client-id.apps.googleusercontent.com";
const JWKS: &str = include_str!("../../../testdata/sso/keys/jwks.json");
const RSA: &[u8] = include_bytes!("../../../testdata/sso/keys/rsa.pem");
const RSA_PUB: &[u8] = include_bytes!("../../../testdata/sso/keys/rsa.pub.pem");
const P256: &[u8] = include_bytes!("../../../testdata/sso/keys/p256.pem");
const P384: &[u8] = include_bytes!("../../../testdata/sso/keys/p384.pem");
const ED25519: &[u8] = include_bytes!("../../../testdata/sso/keys/ed25519.pem");

fn key(alg: Algorithm) -> (EncodingKey, &'static str) {
    let r = match alg {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => EncodingKey::from_rsa_pem(RSA).map(|k| (k, "rsa1")),
        Algorithm::ES256 => EncodingKey::from_ec_pem(P256).map(|k| (k, "ec256")),
        Algorithm::ES384 => EncodingKey::from_ec_pem(P384).map(|k| (k, "ec384")),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(ED25519).map(|k| (k, "ed1")),
        _ => panic!("no test key for {alg:?}"),
    };
    r.expect("test key loads")
}

fn sign_with(alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let (k, default_kid) = key(alg);
    let mut h = Header::new(alg);
    h.kid = Some(kid.unwrap_or(default_kid).to_string());
    jsonwebtoken::encode(&h, claims, &k).expect("signs")
}

fn sign(alg: Algorithm, claims: &Value) -> String {
    sign_with(alg, None, claims)
}

fn claims() -> Value {
    json!({"iss": GOOGLE, "aud": AUD, "sub": "1102484959", "email": "Carl@Example.com",
           "iat": NOW - 60, "exp": NOW + 3600})
}

fn with(mut c: Value, key: &str, v: Value) -> Value {
    c[key] = v;
    c
}

fn settings() -> JwtSettings {
    let mut s = JwtSettings::new();
    s.set_enabled(true);
    s.set_issuers(GOOGLE);
    s.set_audience(AUD);
    s.set_claim("email");
    s.set_jwks(JWKS.to_string());
    s.set_identity_map(format!("{GOOGLE} /^(.*)@example\\.com$ \\1"));
    s
}

fn run(s: &JwtSettings, token: &str, user: Option<&str>) -> Decision {
    let mut o = Options::new(NOW);
    if let Some(u) = user {
        o = o.user(u);
    }
    decide(s, token, &o)
}

/// The step that failed and the reason, for assertions.
fn failed(d: &Decision) -> (Option<&'static str>, String) {
    (d.failed_step().map(|s| s.name()), d.reason().to_string())
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn every_algorithm_verifies_and_logs_in() {
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ] {
        let d = run(&settings(), &sign(alg, &claims()), Some("carl"));
        assert!(d.allowed(), "{alg:?}: {}", d.reason());
        assert!(d.verified(), "{alg:?}");
        assert_eq!(d.user(), Some("carl"));
        assert_eq!(d.principals(), ["Carl@Example.com"]);
        assert_eq!(d.candidates(), ["carl"]);
        assert_eq!(d.crdb_error(), None);
        let sig = &d.steps()[2];
        assert_eq!(sig.step().name(), "signature");
        assert!(sig.detail().contains(&format!("{alg:?}")), "{}", sig.detail());
    }
}

#[test]
fn the_json_shape() {
    let d = run(&settings(), &sign(Algorithm::RS256, &claims()), None);
    let j = d.to_json(false);
    assert_eq!(j["allowed"], true);
    assert_eq!(j["user"], "carl");
    assert_eq!(j["failed_step"], Value::Null);
    assert_eq!(j["verified"], true);
    assert_eq!(j["principals"], json!(["Carl@Example.com"]));
    assert_eq!(j["candidates"], json!(["carl"]));
    assert_eq!(j["claims_present"], json!(["iss", "aud", "sub", "email", "iat", "exp"]));
    assert_eq!(j["header"], json!({"alg": "RS256", "kid": "rsa1", "typ": "JWT"}));
    assert_eq!(
        j["trace"],
        json!([{"principal": "Carl@Example.com", "line": 1,
                "rule": "https://accounts.google.com /^(.*)@example\\.com$ \\1", "matched": true,
                "captures": ["Carl@Example.com", "Carl"], "produced": "Carl", "outcome": "added",
                "user": "carl"}])
    );
    let steps: Vec<&str> =
        j["steps"].as_array().into_iter().flatten().filter_map(|s| s["step"].as_str()).collect();
    assert_eq!(
        steps,
        [
            "enabled",
            "token",
            "signature",
            "time",
            "issuer",
            "audience",
            "claim",
            "mapping",
            "reserved",
            "user"
        ]
    );
    assert!(j.get("claims").is_none(), "claim values only with show_claims");
    assert_eq!(d.to_json(true)["claims"]["email"], "Carl@Example.com");
}

#[test]
fn disabled() {
    let mut s = settings();
    s.set_enabled(false);
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl"));
    assert_eq!(failed(&d).0, Some("enabled"));
    assert_eq!(d.crdb_error(), Some("JWT authentication: not enabled"));
}

#[test]
fn expired_and_not_yet_valid_and_issued_in_the_future() {
    let d = run(&settings(), &sign(Algorithm::ES256, &with(claims(), "exp", json!(NOW - 1))), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("time"));
    assert!(why.contains("expired") && why.contains("1 s before"), "{why}");
    // exp == now is already expired (now >= exp).
    let d = run(&settings(), &sign(Algorithm::ES256, &with(claims(), "exp", json!(NOW))), Some("carl"));
    assert_eq!(failed(&d).0, Some("time"));
    // A skew lets it through.
    let t = sign(Algorithm::ES256, &with(claims(), "exp", json!(NOW - 30)));
    assert!(decide(&settings(), &t, &Options::new(NOW).skew(60).user("carl")).allowed());

    let d = run(&settings(), &sign(Algorithm::ES256, &with(claims(), "nbf", json!(NOW + 120))), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("time"));
    assert!(why.contains("not yet valid") && why.contains("120 s after"), "{why}");
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid token"));

    let d = run(&settings(), &sign(Algorithm::ES256, &with(claims(), "iat", json!(NOW + 5))), Some("carl"));
    assert!(failed(&d).1.contains("issued in the future"), "{}", d.reason());

    // No exp at all: accepted, with a note.
    let mut c = claims();
    c.as_object_mut().map(|o| o.remove("exp"));
    let d = run(&settings(), &sign(Algorithm::ES256, &c), Some("carl"));
    assert!(d.allowed(), "{}", d.reason());
    assert!(d.notes().iter().any(|n| n.contains("never expires")), "{:?}", d.notes());
}

#[test]
fn wrong_audience_string_or_array_on_both_sides() {
    let d = run(&settings(), &sign(Algorithm::RS256, &with(claims(), "aud", json!("other"))), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("audience"));
    assert!(why.contains("\"other\""), "{why}");
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid audience"));
    // Token array, one matching.
    let t = sign(Algorithm::RS256, &with(claims(), "aud", json!(["x", AUD])));
    assert!(run(&settings(), &t, Some("carl")).allowed());
    // Setting array.
    let mut s = settings();
    s.set_audience(&format!("[\"a\", \"{AUD}\"]"));
    assert!(run(&s, &sign(Algorithm::RS256, &claims()), Some("carl")).allowed());
    // No aud in the token.
    let mut c = claims();
    c.as_object_mut().map(|o| o.remove("aud"));
    assert_eq!(failed(&run(&settings(), &sign(Algorithm::RS256, &c), Some("carl"))).0, Some("audience"));
}

#[test]
fn issuer_with_a_trailing_slash() {
    let d = run(
        &settings(),
        &sign(Algorithm::RS256, &with(claims(), "iss", json!(format!("{GOOGLE}/")))),
        Some("carl"),
    );
    let (step, why) = failed(&d);
    assert_eq!(step, Some("issuer"));
    assert!(why.contains("trailing slash"), "{why}");
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid issuer"));
    // The three forms of the issuers setting.
    for form in [
        format!("[\"x\", \"{GOOGLE}\"]"),
        format!("{{\"issuer_jwks_map\": {{\"{GOOGLE}\": \"https://x/jwks\"}}}}"),
    ] {
        let mut s = settings();
        s.set_issuers(&form);
        assert!(run(&s, &sign(Algorithm::RS256, &claims()), Some("carl")).allowed(), "{form}");
    }
}

#[test]
fn unknown_kid_and_mismatched_keys() {
    let d = run(&settings(), &sign_with(Algorithm::RS256, Some("gone"), &claims()), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("signature"));
    assert!(why.contains("unknown kid \"gone\"") && why.contains("\"rsa1\""), "{why}");
    assert!(!d.verified());
    // The P-256 key under the P-384 kid: the key says ES384.
    let d = run(&settings(), &sign_with(Algorithm::ES256, Some("ec384"), &claims()), Some("carl"));
    assert!(failed(&d).1.contains("the key is for ES384"), "{}", d.reason());
    // An RSA token under the EC kid.
    let mut s = settings();
    s.set_jwks(JWKS.replace("\"alg\": \"ES256\", ", ""));
    let d = run(&s, &sign_with(Algorithm::RS256, Some("ec256"), &claims()), Some("carl"));
    assert!(failed(&d).1.contains("cannot verify RS256"), "{}", d.reason());
    // No kid in the header.
    let (k, _) = key(Algorithm::RS256);
    let t = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(), &k).expect("signs");
    assert!(failed(&run(&settings(), &t, Some("carl"))).1.contains("no \"kid\""));
    // No JWKS configured.
    let mut s = JwtSettings::new();
    s.set_enabled(true);
    s.set_issuers(GOOGLE);
    s.set_audience(AUD);
    let d = run(&s, &sign(Algorithm::RS256, &claims()), None);
    assert!(failed(&d).1.contains("no keys"), "{}", d.reason());
}

#[test]
fn alg_none_and_hmac_are_refused() {
    let payload = b64(&claims().to_string());
    let none = format!("{}.{payload}.", b64(r#"{"alg":"none","kid":"rsa1"}"#));
    let d = run(&settings(), &none, Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("signature"));
    assert!(why.contains("unsigned"), "{why}");
    // The algorithm-confusion attack: HS256 with the RSA public key (PEM) as the secret.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("rsa1".into());
    let t = jsonwebtoken::encode(&h, &claims(), &EncodingKey::from_secret(RSA_PUB)).expect("signs");
    let d = run(&settings(), &t, Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("signature"));
    assert!(why.contains("HS256 (HMAC"), "{why}");
    // An oct key in the JWKS is never used either.
    let mut s = settings();
    s.set_jwks(r#"{"keys":[{"kty":"oct","kid":"rsa1","k":"c2VjcmV0"}]}"#.into());
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl"));
    assert!(failed(&d).1.contains("symmetric"), "{}", d.reason());
}

#[test]
fn tampered_payload() {
    let t = sign(Algorithm::EdDSA, &claims());
    let parts: Vec<&str> = t.split('.').collect();
    let evil = b64(&with(claims(), "email", json!("root@example.com")).to_string());
    let d = run(&settings(), &format!("{}.{evil}.{}", parts[0], parts[2]), Some("root"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("signature"));
    assert!(why.contains("does not verify"), "{why}");
    // The same with --no-verify gets through the signature step and says so.
    let o = Options::new(NOW).verify(false).user("carl");
    let d = decide(&settings(), &format!("{}.{evil}.{}", parts[0], parts[2]), &o);
    assert_eq!(d.steps()[2].status().name(), "skipped");
    assert!(d.notes().iter().any(|n| n.contains("not verified")));
    assert_eq!(failed(&d).0, Some("user"));
}

#[test]
fn malformed_tokens() {
    let h = b64(r#"{"alg":"RS256","kid":"rsa1"}"#);
    let cases = [
        (format!("{h}.e30"), "three parts"),
        (format!("{h}.ab$c.sig"), "payload (part 2): invalid base64url"),
        (format!("{h}.{}.sig", b64("{not json")), "payload (part 2): not JSON"),
        (format!("{}.{}.sig", b64("nope"), b64("{}")), "header (part 1): not JSON"),
        (format!("{h}.{}.sig", b64("[\"a\"]")), "a JSON object is expected"),
        (format!("{h}.{}.sig", b64(r#"{"iss": 7}"#)), "\"iss\" must be a string"),
        (format!("{h}.{}.sig", b64(r#"{"exp": "soon"}"#)), "\"exp\" must be a number"),
        (format!("{h}.{}.sig", b64(r#"{"aud": [1]}"#)), "\"aud\" must be a string or an array"),
        (String::new(), "empty"),
    ];
    for (t, want) in cases {
        let d = run(&settings(), &t, Some("carl"));
        let (step, why) = failed(&d);
        assert_eq!(step, Some("token"), "{t}");
        assert!(why.contains(want), "{t}: {why}");
        assert_eq!(d.crdb_error(), Some("JWT authentication: invalid token"));
        assert!(d.steps().iter().skip(2).all(|s| s.status().name() == "not_checked"));
    }
    // The base64 error names its place in the token.
    let e = identmap_sso::Token::parse(&format!("{h}.ab$c.sig")).expect_err("bad base64");
    assert_eq!(e.offset(), Some(h.len() + 1 + 2));
}

#[test]
fn a_ten_megabyte_token() {
    let t = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), "A".repeat(10 << 20));
    let start = std::time::Instant::now();
    let d = run(&settings(), &t, Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("token"));
    assert!(why.contains("more than identmap's limit"), "{why}");
    assert!(start.elapsed().as_secs() < 2, "refused before decoding");
}

#[test]
fn claims_object_array_missing_empty_pointer() {
    // An object claim: one principal, formatted as Go does; the map does not match it.
    let t = sign(Algorithm::RS256, &with(claims(), "email", json!({"b": 1, "a": "x"})));
    let d = run(&settings(), &t, Some("carl"));
    assert_eq!(d.principals(), ["map[a:x b:1]"]);
    assert_eq!(failed(&d).0, Some("mapping"));
    assert!(d.notes().iter().any(|n| n.contains("JSON object")), "{:?}", d.notes());
    // An array claim: one principal per element, numbers and booleans as Go prints them.
    let t = sign(
        Algorithm::RS256,
        &with(claims(), "email", json!(["Ann@Example.com", 1e6, true, "carl@example.com"])),
    );
    let d = run(&settings(), &t, Some("carl"));
    assert!(d.allowed(), "{}", d.reason());
    assert_eq!(d.principals(), ["Ann@Example.com", "1e+06", "true", "carl@example.com"]);
    assert_eq!(d.candidates(), ["ann", "carl"]);
    // An empty array: no principal.
    let t = sign(Algorithm::RS256, &with(claims(), "email", json!([])));
    let d = run(&settings(), &t, Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("claim"));
    assert!(why.contains("empty array"), "{why}");
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid principal"));
    // Missing: the reason names the claims present, not their values.
    let mut s = settings();
    s.set_claim("upn");
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("claim"));
    assert!(why.contains("iss, aud, sub, email, iat, exp"), "{why}");
    assert!(
        !d.to_json(false).to_string().contains("Carl@Example.com"),
        "no claim values without show_claims"
    );
    assert_eq!(d.crdb_error(), Some("JWT authentication: missing claim"));
    // A JSON Pointer into a nested claim.
    let mut s = settings();
    s.set_claim("/kubernetes.io/serviceaccount/name");
    s.set_identity_map(String::new());
    let t = sign(
        Algorithm::RS256,
        &with(claims(), "kubernetes.io", json!({"serviceaccount": {"name": "Deployer"}})),
    );
    let d = run(&s, &t, Some("deployer"));
    assert!(d.allowed(), "{}", d.reason());
    // The subject by default.
    let mut s = settings();
    s.set_claim("");
    s.set_identity_map(String::new());
    assert_eq!(run(&s, &sign(Algorithm::RS256, &claims()), None).user(), Some("1102484959"));
}

#[test]
fn mapping_fallback_reserved_and_user() {
    // A map for another issuer only: the principal itself, normalized, is the candidate.
    let mut s = settings();
    s.set_identity_map("https://other /^(.*)$ \\1".into());
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl@example.com"));
    assert!(d.allowed(), "{}", d.reason());
    assert_eq!(d.candidates(), ["carl@example.com"]);
    assert!(d.trace().is_empty());
    // The map exists but produces nothing: no fallback.
    let t = sign(Algorithm::RS256, &with(claims(), "email", json!("carl@evil.io")));
    let d = run(&settings(), &t, Some("carl"));
    assert_eq!(failed(&d).0, Some("mapping"));
    assert_eq!(d.trace()[0].outcome(), "no_match");
    // A reserved requested user.
    let mut s = settings();
    s.set_identity_map(format!("{GOOGLE} /^(.*)@example\\.com$ \\1\n{GOOGLE} carl@example.com root"));
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("ROOT"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("reserved"));
    assert!(why.contains("\"root\" is a reserved user"), "{why}");
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid identity"));
    assert_eq!(d.candidates(), ["carl", "root"]);
    // Not a candidate.
    let d = run(&settings(), &sign(Algorithm::RS256, &claims()), Some("alice"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("user"));
    assert!(why.contains("\"alice\" is not a candidate"), "{why}");
    // No user and two candidates.
    let d = run(&s, &sign(Algorithm::RS256, &claims()), None);
    assert!(failed(&d).1.contains("must name the user"), "{}", d.reason());
    // A map CockroachDB would refuse.
    let mut s = settings();
    s.set_identity_map(format!("{GOOGLE} /^([9-0]*)$ \\1"));
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl"));
    assert_eq!(failed(&d).0, Some("mapping"));
    assert_eq!(d.crdb_error(), None, "unknown offline: the cluster keeps its previous map");
}

#[test]
fn crdb_order_differs_from_the_step_order() {
    // Wrong audience and a user that is not a candidate: the first failing step is the audience
    // (sso.md order); CockroachDB checks the principal first.
    let t = sign(Algorithm::RS256, &with(claims(), "aud", json!("other")));
    let d = run(&settings(), &t, Some("alice"));
    assert_eq!(failed(&d).0, Some("audience"));
    assert_eq!(d.crdb_error(), Some("JWT authentication: invalid principal"));
}

#[test]
fn jwks_auto_fetch_is_not_simulated() {
    let mut s = settings();
    s.set_jwks_auto_fetch(true);
    let d = run(&s, &sign(Algorithm::RS256, &claims()), Some("carl"));
    let (step, why) = failed(&d);
    assert_eq!(step, Some("signature"));
    assert!(why.contains("does not simulate offline"), "{why}");
    assert_eq!(d.crdb_error(), None);
    // Every other step was still checked.
    assert!(d
        .steps()
        .iter()
        .filter(|s| s.step().name() != "signature")
        .all(|s| s.status().name() == "passed"));
}

// ---- The CLI, end to end ----

fn identmap(args: &[&str], stdin: &[u8]) -> Output {
    common::run_in(&common::root(), args, stdin)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn google_example_end_to_end() {
    let base = ["sso", "--settings", "testdata/sso/google.sql", "--jwks", "testdata/sso/keys/jwks.json"];
    let at = ["--now", "2026-11-25T12:00:00Z"];
    let out = identmap(
        &[&base[..], &["--token", "testdata/sso/google.token", "--user", "carl"], &at[..]].concat(),
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("ALLOWED: the token may log in as \"carl\""), "{text}");
    assert!(text.contains("[\\1=\"Carl\"]"), "{text}");
    assert!(!text.contains("email_verified\": true"), "claim values hidden: {text}");

    // JSON, from stdin, no user: the single candidate.
    let token = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/sso/google.token"))
        .expect("token");
    let out = identmap(&[&base[..], &["--token", "-", "--format", "json"], &at[..]].concat(), &token);
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert_eq!(j["user"], "carl");
    assert_eq!(j["verified"], true);
    assert!(j.get("claims").is_none());

    // After exp: denied, exit 1; --show-claims prints the values.
    let out = identmap(
        &[
            &base[..],
            &[
                "--token",
                "testdata/sso/google.token",
                "--now",
                "2040-01-01T00:00:00Z",
                "--format",
                "json",
                "--show-claims",
            ],
        ]
        .concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let j = json_of(&out);
    assert_eq!(j["failed_step"], "time");
    assert_eq!(j["claims"]["email"], "Carl@Example.com");

    // Flags override the file: another audience.
    let out = identmap(
        &[
            &base[..],
            &["--token", "testdata/sso/google.token", "--audience", "[\"x\",\"y\"]", "--format", "json"],
            &at[..],
        ]
        .concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["failed_step"], "audience");
    // --enabled=false.
    let out = identmap(
        &[&base[..], &["--token", "testdata/sso/google.token", "--enabled", "false"], &at[..]].concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[FAIL] enabled"));
}

#[test]
fn azure_example_end_to_end() {
    let dir = std::env::temp_dir().join(format!("identmap-sso-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let iss = "https://login.microsoftonline.com/5f0c6b8e-2c1a-4d7e-9b3f-0a1b2c3d4e5f/v2.0";
    let c = json!({"iss": iss, "aud": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "upn": "Carl.Smith@contoso.onmicrosoft.com",
                   "oid": "00000000-0000-0000-66f3-3332eca7ea81", "nbf": NOW - 10, "exp": NOW + 600});
    let path = dir.join("azure.token");
    std::fs::write(&path, sign(Algorithm::RS256, &c)).expect("write token");
    let p = path.to_string_lossy().into_owned();
    let now = NOW.to_string();
    let args = [
        "sso",
        "--settings",
        "testdata/sso/azure.sql",
        "--jwks",
        "testdata/sso/keys/jwks.json",
        "--token",
        &p,
        "--now",
        &now,
    ];
    let out = identmap(&[&args[..], &["--user", "carl.smith", "--format", "json"]].concat(), b"");
    let j = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{j}");
    assert_eq!(j["candidates"], json!(["carl.smith"]));
    assert_eq!(j["trace"][0]["captures"], json!(["Carl.Smith@", "Carl.Smith"]));
    // --no-verify says so; --claim overrides to oid, which the map does not turn into carl.smith.
    let out = identmap(
        &[&args[..], &["--user", "carl.smith", "--format", "json", "--no-verify", "--claim", "oid"]].concat(),
        b"",
    );
    let j = json_of(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(j["verified"], false);
    assert_eq!(j["notes"][0], "signature not verified (verification turned off)");
    assert_eq!(j["failed_step"], "mapping");
    // --identity-map from a file replaces the map: no rule for the issuer, the fallback.
    let map = dir.join("other.map");
    std::fs::write(&map, "https://elsewhere x y\n").expect("write map");
    let m = map.to_string_lossy().into_owned();
    let out = identmap(
        &[&args[..], &["--identity-map", &m, "--user", "carl.smith@contoso.onmicrosoft.com"]].concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_usage_and_io_errors_exit_2() {
    let out = identmap(
        &["sso", "--settings", "testdata/sso/google.sql", "--token", "testdata/sso/none.token"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none.token"));
    let out = identmap(&["sso", "--token", "-", "--now", "yesterday"], b"x.y.z");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
    let out = identmap(&["sso", "--settings", "testdata/sso/google.sql"], b"");
    assert_eq!(out.status.code(), Some(2), "--token is required");
    // A 10 MB token through the CLI: denied with the limit, not a crash.
    let big = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), "A".repeat(10 << 20));
    let out = identmap(
        &["sso", "--settings", "testdata/sso/google.sql", "--token", "-", "--format", "json"],
        big.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["failed_step"], "token");
}

#[test]
fn token_decode() {
    let out = identmap(&["token", "decode", "testdata/sso/google.token"], b"");
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert_eq!(j["header"]["kid"], "rsa1");
    assert_eq!(j["claims"]["email"], "Carl@Example.com");
    let t = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/sso/google.token"))
        .expect("token");
    let out = identmap(&["token", "decode", t.trim()], b"");
    assert_eq!(json_of(&out)["claims"]["iss"], GOOGLE);
    let out = identmap(&["token", "decode", "-"], t.as_bytes());
    assert_eq!(json_of(&out)["header"]["alg"], "RS256");
    let out = identmap(&["token", "decode", "eyJhbGciOiJSUzI1NiJ9.@@.x"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("payload (part 2): invalid base64url") && err.contains("at byte 21"), "{err}");
}

#[test]
fn hostile_tokens_and_jwks_never_panic() {
    // Every byte of a valid token replaced by a few others, and hostile clocks and values.
    let t = sign(Algorithm::ES256, &claims());
    let bytes = t.as_bytes();
    let mut seen_steps = std::collections::BTreeSet::new();
    for i in 0..bytes.len() {
        for b in [b'.', b'A', b'_', b'=', 0xC3] {
            let mut m = bytes.to_vec();
            m[i] = b;
            let text = String::from_utf8_lossy(&m);
            let d = run(&settings(), &text, Some("carl"));
            assert!(!d.allowed() || text == t, "a changed token must not pass: {text}");
            seen_steps.insert(d.failed_step().map_or("none", |s| s.name()));
        }
    }
    assert!(seen_steps.contains("token") && seen_steps.contains("signature"), "{seen_steps:?}");
    for exp in [json!(1e300), json!(-1e300), json!(i64::MIN), json!(u64::MAX), json!("NaN"), json!("inf")] {
        let c = with(claims(), "exp", exp.clone());
        for now in [i64::MIN, -1, 0, i64::MAX] {
            let d = decide(&settings(), &sign(Algorithm::ES256, &c), &Options::new(now).skew(u64::MAX));
            assert!(d.failed_step().is_some() || d.allowed(), "{exp}");
        }
    }
    for jwks in [
        "",
        "[]",
        "{\"keys\": 3}",
        "{\"keys\": [1, null, {}]}",
        r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed1","x":"AAAA"}]}"#,
        r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"ec256","x":"AAAA","y":"AAAA"}]}"#,
        r#"{"keys":[{"kty":"RSA","kid":"rsa1","n":"AQAB","e":""}]}"#,
        r#"{"keys":[{"kty":"RSA","kid":"rsa1","n":"!!","e":"AQAB"}]}"#,
    ] {
        let mut s = settings();
        s.set_jwks(jwks.to_string());
        for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
            let d = run(&s, &sign(alg, &claims()), Some("carl"));
            assert_eq!(failed(&d).0, Some("signature"), "{jwks} {alg:?}: {}", d.reason());
        }
    }
}

#[test]
fn readme_example_is_current() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
    let start = readme.find("$ identmap sso ").expect("the README shows an identmap sso run");
    let block = &readme[start..];
    let block = &block[..block.find("```").expect("end of the block")];
    let (cmd, expected) = block.split_once('\n').expect("command line");
    let args: Vec<&str> = cmd.trim_start_matches("$ identmap ").split(' ').collect();
    let out = identmap(&args, b"");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "README.md's identmap sso example");
}

#[test]
fn settings_from_identmap_toml() {
    let project = common::root().join("testdata/sso/project");
    let at = ["--now", "2026-11-25T12:00:00Z", "--format", "json"];
    let token = ["--token", "testdata/sso/google.token"];
    // --config: the [sso] table's settings file and keys.
    let out = identmap(
        &[&["sso", "--config", "testdata/sso/project/identmap.toml"], &token[..], &at[..]].concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json_of(&out)["user"], "carl");
    // Found by walking up from the current directory.
    let out = common::run_in(
        &project,
        &["sso", "--token", "../google.token", "--now", "2026-11-25T12:00:00Z", "--format", "json"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json_of(&out)["verified"], true);
    // A flag overrides a key of the table.
    let out = identmap(
        &[
            &["sso", "--config", "testdata/sso/project/identmap.toml", "--audience", "other"],
            &token[..],
            &at[..],
        ]
        .concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["failed_step"], "audience");
    // --settings replaces the table's settings file; its jwks key still applies.
    let out = identmap(
        &[
            &[
                "sso",
                "--config",
                "testdata/sso/project/identmap.toml",
                "--settings",
                "testdata/sso/azure.sql",
            ],
            &token[..],
            &at[..],
        ]
        .concat(),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["failed_step"], "issuer");
    // --no-config: nothing configured, JWT authentication is off.
    let out = common::run_in(
        &project,
        &["sso", "--no-config", "--token", "../google.token", "--format", "json"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["failed_step"], "enabled");
    // A broken identmap.toml is a usage error.
    let out = identmap(&[&["sso", "--config", "testdata/sso/google.sql"], &token[..]].concat(), b"");
    assert_eq!(out.status.code(), Some(2));
}
