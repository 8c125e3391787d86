//! `update` for the stats screen (`s`): opening it for the open or selected
//! event (its guest list loads live, from the cache first, as for `a` and
//! `d`), reading the ledger's admissions as it opens and every
//! [`ADMISSIONS_EVERY`] while it shows, and working the numbers out once per
//! batch of messages when the list or the admissions changed.

use chrono::{Offset, TimeZone};

use crate::tui::app::{App, Notice, Screen};
use crate::tui::msg::{Command, StatsAction};
use crate::tui::stats::{ADMISSIONS_EVERY, StatsView};

use super::guests::{ensure_guests, reload_guests};

/// `s`: the stats screen of the open event, or of the event selected in the events pane.
pub(super) fn open_stats(app: &mut App) -> Vec<Command> {
    let Some(mut commands) = super::open_selected_event(app) else { return Vec::new() };
    let Some(event_id) = app.open_event.as_ref().map(|e| e.id) else {
        app.notice = Some(Notice { text: "Open an event first (Enter)".into(), is_error: true });
        return commands;
    };
    app.screen = Screen::Stats;
    commands.extend(ensure_guests(app));
    let seq = app.next_req().0;
    // The terminal's wall clock, on which the door shows times too.
    let offset = chrono::Local.offset_from_utc_datetime(&app.now.naive_utc()).fix();
    match app.stats.as_mut().filter(|s| s.event_id == event_id) {
        Some(view) => view.seq = seq,
        None => app.stats = Some(StatsView::new(event_id, offset, seq)),
    }
    commands.push(Command::LoadAdmissions { event_id });
    commands.push(Command::StatsAfter { seq, after: ADMISSIONS_EVERY });
    commands
}

/// Keys on the stats screen.
pub(super) fn act_stats(app: &mut App, action: StatsAction) -> Vec<Command> {
    match action {
        StatsAction::Back => {
            app.screen = Screen::Browse;
            Vec::new()
        }
        StatsAction::Refresh => {
            let mut commands = reload_guests(app, false);
            if let Some(view) = &app.stats {
                commands.push(Command::LoadAdmissions { event_id: view.event_id });
            }
            commands
        }
    }
}

/// The timer `seq` went off: while the stats screen shows, the ledger is read
/// again (other gates admit too) and the timer set once more.
pub(super) fn due(app: &mut App, seq: u64) -> Vec<Command> {
    match &app.stats {
        Some(view) if app.screen == Screen::Stats && view.seq == seq => vec![
            Command::LoadAdmissions { event_id: view.event_id },
            Command::StatsAfter { seq, after: ADMISSIONS_EVERY },
        ],
        _ => Vec::new(),
    }
}

/// The ledger answered with the event's admissions (`ok`), or could not.
pub(super) fn admissions_read(app: &mut App, event_id: u64, ok: bool) {
    if let Some(view) = app.stats.as_mut().filter(|s| s.event_id == event_id && ok) {
        view.admissions_read = Some(app.now);
    }
}

/// Once per batch of messages, before the frame: the numbers worked out again
/// if the stats screen shows and the list or the admissions changed.
pub(super) fn settle(app: &mut App) {
    if app.screen != Screen::Stats {
        return;
    }
    let Some(view) = app.stats.as_mut() else { return };
    let Some(g) = app.guests.as_ref().filter(|g| g.event_id == view.event_id) else { return };
    let Some(list) = g.shown.as_ref() else { return };
    if view.is_due(g.changes, &g.door.admissions) {
        let stats = list.stats(&g.door.admissions, view.offset);
        view.worked_out(stats, g.changes, &g.door.admissions, app.now);
    }
}
