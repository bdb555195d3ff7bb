use super::*;

#[test]
fn smoke() {
    assert!(parse(b"^(.*)@x$").is_ok());
}
