//! The guest list of the open event as the TUI holds it: where its data came
//! from (cache, network, both), the attendees list with its filter, and the
//! door's state (`tui::door`). Only `update` changes it.

use chrono::{DateTime, Utc};

use crate::guestlist::{GuestList, Throttle};

use super::app::ReqId;
use super::door::Door;
use super::list::{List, RowsView, order_list};

/// How the open event's guest list is being fetched. A live load (see
/// `guestlist::live`) keeps running after its first pass, tagged with the
/// request it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestLoad {
    /// Not asked for yet.
    NotAsked,
    /// The first pass is under way.
    Loading(ReqId),
    /// The first pass is done; the live load keeps the list fresh.
    Live(ReqId),
    /// The order list could not be fetched and nothing was known; the live
    /// load keeps trying.
    Failed {
        /// The live load.
        req: ReqId,
        /// Why, as a person reads it.
        why: String,
    },
}

/// The guest list of one event.
#[derive(Debug)]
pub struct Guests {
    /// The event.
    pub event_id: u64,
    /// What the views show: the cached list, merged with what arrives.
    pub shown: Option<GuestList>,
    /// The network side.
    pub load: GuestLoad,
    /// `shown` came from the cache and the first pass is not done yet.
    pub from_cache: bool,
    /// Why Floktu cannot be reached, while it cannot: the offline banner.
    pub offline: Option<String>,
    /// Floktu asked us to slow down: shown while loading.
    pub throttled: Option<Throttle>,
    /// When something last arrived from Floktu for this list.
    pub last_answer: Option<DateTime<Utc>>,
    /// When the current pass was asked for.
    pub asked_at: Option<DateTime<Utc>>,
    /// The attendees view: filter, matches, selection, scroll (over the
    /// guest list's own folded rows).
    pub list: List,
    /// The guest list changed (or the door's input, or its admissions) since
    /// `list` and the door's matches were computed.
    pub stale: bool,
    /// The guest list's rows changed since they were last searched (see
    /// [`Guests::list_changed`]): true at first, so a list however it came is
    /// searched whole once.
    rows_changed: bool,
    /// The guest list changed since the orders pane's filter and sort, which
    /// read it (statuses, amounts), last ran.
    pub orders_stale: bool,
    /// Bumped on every change of the guest list: the stats screen works its
    /// numbers out again when it moved.
    pub changes: u64,
    /// The door screen's state.
    pub door: Door,
}

impl Guests {
    /// Nothing known yet about `event_id`'s guests.
    pub fn new(event_id: u64) -> Guests {
        Guests {
            event_id,
            shown: None,
            load: GuestLoad::NotAsked,
            from_cache: false,
            offline: None,
            throttled: None,
            last_answer: None,
            asked_at: None,
            list: List::default(),
            stale: false,
            rows_changed: true,
            orders_stale: true,
            changes: 0,
            door: Door::default(),
        }
    }

    /// True while the first pass runs.
    pub fn is_loading(&self) -> bool {
        matches!(self.load, GuestLoad::Loading(_))
    }

    /// The request the live load answers to.
    pub fn awaited(&self) -> Option<ReqId> {
        match self.load {
            GuestLoad::Loading(req) | GuestLoad::Live(req) | GuestLoad::Failed { req, .. } => Some(req),
            GuestLoad::NotAsked => None,
        }
    }

    /// How long Floktu has been silent while the first pass runs, once that
    /// is long enough to say so (10 s).
    pub fn quiet_for(&self, now: DateTime<Utc>) -> Option<chrono::TimeDelta> {
        let since = self.last_answer.or(self.asked_at)?;
        let quiet = now - since;
        (quiet >= chrono::TimeDelta::seconds(10)).then_some(quiet)
    }

    /// How many rows the attendees list shows.
    pub fn visible_len(&self) -> usize {
        self.list.visible_len()
    }

    /// The guest position behind visible row `row`.
    pub fn guest_at(&self, row: usize) -> Option<usize> {
        self.list.item_at(row)
    }

    /// Every visible guest position, in display order.
    pub fn visible(&self) -> Vec<usize> {
        self.list.visible().collect()
    }

    /// The guest list's folded rows, as the attendees filter searches them.
    pub fn rows(&self) -> RowsView<'_> {
        rows_of(self.shown.as_ref())
    }

    /// Re-runs the filter if the list or the query changed, and judges the
    /// door's verdict again. Returns true when the verdict on screen turned
    /// into a refusal (the door rings).
    pub fn settle(&mut self) -> bool {
        if std::mem::take(&mut self.rows_changed) {
            let len = self.shown.as_ref().map_or(0, GuestList::len);
            self.list.rows_changed(len);
            self.door.rows_changed(len);
        }
        if let Some(list) = &self.shown {
            let facts = crate::guestlist::GuestFacts { list, admitted: Some(&self.door.admissions) };
            order_list(&mut self.list, rows_of(Some(list)), &facts);
            self.list.refilter(rows_of(Some(list)), &facts);
        } else {
            self.list.refilter(RowsView::default(), &crate::search::NoFacts);
        }
        if !std::mem::take(&mut self.stale) {
            return false;
        }
        let complete = !self.is_loading();
        self.door.refresh(self.shown.as_ref(), complete)
    }

    /// The guest list changed (came from the cache, merged what arrived, its
    /// load finished): every search over it runs again, and the door's
    /// verdict is judged again.
    pub fn list_changed(&mut self) {
        self.stale = true;
        self.rows_changed = true;
        self.orders_stale = true;
        self.changes += 1;
    }
}

/// A guest list's folded rows (none without a list).
fn rows_of(shown: Option<&GuestList>) -> RowsView<'_> {
    match shown {
        Some(list) => RowsView { text: list.search_text(), starts: list.search_starts() },
        None => RowsView::default(),
    }
}
