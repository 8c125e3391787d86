//! The login screen: client id and secret, the authorize URL in full, and the
//! two ways back in that work over SSH: pasting the redirect, or a token.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::common::{Tone, pane_block, spinner, style};
use crate::text::{sanitize, truncate, width};
use crate::tui::app::{App, LoginField, LoginPhase};

/// Draws the login screen into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let form = &app.login;
    let box_width = area.width.min(110);
    let [column] = Layout::horizontal([Constraint::Length(box_width)]).flex(Flex::Center).areas(area);
    let title = Line::styled(format!(" Log in to {} ", sanitize(&app.host)), style(app, Tone::Title));
    let block = pane_block(app, title, true);
    let inner = block.inner(column);
    f.render_widget(block, column);
    let cols = usize::from(inner.width);

    let mut lines = vec![
        field(app, "Client id", &form.client_id, false, form.field == LoginField::ClientId, cols),
        field(app, "Client secret", &form.client_secret, true, form.field == LoginField::ClientSecret, cols),
        Line::styled("  Enter on these fields opens the browser login.", style(app, Tone::Dim)),
        Line::from(""),
    ];
    match &form.phase {
        LoginPhase::Idle => {}
        LoginPhase::Starting => lines.push(Line::from(format!("{} Starting the login…", spinner(app)))),
        LoginPhase::Waiting { url, not_listening, browser_opened, .. } => {
            let opened = if *browser_opened { " (opened in your browser)" } else { "" };
            lines.push(Line::from(vec![
                Span::styled("1. ", style(app, Tone::Key)),
                Span::raw(format!("Open this address and approve floktu's access{opened}:")),
            ]));
            lines.push(Line::styled(sanitize(url).into_owned(), style(app, Tone::Normal)));
            lines.push(Line::from(vec![
                Span::styled("   Ctrl-Y", style(app, Tone::Key)),
                Span::styled(" copies it.", style(app, Tone::Dim)),
            ]));
            if not_listening.is_none() {
                lines.push(Line::from(format!("{} Waiting for the browser to come back…", spinner(app))));
            }
            lines.push(Line::from(""));
        }
        LoginPhase::Finishing => lines.push(Line::from(format!("{} Logging in…", spinner(app)))),
    }
    // Numbered only once there is a step 1 above it.
    let step = if matches!(form.phase, LoginPhase::Waiting { .. }) { "2. " } else { "" };
    lines.push(Line::from(vec![
        Span::styled(step, style(app, Tone::Key)),
        Span::raw("Over SSH, paste the address the browser ended on (or just the code):"),
    ]));
    lines.push(field(app, "Redirect URL", &form.paste, false, form.field == LoginField::Paste, cols));
    lines.push(Line::from(""));
    lines.push(Line::raw("Or, if you already have an access token:"));
    lines.push(field(app, "Access token", &form.token, true, form.field == LoginField::Token, cols));
    lines.push(Line::from(""));
    if let Some(m) = &form.message {
        let (symbol, tone) = if m.is_error { ("✖ ", Tone::Bad) } else { ("✔ ", Tone::Good) };
        lines.push(Line::styled(format!("{symbol}{}", sanitize(&m.text)), style(app, tone)));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// "Label  value▏" with the value masked for secrets and cut to fit.
fn field(app: &App, label: &str, value: &str, secret: bool, focused: bool, cols: usize) -> Line<'static> {
    let shown =
        if secret { "•".repeat(value.chars().count().min(40)) } else { sanitize(value).into_owned() };
    let label = format!("{label:<14}");
    let room = cols.saturating_sub(width(&label) + 2);
    // Keep the end of a long value in view, where the typing happens.
    let visible = if width(&shown) > room {
        let skip = shown.chars().count().saturating_sub(room.saturating_sub(1));
        format!("…{}", shown.chars().skip(skip).collect::<String>())
    } else {
        shown
    };
    let cursor = if focused { "▏" } else { "" };
    let value_style = if focused { style(app, Tone::Selected) } else { style(app, Tone::Normal) };
    Line::from(vec![
        Span::styled(label, if focused { style(app, Tone::Title) } else { style(app, Tone::Dim) }),
        Span::styled(truncate(&format!("{visible}{cursor}"), room + 1).into_owned(), value_style),
    ])
}
