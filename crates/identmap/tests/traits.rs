//! Public types stay `Send + Sync` (share one `Matcher` across threads) and `Debug`.

use std::fmt::Debug;

fn send_sync<T: Send + Sync + Debug>() {}

#[test]
fn public_types_are_send_sync_debug() {
    send_sync::<identmap::Matcher>();
    send_sync::<identmap::cockroach::Ruleset>();
    send_sync::<identmap::cockroach::Error>();
    send_sync::<identmap::postgres::IdentFile>();
    send_sync::<identmap::postgres::Matcher>();
    send_sync::<identmap::BuildError>();
    send_sync::<identmap::sql::Settings>();
}

#[test]
fn one_matcher_shared_by_threads_answers_the_same() {
    use identmap::cockroach::{Options, Ruleset};
    let rules =
        Ruleset::parse("iss /^(.*)@x\\.com$ \\1\niss a@x.com admin", Options::default()).expect("parses");
    let m = identmap::Matcher::new(&rules).expect("builds");
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for i in 0..1000 {
                    let id = format!("u{i}@x.com");
                    assert_eq!(m.map("iss", &id).users(), [format!("u{i}")]);
                }
                assert_eq!(m.map("iss", "A@X.COM").users(), ["a", "admin"]);
            });
        }
    });
}
