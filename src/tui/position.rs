//! Where the user was when they quit — the event, the view, the selected
//! order and the focused list's filter — saved per account in the state
//! directory and restored at the next start (`--fresh` starts clean).
//!
//! The file is small JSON written atomically (0600). One that cannot be read,
//! or names an event the account no longer has, is ignored: the start is then
//! the usual one, never an error.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{AccessToken, ApiBase};

use super::app::{App, Focus, OrdersView, Screen};

/// What the middle of the screen showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The event's orders.
    Orders,
    /// Every attendee of the event.
    Attendees,
    /// The door.
    Door,
    /// The stats screen.
    Stats,
}

/// Where the user was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The open event.
    pub event_id: u64,
    /// Orders, attendees, the door or the stats.
    pub view: View,
    /// The list with the keyboard: `events`, `orders` or `detail`.
    pub focus: FocusName,
    /// The selected order, in the orders view.
    pub order_id: Option<u64>,
    /// The focused list's filter text.
    pub filter: String,
}

/// [`Focus`] as the file names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FocusName {
    /// The events list.
    Events,
    /// The middle pane.
    Orders,
    /// The detail pane.
    Detail,
}

impl From<Focus> for FocusName {
    fn from(f: Focus) -> FocusName {
        match f {
            Focus::Events => FocusName::Events,
            Focus::Orders => FocusName::Orders,
            Focus::Detail => FocusName::Detail,
        }
    }
}

impl From<FocusName> for Focus {
    fn from(f: FocusName) -> Focus {
        match f {
            FocusName::Events => Focus::Events,
            FocusName::Orders => Focus::Orders,
            FocusName::Detail => Focus::Detail,
        }
    }
}

impl Position {
    /// Where `app` is, when an event is open.
    pub fn of(app: &App) -> Option<Position> {
        let event_id = app.open_event.as_ref()?.id;
        let view = match (app.screen, app.orders_view) {
            (Screen::Door, _) => View::Door,
            (Screen::Stats, _) => View::Stats,
            (_, OrdersView::Attendees) => View::Attendees,
            (_, OrdersView::Orders) => View::Orders,
        };
        Some(Position {
            event_id,
            view,
            focus: app.focus.into(),
            order_id: app.orders.selected_item().map(|o| o.id),
            filter: app.filter_query().to_string(),
        })
    }

    /// The position saved in `file`, if it can be read.
    pub fn load(file: &Path) -> Option<Position> {
        let text = std::fs::read(file).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Saves the position to `file` (0600, atomically).
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::auth::store::write_private(file, &json)
    }
}

/// The account's position file in `state_dir`: one per API host and token
/// (demo runs have their own).
pub fn file_for(state_dir: &Path, base: &ApiBase, token: &AccessToken, demo: bool) -> PathBuf {
    let name = if demo {
        "demo".to_string()
    } else {
        let host: String = base
            .host_label()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
            .collect();
        format!("{host}-{}", token.fingerprint())
    };
    state_dir.join("positions").join(format!("{name}.json"))
}
