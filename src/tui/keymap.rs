//! The one binding table: which key does what, on which screen, what the help
//! overlay says of it and whether the hints line shows it. The keymap (lookup),
//! the help overlay and the hints are all read from it, so they cannot disagree;
//! configuration (`[keys]`, `keyconfig.rs`) changes bindings in this same table.
//!
//! A key is looked up in `Mode::Everywhere` first, then in the modes the app is
//! in now (`layers`), in order. Where text is being entered (a filter being
//! typed, the door's input, a login field) a printable key types before the
//! table is asked: the table only binds keys that do not type there.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Screen};
use super::msg::{Action, BrowseAction, DoorAction, FilterAction, LoginAction, StatsAction};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// On every screen, in every mode.
    Everywhere,
    /// The lists (events, orders, details, attendees).
    Browse,
    /// The lists, while the focused list keeps a filter (typed, then Enter).
    FilterKept,
    /// A filter being typed: printable keys type.
    Filter,
    /// The status bar asks a question (log out?).
    Confirm,
    /// Door mode: printable keys type.
    Door,
    /// The login screen: printable keys type into the focused field.
    Login,
    /// The stats screen.
    Stats,
}

impl Mode {
    /// True when printable keys type here instead of being looked up.
    pub fn takes_text(self) -> bool {
        matches!(self, Mode::Filter | Mode::Door | Mode::Login)
    }

    /// The heading of this mode's keys in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Everywhere => "Everywhere",
            Mode::Browse => "In the lists",
            Mode::FilterKept => "With a filter kept",
            Mode::Filter => "Typing a filter (letters type)",
            Mode::Confirm => "When asked (log out?)",
            Mode::Door => "Door mode (letters and digits type)",
            Mode::Login => "Logging in (letters type into the field)",
            Mode::Stats => "The stats screen",
        }
    }

    /// The modes whose keys the help overlay of `screen` lists, in order.
    pub fn of_screen(screen: Screen) -> &'static [Mode] {
        match screen {
            Screen::Browse => {
                &[Mode::Browse, Mode::FilterKept, Mode::Filter, Mode::Confirm, Mode::Everywhere]
            }
            Screen::Door => &[Mode::Door, Mode::Everywhere],
            Screen::Login => &[Mode::Login, Mode::Everywhere],
            Screen::Stats => &[Mode::Stats, Mode::Everywhere],
        }
    }
}

/// A key as the table names it: the key and whether Ctrl is held. Shift is
/// part of the character (`G`), Alt is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl held.
    pub ctrl: bool,
}

impl Key {
    /// A key without Ctrl.
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    /// A character key without Ctrl.
    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// Ctrl and a character.
    pub const fn ctrl(c: char) -> Key {
        Key { code: KeyCode::Char(c), ctrl: true }
    }

    /// The key a terminal event means.
    pub fn of(event: KeyEvent) -> Key {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            // Terminals send Ctrl-Q as 'q' or 'Q' depending on Shift.
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        Key { code, ctrl }
    }

    /// The character this key types, when it types one.
    pub(crate) fn typed(self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.ctrl && !c.is_control() => Some(c),
            _ => None,
        }
    }

    /// How help and hints name the key: "↑", "PgUp", "Ctrl-Q", "F10", "g".
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("Ctrl-{name}") } else { name }
    }
}

/// A binding's place on the hints line: lower ranks first; the line keeps as
/// many as fit. Neighbours with the same text share it ("↑↓ move").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Order on the line.
    pub rank: u8,
    /// What the hint says.
    pub text: &'static str,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub mode: Mode,
    /// The keys that do it.
    pub keys: Vec<Key>,
    /// What they do.
    pub action: Action,
    /// What the help overlay says.
    pub help: &'static str,
    /// Whether, and where, the hints line shows it.
    pub hint: Option<Hint>,
}

/// The binding table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    /// The default keys (the README's key table).
    fn default() -> Keymap {
        Keymap { bindings: defaults() }
    }
}

/// One hint as the hints line shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintItem {
    /// The keys, as labels ("↑↓", "Enter").
    pub keys: String,
    /// What they do.
    pub text: &'static str,
    /// The action (the first one when neighbours share the hint).
    pub action: Action,
}

impl Keymap {
    /// Every binding, in table order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Replaces the keys of the `i`th binding (`[keys]` in config.toml).
    pub(crate) fn set_keys(&mut self, i: usize, keys: Vec<Key>) {
        if let Some(b) = self.bindings.get_mut(i) {
            b.keys = keys;
        }
    }

    /// The binding `key` resolves to in `layers` (after `Mode::Everywhere`).
    pub fn binding(&self, layers: &[Mode], key: Key) -> Option<&Binding> {
        std::iter::once(&Mode::Everywhere)
            .chain(layers)
            .find_map(|&mode| self.bindings.iter().find(|b| b.mode == mode && b.keys.contains(&key)))
    }

    /// The keys of `binding` that reach it in `layers` (an earlier layer may
    /// take some of them: Esc clears a kept filter before it goes back).
    pub fn reaching_keys(&self, layers: &[Mode], binding: &Binding) -> Vec<Key> {
        binding.keys.iter().copied().filter(|&k| self.binding(layers, k) == Some(binding)).collect()
    }

    /// The hints line for `layers`, in rank order.
    pub fn hints(&self, layers: &[Mode]) -> Vec<HintItem> {
        let mut shown: Vec<(Hint, String, &Binding)> = self
            .bindings
            .iter()
            .filter(|b| layers.contains(&b.mode))
            .filter_map(|b| {
                let hint = b.hint?;
                let first = *self.reaching_keys(layers, b).first()?;
                Some((hint, first.label(), b))
            })
            .collect();
        shown.sort_by_key(|(hint, ..)| hint.rank);
        let mut items: Vec<HintItem> = Vec::new();
        for (hint, label, binding) in shown {
            match items.last_mut() {
                Some(last) if last.text == hint.text => last.keys.push_str(&label),
                _ => items.push(HintItem { keys: label, text: hint.text, action: binding.action.clone() }),
            }
        }
        items
    }
}

/// The modes the app is in now, most specific first (after `Everywhere`).
pub fn layers(app: &App) -> &'static [Mode] {
    match app.screen {
        Screen::Login => &[Mode::Login],
        Screen::Door => &[Mode::Door],
        Screen::Stats => &[Mode::Stats],
        Screen::Browse if app.confirm_logout => &[Mode::Confirm],
        Screen::Browse if app.filter_editing() => &[Mode::Filter],
        Screen::Browse if !app.filter_query().is_empty() => &[Mode::FilterKept, Mode::Browse],
        Screen::Browse => &[Mode::Browse],
    }
}

/// The action a key means here and now, if any.
pub fn action_for(app: &App, event: KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let key = Key::of(event);
    let layers = layers(app);
    let global = app.keys.binding(&[], key);
    if global.is_none()
        && let Some(c) = key.typed()
        && layers.first().is_some_and(|m| m.takes_text())
    {
        return Some(Action::Type(c));
    }
    match app.keys.binding(layers, key) {
        Some(b) => Some(b.action.clone()),
        // One key answers a question: only y says yes, so a stray key never logs out.
        None if layers == [Mode::Confirm] => Some(Action::Confirm(false)),
        // Any key closes the help overlay, bound or not (`update` closes it on
        // any action but paging).
        None if app.help => Some(Action::Help),
        None => None,
    }
}

const fn hint(rank: u8, text: &'static str) -> Option<Hint> {
    Some(Hint { rank, text })
}

fn bind(mode: Mode, keys: &[Key], action: Action, help: &'static str, hint: Option<Hint>) -> Binding {
    Binding { mode, keys: keys.to_vec(), action, help, hint }
}

/// The default bindings, in the order help lists them.
// Long on purpose: one table, a binding a line, read top to bottom as help
// shows it; split up, the order would have to be pieced back together.
fn defaults() -> Vec<Binding> {
    use KeyCode as K;
    use Mode as M;
    let plain = Key::plain;
    let browse = Action::Browse;
    let filter = Action::Filter;
    let login = Action::Login;
    let door = Action::Door;
    let stats = Action::Stats;
    vec![
        bind(M::Everywhere, &[Key::ctrl('c')], Action::Quit, "quit", None),
        bind(M::Everywhere, &[Key::ctrl('l')], Action::Redraw, "redraw the whole screen", None),
        // The lists.
        bind(
            M::Browse,
            &[plain(K::Up), Key::char('k')],
            browse(BrowseAction::Up),
            "up a row",
            hint(1, "move"),
        ),
        bind(
            M::Browse,
            &[plain(K::Down), Key::char('j')],
            browse(BrowseAction::Down),
            "down a row",
            hint(1, "move"),
        ),
        bind(M::Browse, &[plain(K::PageUp)], browse(BrowseAction::PageUp), "up a page", None),
        bind(M::Browse, &[plain(K::PageDown)], browse(BrowseAction::PageDown), "down a page", None),
        bind(M::Browse, &[Key::ctrl('u')], browse(BrowseAction::HalfPageUp), "up half a page", None),
        bind(M::Browse, &[Key::ctrl('d')], browse(BrowseAction::HalfPageDown), "down half a page", None),
        bind(M::Browse, &[Key::char('g'), plain(K::Home)], browse(BrowseAction::Top), "first row", None),
        bind(M::Browse, &[Key::char('G'), plain(K::End)], browse(BrowseAction::Bottom), "last row", None),
        bind(
            M::Browse,
            &[plain(K::Enter), plain(K::Right), Key::char('l')],
            browse(BrowseAction::Open),
            "open / drill in",
            hint(2, "open"),
        ),
        bind(
            M::Browse,
            &[plain(K::Esc), plain(K::Left), Key::char('h'), plain(K::Backspace)],
            browse(BrowseAction::Back),
            "back",
            hint(3, "back"),
        ),
        bind(
            M::Browse,
            &[Key::char('/')],
            browse(BrowseAction::Filter),
            "filter (fuzzy; 'exact ^prefix !not; is:due ticket:…)",
            hint(4, "filter"),
        ),
        bind(
            M::Browse,
            &[Key::char('y')],
            browse(BrowseAction::CopyOne),
            "copy the selected email",
            hint(8, "copy email"),
        ),
        bind(
            M::Browse,
            &[Key::char('Y')],
            browse(BrowseAction::CopyAll),
            "copy each email shown once, cancelled orders left out",
            hint(9, "copy all"),
        ),
        bind(
            M::Browse,
            &[Key::char('a')],
            browse(BrowseAction::Attendees),
            "orders ↔ every attendee of the event",
            hint(10, "attendees"),
        ),
        bind(
            M::Browse,
            &[Key::char('d')],
            browse(BrowseAction::Door),
            "door mode: verify tickets",
            hint(11, "door"),
        ),
        bind(
            M::Browse,
            &[Key::char('s')],
            browse(BrowseAction::Stats),
            "stats of the event: counts, arrivals over time, money",
            hint(12, "stats"),
        ),
        bind(
            M::Browse,
            &[Key::char('e')],
            browse(BrowseAction::Export),
            "export the list as filtered to CSV",
            None,
        ),
        bind(
            M::Browse,
            &[Key::char('r')],
            browse(BrowseAction::Refresh),
            "reload the focused pane",
            hint(7, "reload"),
        ),
        bind(M::Browse, &[Key::char('R')], browse(BrowseAction::RefreshAll), "reload everything", None),
        bind(
            M::Browse,
            &[Key::char('o')],
            browse(BrowseAction::Sort),
            "sort by: name, id, amount, due, check-in time, as listed",
            hint(13, "sort"),
        ),
        bind(M::Browse, &[Key::char('O')], browse(BrowseAction::SortReverse), "reverse the sort", None),
        bind(
            M::Browse,
            &[Key::char('L')],
            browse(BrowseAction::Logout),
            "log out and forget cached lists (asks)",
            None,
        ),
        bind(M::Browse, &[Key::char('?')], Action::Help, "this help (any key closes it)", hint(5, "help")),
        bind(M::Browse, &[Key::char('q')], Action::Quit, "quit", hint(6, "quit")),
        // A filter kept (typed, then Enter).
        bind(
            M::FilterKept,
            &[plain(K::Esc)],
            filter(FilterAction::Clear),
            "clear the filter",
            hint(0, "clear filter"),
        ),
        // A filter being typed.
        bind(
            M::Filter,
            &[plain(K::Enter)],
            filter(FilterAction::Keep),
            "keep the filter",
            hint(1, "keep filter"),
        ),
        bind(M::Filter, &[plain(K::Esc)], filter(FilterAction::Clear), "clear the filter", hint(2, "clear")),
        bind(M::Filter, &[plain(K::Backspace)], filter(FilterAction::Backspace), "delete a character", None),
        bind(M::Filter, &[plain(K::Up)], browse(BrowseAction::Up), "up a row", hint(3, "move")),
        bind(M::Filter, &[plain(K::Down)], browse(BrowseAction::Down), "down a row", hint(3, "move")),
        bind(M::Filter, &[plain(K::PageUp)], browse(BrowseAction::PageUp), "up a page", None),
        bind(M::Filter, &[plain(K::PageDown)], browse(BrowseAction::PageDown), "down a page", None),
        // The logout question.
        bind(
            M::Confirm,
            &[Key::char('y'), Key::char('Y')],
            Action::Confirm(true),
            "yes (any other key: no)",
            None,
        ),
        // Door mode.
        bind(
            M::Door,
            &[plain(K::Enter)],
            door(DoorAction::Submit),
            "look up: digits are an exact order or ticket id",
            hint(1, "look up"),
        ),
        bind(M::Door, &[plain(K::Up)], door(DoorAction::Up), "the match above", hint(2, "choose")),
        bind(M::Door, &[plain(K::Down)], door(DoorAction::Down), "the match below", hint(2, "choose")),
        bind(M::Door, &[plain(K::Backspace)], door(DoorAction::Backspace), "delete a character", None),
        bind(
            M::Door,
            &[plain(K::Esc)],
            door(DoorAction::Clear),
            "clear the input (never leaves the door)",
            hint(3, "clear"),
        ),
        bind(
            M::Door,
            &[Key::ctrl('z')],
            door(DoorAction::Undo),
            "undo this gate's last admission",
            hint(5, "undo"),
        ),
        bind(
            M::Door,
            &[Key::ctrl('p')],
            door(DoorAction::Privacy),
            "privacy: hide emails and amounts",
            hint(6, "privacy"),
        ),
        bind(
            M::Door,
            &[Key::ctrl('r'), plain(K::F(5))],
            door(DoorAction::Refresh),
            "refresh the guest list",
            hint(7, "refresh"),
        ),
        bind(
            M::Door,
            &[plain(K::F(10)), Key::ctrl('q')],
            door(DoorAction::Leave),
            "leave the door, back to the lists",
            hint(4, "leave"),
        ),
        bind(M::Door, &[plain(K::F(1))], Action::Help, "this help (any key closes it)", hint(8, "help")),
        // The stats screen.
        bind(
            M::Stats,
            &[plain(K::Esc), Key::char('q'), Key::char('s'), plain(K::Left), plain(K::Backspace)],
            stats(StatsAction::Back),
            "back to the lists",
            hint(1, "back"),
        ),
        bind(
            M::Stats,
            &[Key::char('r')],
            stats(StatsAction::Refresh),
            "fetch the guest list and read the ledger again",
            hint(2, "refresh"),
        ),
        bind(M::Stats, &[Key::char('?')], Action::Help, "this help (any key closes it)", hint(3, "help")),
        // The login screen.
        bind(
            M::Login,
            &[plain(K::Tab), plain(K::Down)],
            login(LoginAction::NextField),
            "next field",
            hint(1, "next field"),
        ),
        bind(
            M::Login,
            &[plain(K::BackTab), plain(K::Up)],
            login(LoginAction::PrevField),
            "previous field",
            None,
        ),
        bind(
            M::Login,
            &[plain(K::Enter)],
            login(LoginAction::Submit),
            "start the login / use what was pasted",
            hint(2, "submit"),
        ),
        bind(M::Login, &[plain(K::Backspace)], login(LoginAction::Backspace), "delete a character", None),
        bind(
            M::Login,
            &[Key::ctrl('y')],
            login(LoginAction::CopyUrl),
            "copy the login address",
            hint(3, "copy address"),
        ),
        bind(
            M::Login,
            &[plain(K::Esc)],
            login(LoginAction::Escape),
            "back to the lists, or quit when logged out",
            hint(4, "back / quit"),
        ),
        bind(M::Login, &[plain(K::F(1))], Action::Help, "this help (any key closes it)", hint(5, "help")),
    ]
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
        assert_eq!(action_for(&app, key(KeyCode::Char('j'))), Some(Action::Browse(BrowseAction::Down)));
        app.events.list.editing = true;
        assert_eq!(action_for(&app, key(KeyCode::Char('j'))), Some(Action::Type('j')));
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::Type('q')));
    }

    #[test]
    fn the_login_screen_types_letters_that_mean_keys_elsewhere() {
        let mut app = App::new("h".into(), false);
        app.screen = Screen::Login;
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::Type('q')));
        assert_eq!(action_for(&app, key(KeyCode::Char('L'))), Some(Action::Type('L')));
        let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&app, ctrl_y), Some(Action::Login(LoginAction::CopyUrl)));
    }

    #[test]
    fn ctrl_c_quits_even_while_filtering() {
        let mut app = App::new("h".into(), false);
        app.events.list.editing = true;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&app, ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn esc_clears_a_kept_filter_before_going_back() {
        let mut app = App::new("h".into(), false);
        assert_eq!(action_for(&app, key(KeyCode::Esc)), Some(Action::Browse(BrowseAction::Back)));
        app.events.list.edit_query(|q| q.push('x'));
        assert_eq!(action_for(&app, key(KeyCode::Esc)), Some(Action::Filter(FilterAction::Clear)));
        assert_eq!(action_for(&app, key(KeyCode::Left)), Some(Action::Browse(BrowseAction::Back)));
    }

    #[test]
    fn only_y_says_yes_to_the_logout_question() {
        let mut app = App::new("h".into(), false);
        app.confirm_logout = true;
        assert_eq!(action_for(&app, key(KeyCode::Char('y'))), Some(Action::Confirm(true)));
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::Confirm(false)));
        assert_eq!(action_for(&app, key(KeyCode::Enter)), Some(Action::Confirm(false)));
    }

    #[test]
    fn in_the_door_esc_clears_and_only_f10_or_ctrl_q_leave() {
        let mut app = App::new("h".into(), false);
        app.screen = Screen::Door;
        assert_eq!(action_for(&app, key(KeyCode::Esc)), Some(Action::Door(DoorAction::Clear)));
        assert_eq!(action_for(&app, key(KeyCode::F(10))), Some(Action::Door(DoorAction::Leave)));
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&app, ctrl_q), Some(Action::Door(DoorAction::Leave)));
        assert_eq!(action_for(&app, key(KeyCode::Char('q'))), Some(Action::Type('q')));
    }

    #[test]
    fn the_hints_share_a_text_and_skip_keys_an_earlier_layer_took() {
        let keys = Keymap::default();
        let hints = keys.hints(&[Mode::FilterKept, Mode::Browse]);
        assert_eq!(hints[0].keys, "Esc");
        assert_eq!(hints[0].text, "clear filter");
        assert_eq!((hints[1].keys.as_str(), hints[1].text), ("↑↓", "move"));
        let back = hints.iter().find(|h| h.text == "back").map(|h| h.keys.as_str());
        assert_eq!(back, Some("←"));
    }

    #[test]
    fn no_text_entry_mode_binds_a_key_that_types() {
        for b in Keymap::default().bindings() {
            if b.mode.takes_text() {
                assert!(b.keys.iter().all(|k| k.typed().is_none()), "{b:?} would never be reached");
            }
        }
    }
}
