//! Property tests: what must hold for every input, not just the examples the
//! other tests pick. Untrusted JSON never panics the decoders and loses no ids;
//! money reads back exactly what it prints; sanitized text is safe and as wide
//! as the layout assumed; a pasted redirect gives its code only with the right
//! state; and `update`, driven by random keys and random (often stale) answers,
//! keeps every selection in range and every request accounted for.
//!
//! One test binary; each file under `tests/properties/` holds the properties of
//! one part of the code. Runs are deterministic (a fixed seed). To explore beyond
//! it, set `PROPTEST_RNG_SEED` (any number) and/or `PROPTEST_CASES`.

mod support;

#[path = "properties/decoders.rs"]
mod decoders;

#[path = "properties/money.rs"]
mod money;

#[path = "properties/text.rs"]
mod text;

#[path = "properties/pasted_redirect.rs"]
mod pasted_redirect;

#[path = "properties/update_model.rs"]
mod update_model;

#[path = "properties/found.rs"]
mod found;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

/// `cases` cases from a fixed seed, unless the environment asks for others;
/// failures are kept in `proptest-regressions/` to be committed and replayed.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases);
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/properties.txt"
    ))));
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = ProptestConfig::default().cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(2);
    }
    config
}

/// Bidi embeddings, overrides, isolates and marks: they reorder what follows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Unicode's Default_Ignorable_Code_Point: zero-width and invisible characters
/// (joiners, fillers, variation selectors, tags...) that terminals draw in
/// different widths, or not at all, so the layout cannot know their width.
fn is_zero_width(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
        | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e0fff}'
    )
}

/// C1 controls (0x80–0x9F): some terminals act on them like ESC sequences.
fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// What must never reach the terminal, the clipboard or a CSV cell.
fn unsafe_to_show(c: char) -> bool {
    c.is_control() || c == '\u{1b}' || is_c1(c) || is_bidi_control(c) || is_zero_width(c)
}

/// Pieces of terminal escape sequences, invisible and context-dependent
/// characters, and ordinary text to glue them to.
const HOSTILE_PIECES: &[&str] = &[
    "\u{1b}",
    "\u{1b}[",
    "\u{1b}]",
    "\u{1b}P",
    "\u{1b}X",
    "\u{1b}^",
    "\u{1b}_",
    "\u{1b}\\",
    "\u{1b}(",
    "\u{1b}]0;title\u{7}",
    "\u{1b}]52;c;ZXZpbA==\u{1b}\\",
    "\u{1b}[2J",
    "\u{1b}[1;31m",
    "\u{7}",
    "\u{9c}",
    "\u{9b}",
    "\u{90}",
    "\u{9d}",
    "\u{9e}",
    "\u{9f}",
    "[",
    "]",
    ";",
    "0",
    "31",
    "m",
    "\\",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{b}",
    "\u{c}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    " ",
    "a",
    "Ann",
    "=",
    "+",
    "-",
    "@",
    "王",
    "é",
    "e\u{301}",
    "\u{301}",
    "🎉",
    "👍",
    "\u{1f3fd}",
    "🇫",
    "🇷",
    "\u{2764}",
    "\u{fe0f}",
    "\u{fe0e}",
    "\u{200d}",
    "\u{644}",
    "\u{627}",
    "\u{5d0}",
    "\u{5dc}",
    "\u{1100}",
    "\u{1161}",
    "…",
    "\u{ad}",
    "\u{2066}",
    "\u{202e}",
    "\u{feff}",
    "\u{034f}",
    "\u{115f}",
    "\u{3164}",
    "\u{ffa0}",
    "\u{180b}",
    "\u{1d173}",
    "\u{1bca0}",
    "\u{e0100}",
    "\u{e0041}",
];

/// Strings made mostly of the pieces above, plus any characters at all.
fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(HOSTILE_PIECES).prop_map(str::to_string),
        1 => proptest::char::range('\u{80}', '\u{9f}').prop_map(String::from),
        1 => proptest::char::range('\u{2000}', '\u{206f}').prop_map(String::from),
        1 => proptest::char::range('\u{0}', '\u{1f}').prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Any string, or a hostile one.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), hostile_string()]
}

/// A short string of any characters, for model fields (kept small for speed).
fn short_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][a-z]{0,8}",
        2 => prop::collection::vec(prop::sample::select(HOSTILE_PIECES), 0..5).prop_map(|p| p.concat()),
        1 => prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}
