//! The colours: a theme gives each kind of text (`Tone`) its style; config.toml
//! chooses the theme (`theme = "dark" | "light" | "none"`) and may override a
//! tone's colour (`[colors]`). Words and symbols carry the meaning in every
//! theme; colour only helps.

use ratatui::style::{Color, Modifier, Style};

use crate::config::{ColorEntry, ConfigProblem, ThemeName};

/// Kinds of text the panes use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Plain text.
    Normal,
    /// Less important text: ids, emails, borders of unfocused panes.
    Dim,
    /// Titles and the focused pane's border.
    Title,
    /// The selected row of the focused list.
    Selected,
    /// Characters a filter matched.
    Match,
    /// Good news: checked in, a notice.
    Good,
    /// A warning: no match, a question.
    Warn,
    /// A failure.
    Bad,
    /// A key in the hints and help.
    Key,
}

/// A theme's colours, per tone (and the selection's background).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// `None`: no colours at all (the `none` theme, `NO_COLOR`).
    colors: Option<Palette>,
}

/// The colour of each tone that has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Palette {
    dim: Color,
    title: Color,
    selected: Color,
    selected_bg: Color,
    matched: Color,
    good: Color,
    warn: Color,
    bad: Color,
    key: Color,
}

/// The names of `[colors]`, in the order `--print-defaults` lists them, with
/// what each colours.
pub const COLOR_NAMES: [(&str, &str); 9] = [
    ("dim", "ids, emails, hints' words, unfocused borders"),
    ("title", "titles, the focused pane's border"),
    ("selected", "the selected row's text"),
    ("selected_bg", "the selected row's background"),
    ("match", "what a filter matched"),
    ("good", "good news, checked in"),
    ("warn", "warnings, questions"),
    ("bad", "failures"),
    ("key", "keys in the hints and the help"),
];

impl Palette {
    const DARK: Palette = Palette {
        dim: Color::DarkGray,
        title: Color::Cyan,
        selected: Color::White,
        selected_bg: Color::Blue,
        matched: Color::Yellow,
        good: Color::Green,
        warn: Color::Yellow,
        bad: Color::Red,
        key: Color::Cyan,
    };

    /// Dark text on a light background: no yellow or cyan, which wash out on white.
    const LIGHT: Palette = Palette {
        dim: Color::DarkGray,
        title: Color::Blue,
        selected: Color::White,
        selected_bg: Color::Blue,
        matched: Color::Magenta,
        good: Color::Green,
        warn: Color::Indexed(130),
        bad: Color::Red,
        key: Color::Blue,
    };

    fn slot(&mut self, name: &str) -> Option<&mut Color> {
        Some(match name {
            "dim" => &mut self.dim,
            "title" => &mut self.title,
            "selected" => &mut self.selected,
            "selected_bg" => &mut self.selected_bg,
            "match" => &mut self.matched,
            "good" => &mut self.good,
            "warn" => &mut self.warn,
            "bad" => &mut self.bad,
            "key" => &mut self.key,
            _ => return None,
        })
    }
}

impl Default for Theme {
    /// The dark theme.
    fn default() -> Theme {
        Theme { colors: Some(Palette::DARK) }
    }
}

impl Theme {
    /// A theme by name, without overrides.
    pub fn named(name: ThemeName) -> Theme {
        Theme {
            colors: match name {
                ThemeName::Dark => Some(Palette::DARK),
                ThemeName::Light => Some(Palette::LIGHT),
                ThemeName::None => None,
            },
        }
    }

    /// The theme `name` with `[colors]` applied; an unknown tone or colour is
    /// left out and said, with its line. Under `none` no colour applies.
    pub fn configured(name: ThemeName, overrides: &[ColorEntry]) -> (Theme, Vec<ConfigProblem>) {
        let mut theme = Theme::named(name);
        let mut problems = Vec::new();
        for entry in overrides {
            let problem = |text: String| ConfigProblem { line: entry.line, text };
            let mut scratch = Palette::DARK;
            let palette = theme.colors.as_mut().unwrap_or(&mut scratch);
            let Some(slot) = palette.slot(&entry.tone) else {
                let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
                problems.push(problem(format!(
                    "[colors] {}: no such colour (there are {})",
                    entry.tone,
                    names.join(", ")
                )));
                continue;
            };
            match entry.color.trim().parse::<Color>() {
                Ok(color) => *slot = color,
                Err(_) => problems.push(problem(format!(
                    "[colors] {}: {:?} is not a colour (a name such as \"blue\" or \"dark_gray\", \
                     \"#336699\", or 0-255)",
                    entry.tone, entry.color
                ))),
            }
        }
        (theme, problems)
    }

    /// True when the theme has colours.
    pub fn has_color(&self) -> bool {
        self.colors.is_some()
    }

    /// The style of `tone` (without colours: bold, dim, reverse and underline).
    pub fn style(&self, tone: Tone) -> Style {
        let s = Style::default();
        let Some(p) = self.colors else { return mono(tone) };
        match tone {
            Tone::Normal => s,
            Tone::Dim => s.fg(p.dim),
            Tone::Title => s.fg(p.title).add_modifier(Modifier::BOLD),
            Tone::Selected => s.bg(p.selected_bg).fg(p.selected).add_modifier(Modifier::BOLD),
            Tone::Match => s.fg(p.matched).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Tone::Good => s.fg(p.good).add_modifier(Modifier::BOLD),
            Tone::Warn => s.fg(p.warn).add_modifier(Modifier::BOLD),
            Tone::Bad => s.fg(p.bad).add_modifier(Modifier::BOLD),
            Tone::Key => s.fg(p.key),
        }
    }

    /// `[colors]` as config.toml would say this theme's (for `--print-defaults`).
    pub fn color_lines(&self) -> Vec<(&'static str, String, &'static str)> {
        let mut p = self.colors.unwrap_or(Palette::DARK);
        COLOR_NAMES
            .iter()
            .map(|(name, what)| (*name, p.slot(name).map_or_else(String::new, |c| color_name(*c)), *what))
            .collect()
    }
}

/// A tone without colours.
pub(crate) fn mono(tone: Tone) -> Style {
    let s = Style::default();
    match tone {
        Tone::Normal => s,
        Tone::Dim => s.add_modifier(Modifier::DIM),
        Tone::Selected => s.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        Tone::Match => s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        Tone::Title | Tone::Good | Tone::Warn | Tone::Bad | Tone::Key => s.add_modifier(Modifier::BOLD),
    }
}

/// A colour as config.toml spells it (`Color`'s parser reads it back).
fn color_name(c: Color) -> String {
    match c {
        Color::Indexed(i) => i.to_string(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        other => {
            let debug = format!("{other:?}");
            let mut out = String::new();
            for (i, ch) in debug.chars().enumerate() {
                if ch.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(ch.to_ascii_lowercase());
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tone: &str, color: &str, line: usize) -> ColorEntry {
        ColorEntry { tone: tone.into(), color: color.into(), line: Some(line) }
    }

    #[test]
    fn the_dark_theme_is_the_colours_floktu_always_had() {
        let dark = Theme::default();
        assert_eq!(dark.style(Tone::Dim), Style::default().fg(Color::DarkGray));
        assert_eq!(
            dark.style(Tone::Selected),
            Style::default().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD)
        );
    }

    #[test]
    fn colors_override_a_tone_and_bad_ones_are_said_with_their_line() {
        let (theme, problems) = Theme::configured(
            ThemeName::Light,
            &[entry("key", "#336699", 2), entry("keys", "red", 3), entry("bad", "reddish", 4)],
        );
        assert_eq!(theme.style(Tone::Key), Style::default().fg(Color::Rgb(0x33, 0x66, 0x99)));
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4)]);
    }

    #[test]
    fn every_printed_colour_reads_back() {
        let light: Vec<ColorEntry> =
            Theme::named(ThemeName::Light).color_lines().iter().map(|(n, c, _)| entry(n, c, 1)).collect();
        assert_eq!(Theme::configured(ThemeName::Dark, &light), (Theme::named(ThemeName::Light), vec![]));
    }

    #[test]
    fn no_colour_theme_marks_with_bold_and_reverse_only() {
        let none = Theme::named(ThemeName::None);
        assert_eq!(
            none.style(Tone::Selected),
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        );
        assert!(!none.has_color());
    }
}
