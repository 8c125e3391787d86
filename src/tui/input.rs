//! Terminal input as crossterm parsed it, mended where its parser is known to
//! split a key.
//!
//! crossterm 0.29 reads `ESC ESC` as one Esc and starts again at the next byte,
//! so Esc pressed just before F10 (`\x1b` then `\x1b[21~`, arriving in one read)
//! comes out as Esc, then the characters `[`, `2`, `1`, `~`: at the door that
//! types "[21~" instead of leaving. (crossterm-rs/crossterm#1124, open, would
//! read it as Alt+F10 instead.) [`mend`] turns Esc followed, in the same read,
//! by `[`… or `O`… that spell a known key back into Esc and that key.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Events that arrived together (one read of the terminal), with every
/// Esc-then-broken-sequence mended into Esc and the key it spelled.
pub(crate) fn mend<E>(events: Vec<Result<Event, E>>) -> Vec<Result<Event, E>> {
    let mut out: Vec<Result<Event, E>> = Vec::with_capacity(events.len());
    let mut rest = events.into_iter().peekable();
    while let Some(event) = rest.next() {
        let after_esc = matches!(&event, Ok(Event::Key(k)) if is_bare(k, KeyCode::Esc));
        out.push(event);
        if !after_esc {
            continue;
        }
        // The characters that follow at once, as far as a sequence could go.
        let (mut chars, mut taken) = (Vec::new(), Vec::new());
        while chars.len() < LONGEST
            && let Some(Ok(Event::Key(k))) = rest.peek()
            && let (KeyCode::Char(c), KeyEventKind::Press) = (k.code, k.kind)
            && k.modifiers.difference(KeyModifiers::SHIFT).is_empty()
            && (!chars.is_empty() || matches!(c, '[' | 'O'))
        {
            chars.push(c);
            taken.extend(rest.next());
            if chars.len() > 1 && !matches!(c, '0'..='9' | ';') {
                break;
            }
        }
        match key_of(&chars) {
            Some(key) => out.push(Ok(Event::Key(key))),
            None => out.extend(taken),
        }
    }
    out
}

/// `[` + parameters + final byte, at most ("[24;8~").
const LONGEST: usize = 8;

fn is_bare(k: &KeyEvent, code: KeyCode) -> bool {
    k.code == code && k.modifiers.is_empty() && k.kind == KeyEventKind::Press
}

/// The key that `chars` (what followed an ESC) spell: `[21~` is F10, `[1;5A`
/// Ctrl+Up, `OP` F1. `None` for anything else.
fn key_of(chars: &[char]) -> Option<KeyEvent> {
    let (&intro, rest) = chars.split_first()?;
    let (&last, params) = rest.split_last()?;
    let params: String = params.iter().collect();
    if intro == 'O' {
        return params
            .is_empty()
            .then(|| letter(last).or_else(|| f1_to_f4(last)))
            .flatten()
            .map(KeyEvent::from);
    }
    if intro != '[' {
        return None;
    }
    let mut numbers = params.split(';');
    let first = numbers.next().unwrap_or_default();
    let modifiers = match numbers.next() {
        Some(m) => modifiers(m.parse().ok()?)?,
        None => KeyModifiers::NONE,
    };
    if numbers.next().is_some() {
        return None;
    }
    let code = match last {
        '~' => tilde(first.parse().ok()?)?,
        _ if first.is_empty() || first == "1" => letter(last)?,
        _ => return None,
    };
    Some(KeyEvent::new(code, modifiers))
}

fn letter(c: char) -> Option<KeyCode> {
    Some(match c {
        'A' => KeyCode::Up,
        'B' => KeyCode::Down,
        'C' => KeyCode::Right,
        'D' => KeyCode::Left,
        'H' => KeyCode::Home,
        'F' => KeyCode::End,
        _ => return None,
    })
}

fn f1_to_f4(c: char) -> Option<KeyCode> {
    matches!(c, 'P'..='S').then(|| KeyCode::F(c as u8 - b'P' + 1))
}

/// `CSI n ~` keys (xterm, VT220).
fn tilde(n: u8) -> Option<KeyCode> {
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F(n - 10),
        17..=21 => KeyCode::F(n - 11),
        23 | 24 => KeyCode::F(n - 12),
        _ => return None,
    })
}

/// xterm's modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4).
fn modifiers(m: u8) -> Option<KeyModifiers> {
    let bits = m.checked_sub(1).filter(|b| *b < 8)?;
    let mut out = KeyModifiers::NONE;
    for (bit, modifier) in [(1, KeyModifiers::SHIFT), (2, KeyModifiers::ALT), (4, KeyModifiers::CONTROL)] {
        if bits & bit != 0 {
            out |= modifier;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A character as crossterm reports it typed (capitals with Shift).
    fn typed(c: char) -> KeyEvent {
        let modifiers = if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
        KeyEvent::new(KeyCode::Char(c), modifiers)
    }

    fn keys(text: &str) -> Vec<Result<Event, ()>> {
        text.chars()
            .map(|c| Ok(Event::Key(if c == '\u{1b}' { KeyEvent::from(KeyCode::Esc) } else { typed(c) })))
            .collect()
    }

    fn codes(events: Vec<Result<Event, ()>>) -> Vec<(KeyCode, KeyModifiers)> {
        events
            .into_iter()
            .map(|e| match e {
                Ok(Event::Key(k)) => (k.code, k.modifiers),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn esc_then_f10_in_one_read_is_esc_then_f10() {
        // crossterm gives Esc, '[', '2', '1', '~' for "\x1b\x1b[21~".
        let mended = codes(mend(keys("\u{1b}[21~")));
        assert_eq!(mended, vec![(KeyCode::Esc, KeyModifiers::NONE), (KeyCode::F(10), KeyModifiers::NONE)]);
    }

    #[test]
    fn arrows_with_modifiers_and_ss3_keys_are_mended_too() {
        let mended = codes(mend(keys("\u{1b}[1;5A\u{1b}OP\u{1b}[B")));
        assert_eq!(
            mended,
            vec![
                (KeyCode::Esc, KeyModifiers::NONE),
                (KeyCode::Up, KeyModifiers::CONTROL),
                (KeyCode::Esc, KeyModifiers::NONE),
                (KeyCode::F(1), KeyModifiers::NONE),
                (KeyCode::Esc, KeyModifiers::NONE),
                (KeyCode::Down, KeyModifiers::NONE),
            ]
        );
    }

    #[test]
    fn text_typed_after_esc_stays_text() {
        for text in ["\u{1b}[abc", "\u{1b}[99~", "\u{1b}elq", "\u{1b}[", "[21~", "\u{1b}Oz"] {
            assert_eq!(codes(mend(keys(text))), codes(keys(text)), "{text:?}");
        }
    }
}
