//! The two regex dialects identmap must reproduce, each translated to a `regex_syntax::hir::Hir`
//! and compiled with `regex_automata::meta`.
//!
//! * [`go`]: Go's `regexp` syntax (RE2), used by the cockroach dialect. Unicode, leftmost-first.
//! * [`are`]: Henry Spencer's ARE as PostgreSQL compiles `pg_ident.conf` regexes, matched byte-wise.
//!
//! Nothing here hands pattern text to `regex-syntax`'s own parser: both translators parse the
//! dialect themselves and build the `Hir`, so that what is accepted, and how it matches, is the
//! dialect's and not Rust's.

pub(crate) mod are;
pub(crate) mod go;

use regex_automata::meta;
use regex_automata::nfa::thompson::{self, pikevm::PikeVM};
use regex_syntax::hir::Hir;

/// Upper bound on the compiled NFA of one pattern. Larger patterns are refused with an error on
/// the rule's span instead of using unbounded memory.
pub(crate) const NFA_SIZE_LIMIT: usize = 64 << 20;

/// A pattern whose compiled form would exceed identmap's explicit size limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TooBig {
    pub(crate) message: String,
}

/// Compile a translated pattern into a meta regex (leftmost-first, all captures), lean: no lazy
/// or full DFA and no one-pass DFA, so one regex weighs little more than its NFA. Every caller
/// runs it on short identities (one rule's check), where those engines would not pay back.
///
/// `bytes`: the pattern is matched byte-wise (ARE), so an empty match may fall inside a UTF-8
/// sequence; for Unicode patterns (Go) it may not.
pub(crate) fn compile(hir: &Hir, bytes: bool) -> Result<meta::Regex, TooBig> {
    let config = meta::Config::new()
        .utf8_empty(!bytes)
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
        .hybrid(false)
        .dfa(false)
        .onepass(false);
    meta::Builder::new().configure(config).build_from_hir(hir).map_err(|e| TooBig {
        message: e.size_limit().map_or_else(
            || e.to_string(),
            |limit| format!("pattern too large: its compiled form exceeds identmap's limit of {limit} bytes"),
        ),
    })
}

/// The NFA compiler for [`compile_small`], made once per parse of a map and reused for each of its
/// patterns: a fresh `thompson::Compiler` allocates and fills its UTF-8 state cache (10,000
/// entries) on first use, which dominated parsing a map of Unicode patterns (most in
/// WebAssembly). The compiler clears its state before every build (the cache is versioned), so
/// each NFA is the one a fresh compiler builds; it is dropped with the parse, keeping nothing.
pub(crate) fn small_compiler() -> thompson::Compiler {
    let mut c = thompson::Compiler::new();
    c.configure(thompson::Config::new().nfa_size_limit(Some(NFA_SIZE_LIMIT)).shrink(false));
    c
}

/// Compile a translated pattern into a PikeVM: the small, predictable engine of the reference
/// evaluators (its memory is the NFA alone, so a million rules stay affordable).
pub(crate) fn compile_small(compiler: &thompson::Compiler, hir: &Hir) -> Result<PikeVM, TooBig> {
    let nfa = compiler.build_from_hir(hir).map_err(|e| TooBig {
        message: format!(
            "pattern too large: its compiled form exceeds identmap's limit of {NFA_SIZE_LIMIT} bytes ({e})"
        ),
    })?;
    PikeVM::new_from_nfa(nfa).map_err(|e| TooBig { message: e.to_string() })
}
