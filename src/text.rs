//! Making untrusted text safe to show.
//!
//! Everything the server sends goes through [`sanitize`] before it reaches the
//! terminal, the clipboard or a CSV cell. The output never contains ESC, C0 or C1
//! control characters, bidi overrides or zero-width characters, so a name cannot
//! move the cursor, set the window title, write to the clipboard, or make two
//! strings of the same width look different in a table.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Returns `s` with escape sequences removed whole, line breaks and tabs turned
/// into spaces, and every other control or invisible formatting character dropped.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers of strings that run to a terminator (DCS, SOS, OSC, PM, APC).
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            // C1 CSI: parameters and a final byte follow.
            '\u{9b}' => skip_csi(&mut chars),
            '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
                if !out.ends_with(' ') =>
            {
                out.push(' ')
            }
            '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {}
            c if is_plain(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// [`sanitize`], then made safe as a spreadsheet cell: a value that a spreadsheet
/// would run as a formula gets a leading apostrophe. Spreadsheets skip leading
/// white space before `= + - @`, and some run a cell that starts with a tab or a
/// line break, so those are neutralised too (negative numbers included: a `'-1`
/// is still read as text "-1", which is safer than guessing what is a number).
pub fn csv_cell(s: &str) -> String {
    let clean = sanitize(s);
    let formula = clean.trim_start().starts_with(['=', '+', '-', '@']);
    if formula || s.starts_with(['\t', '\r', '\n']) { format!("'{clean}") } else { clean.into_owned() }
}

/// The number of terminal columns `s` takes once sanitized.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts already-sanitized `s` to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// Pads already-sanitized `s` with spaces to exactly `cols` columns (cutting it if longer).
pub fn pad(s: &str, cols: usize) -> String {
    let cut = truncate(s, cols);
    let w = width(&cut);
    let mut out = cut.into_owned();
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// A count for people: "1,512".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A character that is safe to print as it is: not a control character (C0,
/// DEL, C1) and not an invisible format character ([`sanitize`] drops the others).
pub fn is_plain(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Bidi controls, zero-width characters and other format characters that change
/// how neighbouring text looks without taking a column themselves: every
/// Default_Ignorable_Code_Point of Unicode, and the interlinear annotation marks.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00ad}'                  // soft hyphen
        | '\u{034f}'                // combining grapheme joiner
        | '\u{061c}'                // Arabic letter mark
        | '\u{115f}' | '\u{1160}'   // Hangul fillers: blank, and terminals disagree on their width
        | '\u{17b4}' | '\u{17b5}'   // Khmer inherent vowels (invisible)
        | '\u{180b}'..='\u{180f}'   // Mongolian variation selectors and vowel separator
        | '\u{200b}'..='\u{200f}'   // zero-width space/non-joiner/joiner, LRM, RLM
        | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{206f}'   // word joiner, invisible operators, bidi isolates
        | '\u{3164}' | '\u{ffa0}'   // Hangul fillers
        | '\u{fe00}'..='\u{fe0f}'   // variation selectors: terminals disagree on their width
        | '\u{feff}'                // byte order mark
        | '\u{fff0}'..='\u{fffb}'   // unassigned specials, interlinear annotation
        | '\u{1bca0}'..='\u{1bca3}' // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}' // musical symbol format controls
        | '\u{e0000}'..='\u{e0fff}' // tags, variation selectors supplement
    )
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC: a CSI, a terminated string, or one character.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-character sequences with an intermediate byte (e.g. ESC ( B).
        Some(' '..='/') => {
            chars.next();
        }
        _ => {}
    }
}

/// Skips CSI parameters and intermediates up to and including the final byte.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || c.is_control() {
            break;
        }
    }
}

/// Skips an OSC/DCS-like string up to BEL, ST (ESC \ or U+009C), or the end.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(sanitize("Zoë 王 🎉"), Cow::Borrowed("Zoë 王 🎉")));
    }

    #[test]
    fn window_title_sequence_is_removed_whole() {
        assert_eq!(sanitize("Ann\u{1b}]0;pwned\u{07}ie"), "Annie");
        assert_eq!(sanitize("Ann\u{1b}]2;pwned\u{1b}\\ie"), "Annie");
    }

    #[test]
    fn osc52_clipboard_write_is_removed() {
        assert_eq!(sanitize("x\u{1b}]52;c;ZXZpbA==\u{07}y"), "xy");
    }

    #[test]
    fn csi_clear_screen_and_colours_are_removed() {
        assert_eq!(sanitize("\u{1b}[2J\u{1b}[1;31mRed\u{1b}[0m"), "Red");
    }

    #[test]
    fn c1_csi_is_removed() {
        assert_eq!(sanitize("a\u{9b}31mb"), "ab");
    }

    #[test]
    fn newlines_and_tabs_become_single_spaces() {
        assert_eq!(sanitize("a\r\n\tb"), "a b");
    }

    #[test]
    fn bidi_override_and_zero_width_are_dropped() {
        assert_eq!(sanitize("abc\u{202e}fed\u{200b}\u{200d}"), "abcfed");
    }

    #[test]
    fn combining_marks_are_kept() {
        assert_eq!(sanitize("e\u{301}"), "e\u{301}");
    }

    #[test]
    fn csv_cell_neutralises_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM"), "'@SUM");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn csv_cell_sees_a_formula_behind_white_space() {
        assert_eq!(csv_cell("\t=1+1"), "' =1+1");
        assert_eq!(csv_cell(" =1+1"), "' =1+1");
        assert_eq!(csv_cell("\r=1+1"), "' =1+1");
        assert_eq!(csv_cell("\n@SUM(A1)"), "' @SUM(A1)");
        assert_eq!(csv_cell("  +1"), "'  +1");
    }

    #[test]
    fn csv_cell_neutralises_a_leading_tab_or_line_break() {
        assert_eq!(csv_cell("\tplain"), "' plain");
        assert_eq!(csv_cell("\nplain"), "' plain");
        assert_eq!(csv_cell(" plain"), " plain");
    }

    #[test]
    fn csv_cell_sees_a_formula_hidden_behind_an_escape() {
        assert_eq!(csv_cell("\u{1b}[0m=1+1"), "'=1+1");
    }

    #[test]
    fn truncate_counts_wide_characters_as_two_columns() {
        assert_eq!(truncate("王王王", 5), "王王…");
        assert_eq!(width(&truncate("王王王", 5)), 5);
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 0), "");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1512), "1,512");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn pad_fills_to_the_exact_width() {
        assert_eq!(pad("王", 4), "王  ");
        assert_eq!(width(&pad("王王王", 5)), 5);
    }
}
