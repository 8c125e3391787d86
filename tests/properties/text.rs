//! Untrusted text made safe to show (src/text.rs).

use super::*;
use floktu_tui::text::{csv_cell, pad, sanitize, truncate, width};

/// Text with nothing to remove: letters, digits, punctuation, symbols, spaces.
fn printable() -> impl Strategy<Value = String> {
    // Letters include the Hangul fillers, which are invisible.
    let visible = |s: String| s.chars().filter(|&c| !is_zero_width(c)).collect::<String>();
    prop_oneof!["[ -~]{0,40}", "[\\p{L}\\p{N}\\p{P}\\p{S} ]{0,40}".prop_map(visible)]
}

proptest! {
    #![proptest_config(config(256))]

    /// Nothing that moves the cursor, rings, reorders or hides text survives.
    #[test]
    fn sanitized_text_is_safe_to_show(s in any_text()) {
        let clean = sanitize(&s);
        let bad: Vec<char> = clean.chars().filter(|&c| unsafe_to_show(c)).collect();
        prop_assert!(bad.is_empty(), "{:?} → {:?} keeps {:?}", s, clean, bad);
    }

    /// Sanitizing twice changes nothing more.
    #[test]
    fn sanitize_is_idempotent(s in any_text()) {
        let once = sanitize(&s).into_owned();
        prop_assert_eq!(sanitize(&once).into_owned(), once);
    }

    /// Plain printable text is left exactly as it is.
    #[test]
    fn printable_text_is_unchanged(s in printable()) {
        prop_assert_eq!(sanitize(&s).into_owned(), s);
    }

    /// A cell padded to n columns takes n columns, and a cut one at most n:
    /// what the layout assumed is what the terminal shows.
    #[test]
    fn padded_and_truncated_text_takes_the_columns_the_layout_assumed(
        s in prop_oneof![any_text(), printable()],
        n in 0usize..200,
    ) {
        let clean = sanitize(&s);
        let padded = pad(&clean, n);
        prop_assert_eq!(width(&padded), n, "pad({:?}, {}) = {:?}", clean, n, padded);
        let cut = truncate(&clean, n);
        prop_assert!(width(&cut) <= n, "truncate({:?}, {}) = {:?}", clean, n, cut);
    }

    /// A CSV cell never starts like a formula, and carries nothing unsafe.
    #[test]
    fn a_csv_cell_is_never_a_formula(s in prop_oneof![any_text(), "[=+@-].{0,10}"]) {
        let cell = csv_cell(&s);
        prop_assert!(!cell.starts_with(['=', '+', '-', '@']), "{:?} → {:?}", s, cell);
        prop_assert!(!cell.chars().any(unsafe_to_show), "{:?} → {:?}", s, cell);
    }
}
