//! Any text as a `.sql` file of `SET CLUSTER SETTING` statements: reading never panics, every
//! span is inside the file, and the JWT settings read from it never panic either.
#![no_main]

use identmap::sql::parse_settings;
use identmap::sso::JwtSettings;
use identmap::Span;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let settings = parse_settings(text);
    for e in settings.errors() {
        assert!(text.get(e.span().range()).is_some(), "{:?}", e.span());
    }
    for s in settings.all() {
        assert!(text.get(s.statement_span().range()).is_some());
        assert!(text.get(s.value_span().range()).is_some());
        if let Some(value) = s.text() {
            // Every part of the unescaped value maps back to a place in the file.
            for (i, _) in value.char_indices() {
                let span = s.source_span(Span::new(i, value.len()));
                assert!(span.start <= span.end && span.end <= text.len());
            }
        }
    }
    let jwt = JwtSettings::from_sql(&settings);
    for p in jwt.problems() {
        if let Some(span) = p.span() {
            assert!(span.end <= text.len());
        }
    }
});
