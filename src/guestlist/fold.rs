//! Folding text for search: lowercase, accents removed, so that "zoe" finds "Zoë"
//! and "MULLER" finds "Müller". The guest list folds every guest once when it is
//! added and folds each query the same way, so a search is a plain byte search.

use icu_normalizer::DecomposingNormalizerBorrowed;

/// Canonical decomposition: "ë" becomes "e" followed by a combining diaeresis,
/// which [`fold_into`] then drops.
const NFD: DecomposingNormalizerBorrowed<'static> = DecomposingNormalizerBorrowed::new_nfd();

/// `s` folded: see [`fold_into`].
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Appends `s` lowercased and without accents to `out`. Control characters
/// become spaces and invisible format characters are dropped, so the folded
/// text never holds the separators the search index puts between fields.
pub fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(
            s.bytes().map(|b| if b.is_ascii_control() { ' ' } else { char::from(b.to_ascii_lowercase()) }),
        );
        return;
    }
    for c in NFD.normalize_iter(s.chars()) {
        if is_accent(c) || is_invisible(c) {
            continue;
        }
        if c.is_control() {
            out.push(' ');
            continue;
        }
        for lower in c.to_lowercase() {
            match lower {
                // Letters with no decomposition that people type without the stroke.
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'þ' => out.push_str("th"),
                'ø' => out.push('o'),
                'ł' => out.push('l'),
                'đ' | 'ð' => out.push('d'),
                'ħ' => out.push('h'),
                'ı' => out.push('i'),
                // Greek final sigma: "σ" typed in a query must find a name ending in "ς".
                'ς' => out.push('σ'),
                other => out.push(other),
            }
        }
    }
}

/// Combining diacritical marks (the accents NFD splits off).
fn is_accent(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{fe20}'..='\u{fe2f}'
    )
}

/// Zero-width and bidi characters: they change nothing a person would type.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_lowercased() {
        assert_eq!(fold("Ann LEE <Ann@Example.com>"), "ann lee <ann@example.com>");
    }

    #[test]
    fn accents_are_removed() {
        assert_eq!(fold("Zoë Müller-Lefèvre"), "zoe muller-lefevre");
        assert_eq!(fold("ŞEBNEM ÖZTÜRK"), "sebnem ozturk");
        assert_eq!(fold("Nguyễn Trần"), "nguyen tran");
        assert_eq!(fold("Άννα"), "αννα");
    }

    #[test]
    fn letters_without_a_decomposition_are_spelled_out() {
        assert_eq!(fold("Straße Øster Łukasz Ærø"), "strasse oster lukasz aero");
    }

    #[test]
    fn other_scripts_are_kept() {
        assert_eq!(fold("王 Мария"), "王 мария");
        // Hangul decomposes into jamo, the query too, so a name still finds itself.
        assert!(fold("김하은").contains(&fold("하은")));
    }

    #[test]
    fn control_characters_become_spaces_and_invisibles_go() {
        assert_eq!(fold("a\nb\u{1f}c"), "a b c");
        assert_eq!(fold("ab\u{200b}c\u{202e}d é"), "abcd e");
    }

    #[test]
    fn already_decomposed_text_folds_the_same() {
        assert_eq!(fold("Zoe\u{0308}"), fold("Zoë"));
    }
}
