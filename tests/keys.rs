//! The one binding table drives the keymap, the help overlay and the hints:
//! every binding is what the keymap returns for its key on its screen, and the
//! help overlay of each screen lists exactly the table's entries for it.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use floktu_tui::tui::app::{App, Screen};
use floktu_tui::tui::keymap::{Binding, Key, Keymap, Mode, action_for, layers};
use floktu_tui::tui::msg::{Action, BrowseAction, FilterAction};
use floktu_tui::tui::view::{self, help};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::*;

/// The key event a terminal sends for `key`.
fn event(key: Key) -> KeyEvent {
    let mut mods = if key.ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE };
    if matches!(key.code, KeyCode::Char(c) if c.is_uppercase()) || key.code == KeyCode::BackTab {
        mods |= KeyModifiers::SHIFT;
    }
    KeyEvent::new(key.code, mods)
}

/// An app in `mode`, reached the way a user reaches it.
fn app_in(mode: Mode) -> App {
    let mut app = App::new("floktu.com".into(), false);
    match mode {
        Mode::Everywhere | Mode::Browse => {}
        Mode::Filter => {
            act(&mut app, Action::Browse(BrowseAction::Filter));
        }
        Mode::FilterKept => {
            act(&mut app, Action::Browse(BrowseAction::Filter));
            act(&mut app, Action::Type('x'));
            act(&mut app, Action::Filter(FilterAction::Keep));
        }
        Mode::Confirm => {
            act(&mut app, Action::Browse(BrowseAction::Logout));
        }
        Mode::Door => app.screen = Screen::Door,
        Mode::Login => app.screen = Screen::Login,
        Mode::Stats => app.screen = Screen::Stats,
    }
    app
}

const MODES: [Mode; 8] = [
    Mode::Everywhere,
    Mode::Browse,
    Mode::FilterKept,
    Mode::Filter,
    Mode::Confirm,
    Mode::Door,
    Mode::Login,
    Mode::Stats,
];

#[test]
fn every_binding_is_what_the_keymap_returns_on_its_screen() {
    let keys = Keymap::default();
    for binding in keys.bindings() {
        let states: Vec<Mode> =
            if binding.mode == Mode::Everywhere { MODES.to_vec() } else { vec![binding.mode] };
        for mode in states {
            let app = app_in(mode);
            if mode != Mode::Everywhere {
                assert_eq!(layers(&app)[0], mode, "the fixture for {mode:?}");
            }
            for &key in &binding.keys {
                assert_eq!(
                    action_for(&app, event(key)),
                    Some(binding.action.clone()),
                    "{} in {mode:?}",
                    key.label()
                );
            }
        }
    }
}

#[test]
fn no_key_is_bound_twice_in_one_mode() {
    let keys = Keymap::default();
    for mode in MODES {
        let mut seen: Vec<Key> = Vec::new();
        for b in keys.bindings().iter().filter(|b| b.mode == mode) {
            for k in &b.keys {
                assert!(!seen.contains(k), "{} twice in {mode:?}", k.label());
                seen.push(*k);
            }
        }
    }
}

#[test]
fn ctrl_l_redraws_on_every_screen() {
    let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    for mode in MODES {
        assert_eq!(action_for(&app_in(mode), ctrl_l), Some(Action::Redraw), "{mode:?}");
    }
}

/// The help overlay of `app`'s screen, drawn big enough for one column, as text lines.
fn drawn_help(app: &mut App) -> Vec<String> {
    app.help = true;
    let mut terminal = Terminal::new(TestBackend::new(200, 80)).unwrap();
    terminal.draw(|f| view::render(app, f)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>())
        .collect()
}

fn label(b: &Binding) -> String {
    b.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" ")
}

#[test]
fn the_help_overlay_lists_exactly_the_bindings_of_its_screen() {
    let keys = Keymap::default();
    for (screen, mode) in [
        (Screen::Browse, Mode::Browse),
        (Screen::Door, Mode::Door),
        (Screen::Login, Mode::Login),
        (Screen::Stats, Mode::Stats),
    ] {
        let of_screen: Vec<&Binding> =
            keys.bindings().iter().filter(|b| Mode::of_screen(screen).contains(&b.mode)).collect();
        let listed: Vec<(String, &str)> = help::rows(&keys, screen)
            .into_iter()
            .filter_map(|r| match r {
                help::HelpRow::Keys(k, what) => Some((k, what)),
                _ => None,
            })
            .collect();
        let mut expected: Vec<(String, &str)> = Vec::new();
        for m in Mode::of_screen(screen) {
            expected.extend(of_screen.iter().filter(|b| b.mode == *m).map(|b| (label(b), b.help)));
        }
        assert_eq!(listed, expected, "{screen:?}");

        let lines = drawn_help(&mut app_in(mode));
        for (keys, what) in &expected {
            assert!(
                lines.iter().any(|l| l.contains(keys.as_str()) && l.contains(what)),
                "{screen:?} help lacks {keys} {what}:\n{}",
                lines.join("\n")
            );
        }
    }
}

#[test]
fn the_hints_name_keys_that_do_what_they_say() {
    let keys = Keymap::default();
    for mode in MODES {
        let app = app_in(mode);
        for hint in keys.hints(layers(&app)) {
            let first = keys
                .bindings()
                .iter()
                .filter(|b| b.action == hint.action)
                .flat_map(|b| b.keys.iter().copied())
                .find(|k| hint.keys.starts_with(&k.label()));
            let key = first.unwrap_or_else(|| panic!("no key for hint {hint:?}"));
            assert_eq!(action_for(&app, event(key)), Some(hint.action.clone()), "{hint:?} in {mode:?}");
        }
    }
}

/// Every page of the help overlay of `app`'s screen at `w`×`h`, turned with ↓
/// as a user turns them, as text lines; then the key that closes it.
fn help_pages(app: &mut App, w: u16, h: u16) -> Vec<Vec<String>> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    act(app, Action::Help);
    let mut pages = Vec::new();
    for _ in 0..10 {
        terminal.draw(|f| view::render(app, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        let page: Vec<String> =
            (0..h).map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>()).collect();
        let more = page.iter().any(|l| l.contains("↓ next page"));
        pages.push(page);
        if !more {
            break;
        }
        let down = if app.screen == Screen::Browse {
            Action::Browse(BrowseAction::Down)
        } else {
            Action::Door(floktu_tui::tui::msg::DoorAction::Down)
        };
        act(app, down);
        assert!(app.help, "↓ turns the page, it does not close the help");
    }
    pages
}

#[test]
fn at_80x24_the_help_pages_and_every_binding_is_shown_whole() {
    let keys = Keymap::default();
    for (screen, mode) in [(Screen::Browse, Mode::Browse), (Screen::Door, Mode::Door)] {
        let mut app = app_in(mode);
        let pages = help_pages(&mut app, 80, 24);
        if screen == Screen::Browse {
            assert!(pages.len() > 1, "the lists' help fits 80x24 in one page: the test pages nothing");
        }
        let lines: Vec<&String> = pages.iter().flatten().collect();
        for b in keys.bindings().iter().filter(|b| Mode::of_screen(screen).contains(&b.mode)) {
            assert!(
                lines.iter().any(|l| l.contains(&label(b)) && l.contains(b.help)),
                "{screen:?} help at 80x24 lacks {} {} whole",
                label(b),
                b.help
            );
        }
        let unbound = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        let action = action_for(&app, unbound).expect("a key while the help shows means something");
        act(&mut app, action);
        assert!(!app.help, "{screen:?}: any other key closes the help");
    }
}
