//! `floktu config`: check config.toml (every problem with its line), or
//! `--print-defaults`, a commented config.toml with every key at its default,
//! written from the same constants, binding table and themes floktu uses.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;

use super::Exit;
use crate::config::{DEFAULT_CONCURRENCY, DEFAULT_REDIRECT_URI, DoorBell, Refresh, Settings, ThemeName};
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// A commented config.toml: every key, at its default. A line `#key = value`
/// is a setting left at its default; tables are open, so removing a `#` is
/// all a change takes.
pub fn defaults_toml() -> String {
    let refresh = Refresh::default();
    let themes: Vec<String> = ThemeName::ALL.iter().map(|(_, n)| format!("{n:?}")).collect();
    let mut out = format!(
        r##"# floktu's config.toml ($XDG_CONFIG_HOME/floktu/config.toml), every key at its
# default. A line `#key = value` is a setting left at its default: remove the `#`
# to change it. Flags beat the environment, which beats this file. Unknown keys
# are an error, so a typo is noticed.

# The Floktu API (env FLOKTU_API_BASE, flag --api-base).
#api_base = {api_base:?}
# The OAuth client id your organisation was issued (env FLOKTU_CLIENT_ID).
#client_id = ""
# The client secret: better typed at `floktu login` (the keyring keeps it) or
# in env FLOKTU_CLIENT_SECRET; here only for headless setups (keep this file 0600).
#client_secret = ""
# Where the browser sends the login back (flag --redirect-uri).
#redirect_uri = {DEFAULT_REDIRECT_URI:?}
# Order details fetched at once (flag --concurrency).
#concurrency = {DEFAULT_CONCURRENCY}
# Keep the token in a 0600 file instead of the OS keyring (flag --insecure-storage).
#insecure_storage = false
# The admissions ledger: postgres://… for gates on several machines, or
# sqlite:PATH (default: admissions.db in $XDG_DATA_HOME/floktu; env FLOKTU_LEDGER).
#ledger = "postgres://floktu@db.example/floktu"
# Opening an event loads every order's details in the background, so the orders
# pane shows status and money (false for very large events).
#eager_details = true
# The TUI's colours: {themes} (NO_COLOR, set, always means "none").
#theme = "dark"
# Mouse in the TUI: the wheel scrolls the list under the pointer, a click selects
# a row or focuses a pane. Off by default, so the terminal's own text selection
# keeps working.
#mouse = false

[oauth]
# Send a PKCE S256 challenge with the login (false for a server that refuses it).
#pkce = true

[refresh]
# Seconds between two looks for new orders while a guest list is open.
#orders_every = {orders_every}
# Seconds after which an order's details are read again.
#max_age = {max_age}

[door]
# When the terminal bell rings: "refusals", "all" or "off".
#bell = {bell:?}
# The questions whose answers a verdict shows (default: every answer).
#show_answers = ["Dietary requirements"]

[colors]
# Each kind of text's colour, over the theme's (the dark theme's shown): a name
# ("blue", "dark_gray", "light_red"), "#336699", or 0-255.
"##,
        api_base = crate::api::DEFAULT_API_BASE,
        orders_every = refresh.orders_every.as_secs(),
        max_age = refresh.max_age.as_secs(),
        bell = DoorBell::default().name(),
        themes = themes.join(", "),
    );
    for (name, color, what) in Theme::named(ThemeName::Dark).color_lines() {
        out.push_str(&format!("#{name} = {color:?}  # {what}\n"));
    }
    out.push('\n');
    out.push_str(&crate::tui::keyconfig::defaults_section());
    out
}

/// `floktu config --print-defaults`.
pub fn print_defaults(out: &mut dyn Write) -> io::Result<Exit> {
    out.write_all(defaults_toml().as_bytes())?;
    Ok(Exit::Ok)
}

/// `floktu config`: where config.toml is, and whether floktu can apply it all
/// (each problem with its line); exit 1 when it cannot.
pub fn check(path: &Path, settings: &Settings, out: &mut dyn Write) -> Result<Exit> {
    let (_, mut problems) = Keymap::configured(&settings.keys);
    problems.extend(Theme::configured(settings.theme, &settings.colors).1);
    let exists = path.exists();
    writeln!(out, "{}{}", path.display(), if exists { "" } else { " (none: every default applies)" })?;
    for p in &problems {
        writeln!(out, "{}", crate::text::sanitize(&p.to_string()))?;
    }
    if problems.is_empty() {
        writeln!(out, "ok")?;
        return Ok(Exit::Ok);
    }
    Ok(Exit::Error)
}

/// The file as `--print-defaults` writes it, each `#key = value` line (and
/// nothing else) uncommented.
#[cfg(test)]
fn uncommented(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) && rest.contains(" = ") => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    #[test]
    fn the_printed_defaults_are_a_valid_config_of_defaults() {
        let file = FileConfig::parse(&defaults_toml()).unwrap();
        assert_eq!(file.key_entries(), vec![]);
        assert_eq!(file.color_entries(), vec![]);
    }

    #[test]
    fn every_key_of_the_printed_defaults_reads_back_as_its_default() {
        let file = FileConfig::parse(&uncommented(&defaults_toml())).unwrap();
        assert_eq!(file.unset_keys(), Vec::<&str>::new());
        let (keys, problems) = Keymap::configured(&file.key_entries());
        assert_eq!((keys, problems), (Keymap::default(), vec![]));
        let colors = Theme::configured(file.theme.unwrap_or_default(), &file.color_entries());
        assert_eq!(colors, (Theme::default(), vec![]));
        assert_eq!(file.concurrency, Some(DEFAULT_CONCURRENCY));
        assert_eq!(file.mouse, Some(false));
        assert_eq!(Refresh::from_config(file.refresh.as_ref()), Refresh::default());
    }
}
