//! `[keys]` in config.toml: every binding of the table (`keymap.rs`) has a
//! stable name, a key has a spelling, and a config's remappings are applied
//! to the table or refused whole, each problem with its line.
//!
//! A binding's name is its mode's prefix and its action's name: `quit` (the
//! lists), `always_quit` (Ctrl-C, on every screen), `filter_keep`, `door_leave`,
//! `login_copy_url`. Both come from exhaustive matches, so a new action does
//! not compile until it has a name.

use crossterm::event::KeyCode;

use super::keymap::{Binding, Key, Keymap, Mode};
use super::msg::{Action, BrowseAction, DoorAction, FilterAction, LoginAction, StatsAction};
use crate::config::{ConfigProblem, KeyEntry};

/// What a binding's name starts with in its mode.
pub fn mode_prefix(mode: Mode) -> &'static str {
    match mode {
        Mode::Browse => "",
        Mode::Everywhere => "always_",
        Mode::FilterKept => "filter_kept_",
        Mode::Filter => "filter_",
        Mode::Confirm => "confirm_",
        Mode::Door => "door_",
        Mode::Login => "login_",
        Mode::Stats => "stats_",
    }
}

/// An action's name in `[keys]`; `None` for what no key is bound to (typing, pasting).
pub fn action_name(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::Quit => "quit",
        Action::Redraw => "redraw",
        Action::Help => "help",
        Action::Confirm(_) => "yes",
        Action::Type(_) | Action::Paste(_) => return None,
        Action::Browse(a) => browse_name(*a),
        Action::Filter(a) => match a {
            FilterAction::Backspace => "backspace",
            FilterAction::Keep => "keep",
            FilterAction::Clear => "clear",
        },
        Action::Login(a) => match a {
            LoginAction::Backspace => "backspace",
            LoginAction::NextField => "next_field",
            LoginAction::PrevField => "prev_field",
            LoginAction::Submit => "submit",
            LoginAction::CopyUrl => "copy_url",
            LoginAction::Escape => "escape",
        },
        Action::Door(a) => match a {
            DoorAction::Submit => "submit",
            DoorAction::Backspace => "backspace",
            DoorAction::Clear => "clear",
            DoorAction::Up => "up",
            DoorAction::Down => "down",
            DoorAction::Privacy => "privacy",
            DoorAction::Refresh => "refresh",
            DoorAction::Leave => "leave",
            DoorAction::Undo => "undo",
        },
        Action::Stats(a) => match a {
            StatsAction::Back => "back",
            StatsAction::Refresh => "refresh",
        },
    })
}

fn browse_name(a: BrowseAction) -> &'static str {
    match a {
        BrowseAction::Up => "up",
        BrowseAction::Down => "down",
        BrowseAction::PageUp => "page_up",
        BrowseAction::PageDown => "page_down",
        BrowseAction::HalfPageUp => "half_page_up",
        BrowseAction::HalfPageDown => "half_page_down",
        BrowseAction::Top => "top",
        BrowseAction::Bottom => "bottom",
        BrowseAction::Open => "open",
        BrowseAction::Back => "back",
        BrowseAction::Filter => "filter",
        BrowseAction::CopyOne => "copy_email",
        BrowseAction::CopyAll => "copy_all_emails",
        BrowseAction::Refresh => "refresh",
        BrowseAction::RefreshAll => "refresh_all",
        BrowseAction::Logout => "logout",
        BrowseAction::Attendees => "attendees",
        BrowseAction::Door => "door",
        BrowseAction::Export => "export",
        BrowseAction::Sort => "sort",
        BrowseAction::SortReverse => "sort_reverse",
        BrowseAction::Stats => "stats",
    }
}

impl Binding {
    /// Its name in `[keys]`: `quit`, `always_quit`, `door_leave`.
    pub fn config_name(&self) -> String {
        format!("{}{}", mode_prefix(self.mode), action_name(&self.action).unwrap_or("type"))
    }
}

/// Named keys: the config spelling first (what `--print-defaults` writes),
/// then the other spellings accepted.
const NAMED: [(KeyCode, &[&str]); 15] = [
    (KeyCode::Up, &["up", "↑"]),
    (KeyCode::Down, &["down", "↓"]),
    (KeyCode::Left, &["left", "←"]),
    (KeyCode::Right, &["right", "→"]),
    (KeyCode::PageUp, &["pgup", "pageup", "page_up"]),
    (KeyCode::PageDown, &["pgdn", "pagedown", "page_down", "pgdown"]),
    (KeyCode::Home, &["home"]),
    (KeyCode::End, &["end"]),
    (KeyCode::Enter, &["enter", "return"]),
    (KeyCode::Esc, &["esc", "escape"]),
    (KeyCode::Backspace, &["backspace"]),
    (KeyCode::Tab, &["tab"]),
    (KeyCode::BackTab, &["shift-tab", "backtab"]),
    (KeyCode::Delete, &["delete", "del"]),
    (KeyCode::Char(' '), &["space"]),
];

impl Key {
    /// Reads a key as config.toml spells it: `x`, `X`, `?`, `ctrl-q`, `F2`,
    /// `enter`, `esc`, `up`, `pgdn`, `space`, `shift-tab` (case does not
    /// matter except for a single letter; the help's labels read back too).
    pub fn parse(text: &str) -> Result<Key, String> {
        let t = text.trim();
        let mut chars = t.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return match NAMED.iter().find(|(_, names)| names.contains(&t)) {
                Some((code, _)) => Ok(Key::plain(*code)),
                None if c.is_control() => Err(format!("{t:?} is a control character, not a key")),
                None => Ok(Key::char(c)),
            };
        }
        let lower = t.to_lowercase();
        if let Some(rest) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("ctrl+")) {
            let inner = Key::parse(rest).map_err(|_| unknown(text))?;
            return Ok(Key { ctrl: true, ..inner });
        }
        if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
            && (1..=24).contains(&n)
        {
            return Ok(Key::plain(KeyCode::F(n)));
        }
        match NAMED.iter().find(|(_, names)| names.contains(&lower.as_str())) {
            Some((code, _)) => Ok(Key::plain(*code)),
            None => Err(unknown(text)),
        }
    }

    /// How config.toml spells the key (`Key::parse` reads it back).
    pub fn config_spelling(self) -> String {
        let name = match self.code {
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) if c != ' ' => c.to_string(),
            code => match NAMED.iter().find(|(named, _)| *named == code) {
                Some((_, names)) => names[0].to_string(),
                None => format!("{code:?}").to_lowercase(),
            },
        };
        if self.ctrl { format!("ctrl-{name}") } else { name }
    }
}

fn unknown(text: &str) -> String {
    format!(
        "{text:?} is not a key floktu knows (a character, ctrl-x, F1-F24, enter, esc, tab, shift-tab, \
         backspace, delete, space, up, down, left, right, home, end, pgup, pgdn)"
    )
}

/// Where a binding's keys come from: a config line, or the defaults.
fn origin(line: Option<usize>) -> String {
    match line {
        Some(l) => format!("line {l}"),
        None => "the defaults".to_string(),
    }
}

impl Keymap {
    /// The default table with `[keys]` applied. Any problem (an unknown name,
    /// a key that does not parse, a key bound twice where both apply, a
    /// letter where letters type) refuses every remapping: the defaults stay
    /// whole and each problem is given with its line.
    pub fn configured(entries: &[KeyEntry]) -> (Keymap, Vec<ConfigProblem>) {
        let defaults = Keymap::default();
        let mut table = defaults.clone();
        let mut lines: Vec<Option<usize>> = vec![None; table.bindings().len()];
        let mut problems = Vec::new();
        for entry in entries {
            let problem = |text: String| ConfigProblem { line: entry.line, text };
            let Some(i) = table.bindings().iter().position(|b| b.config_name() == entry.name) else {
                problems.push(problem(format!(
                    "[keys] {}: no such action (floktu config --print-defaults lists them)",
                    entry.name
                )));
                continue;
            };
            let mut keys = Vec::new();
            for text in &entry.keys {
                match Key::parse(text) {
                    Ok(k) if !keys.contains(&k) => keys.push(k),
                    Ok(_) => {}
                    Err(why) => problems.push(problem(format!("[keys] {}: {why}", entry.name))),
                }
            }
            if entry.keys.is_empty() {
                problems.push(problem(format!("[keys] {}: give at least one key", entry.name)));
            }
            table.set_keys(i, keys);
            lines[i] = entry.line;
        }
        problems.extend(conflicts(&table, &lines));
        if problems.is_empty() {
            (table, problems)
        } else {
            problems.sort_by_key(|p| p.line);
            (defaults, problems)
        }
    }
}

/// Keys bound twice where both bindings apply (the same mode, or a mode and
/// `Everywhere`, which is asked first), and letters bound where letters type;
/// only where a config line is involved (the defaults are consistent).
fn conflicts(table: &Keymap, lines: &[Option<usize>]) -> Vec<ConfigProblem> {
    let bindings = table.bindings();
    let mut problems = Vec::new();
    for (i, b) in bindings.iter().enumerate() {
        let Some(line) = lines[i] else { continue };
        let types = b.mode.takes_text() || b.mode == Mode::Everywhere;
        for key in b.keys.iter().filter(|k| types && k.typed().is_some()) {
            problems.push(ConfigProblem {
                line: Some(line),
                text: format!(
                    "[keys] {}: {} types text {}; bind a key that does not (ctrl-…, F1…)",
                    b.config_name(),
                    key.config_spelling(),
                    if b.mode == Mode::Everywhere { "in a filter, the door and the login" } else { "there" },
                ),
            });
        }
    }
    for (i, a) in bindings.iter().enumerate() {
        for (j, b) in bindings.iter().enumerate().skip(i + 1) {
            let overlap = a.mode == b.mode || a.mode == Mode::Everywhere || b.mode == Mode::Everywhere;
            if !overlap || (lines[i].is_none() && lines[j].is_none()) {
                continue;
            }
            for key in a.keys.iter().filter(|k| b.keys.contains(k)) {
                let (first, second) = if lines[i].is_some() { (i, j) } else { (j, i) };
                problems.push(ConfigProblem {
                    line: lines[first],
                    text: format!(
                        "[keys] {}: {} is also {}'s key ({})",
                        bindings[first].config_name(),
                        key.config_spelling(),
                        bindings[second].config_name(),
                        origin(lines[second]),
                    ),
                });
            }
        }
    }
    problems
}

/// The `[keys]` section of a commented config.toml: every binding, its help
/// text and its default keys, in table order.
pub fn defaults_section() -> String {
    let mut out = String::from(
        "# Keys: an action's name = a key or a list of keys. Names are the action's,\n\
         # prefixed with where it applies: none for the lists, always_ (every screen,\n\
         # even while typing), filter_ (typing a filter), filter_kept_, confirm_, door_,\n\
         # login_. Keys: \"x\", \"X\", \"?\", \"ctrl-q\", \"F2\", \"enter\", \"esc\", \"tab\",\n\
         # \"shift-tab\", \"backspace\", \"delete\", \"space\", \"up\", \"down\", \"left\",\n\
         # \"right\", \"home\", \"end\", \"pgup\", \"pgdn\". A name given here replaces all\n\
         # of that action's keys. Where text is typed (filter_, door_, login_, always_),\n\
         # keys that type are refused.\n\
         [keys]\n",
    );
    let mut mode = None;
    for b in Keymap::default().bindings() {
        if mode != Some(b.mode) {
            out.push_str(&format!("# {}\n", b.mode.title()));
            mode = Some(b.mode);
        }
        let keys: Vec<String> = b.keys.iter().map(|k| format!("{:?}", k.config_spelling())).collect();
        let value = if keys.len() == 1 { keys[0].clone() } else { format!("[{}]", keys.join(", ")) };
        out.push_str(&format!("#{} = {value}  # {}\n", b.config_name(), b.help));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::App;
    use crate::tui::keymap::action_for;
    use crossterm::event::{KeyEvent, KeyModifiers};

    fn entry(name: &str, keys: &[&str], line: usize) -> KeyEntry {
        KeyEntry { name: name.into(), keys: keys.iter().map(|k| k.to_string()).collect(), line: Some(line) }
    }

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn every_binding_has_a_name_of_its_own() {
        let names: Vec<String> = Keymap::default().bindings().iter().map(Binding::config_name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with("type")));
    }

    #[test]
    fn every_default_key_reads_back_from_its_spelling_and_its_label() {
        for b in Keymap::default().bindings() {
            for &k in &b.keys {
                assert_eq!(Key::parse(&k.config_spelling()), Ok(k), "{}", k.config_spelling());
                assert_eq!(Key::parse(&k.label()), Ok(k), "{}", k.label());
            }
        }
    }

    #[test]
    fn keys_parse_as_the_config_spells_them() {
        assert_eq!(Key::parse("x"), Ok(Key::char('x')));
        assert_eq!(Key::parse("X"), Ok(Key::char('X')));
        assert_eq!(Key::parse("ctrl-Q"), Ok(Key::ctrl('q')));
        assert_eq!(Key::parse("F2"), Ok(Key::plain(KeyCode::F(2))));
        assert_eq!(Key::parse("pgdn"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("Enter"), Ok(Key::plain(KeyCode::Enter)));
        assert_eq!(Key::parse("space"), Ok(Key::char(' ')));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("F99").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn config_keys_remap_an_action() {
        let (keys, problems) =
            Keymap::configured(&[entry("quit", &["x"], 3), entry("door", &["d", "F2"], 4)]);
        assert_eq!(problems, vec![]);
        let mut app = App::new("h".into(), false);
        app.keys = keys;
        assert_eq!(action_for(&app, press('x')), Some(Action::Quit));
        assert_eq!(action_for(&app, press('q')), None);
        let f2 = KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE);
        assert_eq!(action_for(&app, f2), Some(Action::Browse(BrowseAction::Door)));
        assert_eq!(action_for(&app, press('d')), Some(Action::Browse(BrowseAction::Door)));
    }

    #[test]
    fn a_conflict_is_reported_with_its_line_and_the_defaults_stay() {
        let (keys, problems) = Keymap::configured(&[entry("quit", &["d"], 7)]);
        assert_eq!(keys, Keymap::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(7));
        assert_eq!(problems[0].text, "[keys] quit: d is also door's key (the defaults)");
        assert_eq!(
            problems[0].to_string(),
            "config.toml line 7: [keys] quit: d is also door's key (the defaults)"
        );
    }

    #[test]
    fn swapping_two_keys_is_no_conflict() {
        let (keys, problems) = Keymap::configured(&[entry("quit", &["d"], 1), entry("door", &["q"], 2)]);
        assert_eq!(problems, vec![]);
        assert_ne!(keys, Keymap::default());
    }

    #[test]
    fn an_everywhere_key_shadowing_a_mode_is_a_conflict() {
        let (_, problems) = Keymap::configured(&[entry("always_redraw", &["ctrl-z"], 2)]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].text.contains("door_undo"), "{}", problems[0].text);
    }

    #[test]
    fn unknown_names_unparsable_keys_and_typing_keys_are_refused() {
        let (keys, problems) = Keymap::configured(&[
            entry("quitt", &["x"], 1),
            entry("help", &["hyper-h"], 2),
            entry("door_leave", &["x"], 3),
            entry("always_quit", &["Q"], 4),
        ]);
        assert_eq!(keys, Keymap::default());
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(1), Some(2), Some(3), Some(4)], "{problems:?}");
        assert!(problems[0].text.contains("no such action"));
        assert!(problems[2].text.contains("types text"));
    }

    #[test]
    fn the_defaults_section_names_every_binding() {
        let section = defaults_section();
        for b in Keymap::default().bindings() {
            assert!(section.contains(&format!("\n#{} = ", b.config_name())), "{}", b.config_name());
        }
    }
}
