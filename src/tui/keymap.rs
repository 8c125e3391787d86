//! Keys to actions (the README's key table), per mode: a filter being typed takes printable keys.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Screen};
use super::msg::Action;

/// The action a key means here and now, if any.
pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if ctrl && key.code == KeyCode::Char('l') {
        return Some(Action::Redraw);
    }
    if app.screen == Screen::Login {
        return login_key(key, ctrl);
    }
    if app.screen == Screen::Door {
        return door_key(key, ctrl);
    }
    if app.confirm_logout {
        // One key answers: only y says yes, so a stray key never logs out.
        return Some(match key.code {
            KeyCode::Char('y' | 'Y') => Action::ConfirmYes,
            _ => Action::ConfirmNo,
        });
    }
    if app.filter_editing() {
        return filter_key(key, ctrl);
    }
    if ctrl {
        return match key.code {
            KeyCode::Char('u') => Some(Action::HalfPageUp),
            KeyCode::Char('d') => Some(Action::HalfPageDown),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::End | KeyCode::Char('G') => Action::Bottom,
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => Action::Open,
        KeyCode::Esc if !app.filter_query().is_empty() => Action::FilterClear,
        KeyCode::Esc | KeyCode::Left | KeyCode::Char('h') | KeyCode::Backspace => Action::Back,
        KeyCode::Char('/') => Action::FilterStart,
        KeyCode::Char('y') => Action::CopyOne,
        KeyCode::Char('Y') => Action::CopyAll,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Char('R') => Action::RefreshAll,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('L') => Action::Logout,
        KeyCode::Char('a') => Action::ToggleAttendees,
        KeyCode::Char('d') => Action::Door,
        KeyCode::Char('e') => Action::Export,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

/// Door mode: the input always has the keyboard; control keys do the rest.
fn door_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('p') if ctrl => Action::DoorPrivacy,
        KeyCode::Char('r') if ctrl => Action::Refresh,
        KeyCode::F(5) => Action::Refresh,
        KeyCode::F(1) => Action::Help,
        KeyCode::Enter => Action::DoorSubmit,
        KeyCode::Esc => Action::DoorEscape,
        KeyCode::Backspace => Action::DoorBackspace,
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::Char(c) if !ctrl && !c.is_control() => Action::DoorChar(c),
        _ => return None,
    })
}

/// The login screen: every printable key types into the focused field.
fn login_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('y') if ctrl => Action::LoginCopyUrl,
        KeyCode::Esc => Action::LoginEscape,
        KeyCode::Enter => Action::LoginSubmit,
        KeyCode::Tab | KeyCode::Down => Action::LoginNextField,
        KeyCode::BackTab | KeyCode::Up => Action::LoginPrevField,
        KeyCode::Backspace => Action::LoginBackspace,
        KeyCode::Char(c) if !ctrl && !c.is_control() => Action::LoginChar(c),
        _ => return None,
    })
}

/// While a filter is typed: printable keys go to it, arrows still move.
fn filter_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    Some(match key.code {
        KeyCode::Esc => Action::FilterClear,
        KeyCode::Enter => Action::FilterAccept,
        KeyCode::Backspace => Action::FilterBackspace,
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Char(c) if !ctrl && !c.is_control() => Action::FilterChar(c),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn letters_move_outside_a_filter_and_type_inside_it() {
        let mut app = App::new("h".into(), false);
        assert_eq!(action_for(&app, key(KeyCode::Char('j'))), Some(Action::Down));
        app.events.filter.editing = true;
        assert_eq!(action_for(&app, key(KeyCode::Char('j'))), Some(Action::FilterChar('j')));
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::FilterChar('q')));
    }

    #[test]
    fn the_login_screen_types_letters_that_mean_keys_elsewhere() {
        let mut app = App::new("h".into(), false);
        app.screen = Screen::Login;
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::LoginChar('q')));
        assert_eq!(action_for(&app, key(KeyCode::Char('L'))), Some(Action::LoginChar('L')));
        let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&app, ctrl_y), Some(Action::LoginCopyUrl));
    }

    #[test]
    fn ctrl_c_quits_even_while_filtering() {
        let mut app = App::new("h".into(), false);
        app.events.filter.editing = true;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&app, ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn esc_clears_a_kept_filter_before_going_back() {
        let mut app = App::new("h".into(), false);
        assert_eq!(action_for(&app, key(KeyCode::Esc)), Some(Action::Back));
        app.events.filter.query = "x".into();
        assert_eq!(action_for(&app, key(KeyCode::Esc)), Some(Action::FilterClear));
    }
}
