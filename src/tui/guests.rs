//! The guest list of the open event as the TUI holds it: where its data came
//! from (cache, network, both), the attendees list with its filter, and the
//! door's input and verdict. Only `update` changes it.

use std::cell::Cell;

use crate::guestlist::{GuestList, Throttle, Verdict};

use super::app::ReqId;

/// How the open event's guest list is being fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestLoad {
    /// Not asked for yet.
    NotAsked,
    /// A load (from the network) is under way.
    Loading(ReqId),
    /// The last load finished (completely or with failures, see the list).
    Done,
    /// The order list could not be fetched, and nothing was cached.
    Failed(String),
}

/// The guest list of one event.
#[derive(Debug)]
pub struct Guests {
    /// The event.
    pub event_id: u64,
    /// What the views show: the cached list, or the one being filled.
    pub shown: Option<GuestList>,
    /// A fresh list being built behind a cached one; it replaces `shown` when done.
    pub incoming: Option<GuestList>,
    /// The network side.
    pub load: GuestLoad,
    /// `shown` came from the cache and no fresh list has replaced it yet.
    pub from_cache: bool,
    /// Why the refresh failed while a cached list is shown: the offline banner.
    pub offline: Option<String>,
    /// Floktu asked us to slow down: shown while loading.
    pub throttled: Option<Throttle>,
    /// The attendees list's filter text.
    pub query: String,
    /// The filter line has the keyboard.
    pub editing: bool,
    /// Guest positions the filter keeps; `None` when there is no filter.
    pub matches: Option<Vec<usize>>,
    /// The list changed since `matches` was computed.
    pub stale: bool,
    /// Selected row among the visible ones.
    pub selected: usize,
    /// Where the view last scrolled to (the one thing a view writes).
    pub scroll: Cell<usize>,
    /// The door screen's state.
    pub door: Door,
}

impl Guests {
    /// Nothing known yet about `event_id`'s guests.
    pub fn new(event_id: u64) -> Guests {
        Guests {
            event_id,
            shown: None,
            incoming: None,
            load: GuestLoad::NotAsked,
            from_cache: false,
            offline: None,
            throttled: None,
            query: String::new(),
            editing: false,
            matches: None,
            stale: false,
            selected: 0,
            scroll: Cell::new(0),
            door: Door::default(),
        }
    }

    /// True while a network load runs.
    pub fn is_loading(&self) -> bool {
        matches!(self.load, GuestLoad::Loading(_))
    }

    /// The request a load answers to.
    pub fn awaited(&self) -> Option<ReqId> {
        match self.load {
            GuestLoad::Loading(req) => Some(req),
            _ => None,
        }
    }

    /// How many rows the attendees list shows.
    pub fn visible_len(&self) -> usize {
        match (&self.matches, &self.shown) {
            (Some(m), _) => m.len(),
            (None, Some(list)) => list.len(),
            (None, None) => 0,
        }
    }

    /// The guest position behind visible row `row`.
    pub fn guest_at(&self, row: usize) -> Option<usize> {
        match &self.matches {
            Some(m) => m.get(row).copied(),
            None => (row < self.shown.as_ref().map_or(0, GuestList::len)).then_some(row),
        }
    }

    /// Every visible guest position, in display order.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.visible_len()).filter_map(|r| self.guest_at(r)).collect()
    }

    /// Re-runs the filter if the list or the query changed.
    pub fn settle(&mut self) {
        if !self.stale {
            return;
        }
        self.stale = false;
        self.matches = match (&self.shown, self.query.trim().is_empty()) {
            (Some(list), false) => Some(list.search(&self.query)),
            _ => None,
        };
        self.selected = self.selected.min(self.visible_len().saturating_sub(1));
        self.door.refresh(self.shown.as_ref());
    }

    /// Moves the attendees selection, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let len = self.visible_len();
        self.selected =
            if len == 0 { 0 } else { (self.selected as isize + delta).clamp(0, len as isize - 1) as usize };
    }
}

/// What the door shows for the last guest looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DoorResult {
    /// An attendee (by id: positions move while a list loads).
    Guest {
        /// The attendee.
        attendee_id: u64,
        /// Their verdict.
        verdict: Verdict,
        /// What was typed or scanned.
        asked: String,
    },
    /// Nobody matched what was typed or scanned.
    NotFound {
        /// What was typed or scanned.
        asked: String,
    },
}

/// The door screen: one input, live matches, the verdict of the last lookup.
#[derive(Debug, Default)]
pub struct Door {
    /// What is typed (or scanned).
    pub input: String,
    /// Guest positions matching the input, best first.
    pub results: Vec<usize>,
    /// The highlighted match.
    pub selected: usize,
    /// The verdict on screen.
    pub result: Option<DoorResult>,
    /// Amounts and emails hidden.
    pub private: bool,
}

/// Matches shown under the door input at most: the door is for one guest at a time.
pub const DOOR_RESULTS: usize = 50;

impl Door {
    /// Recomputes the live matches of the input.
    pub fn refresh(&mut self, list: Option<&GuestList>) {
        let Some(list) = list else {
            self.results.clear();
            return;
        };
        let input = self.input.trim();
        self.results = if input.is_empty() {
            Vec::new()
        } else if let Some(id) = as_id(input) {
            // Digits: an exact order or attendee id first, then any text match.
            let mut exact = list.lookup_id(id);
            for i in list.search(input) {
                if !exact.contains(&i) {
                    exact.push(i);
                }
            }
            exact
        } else {
            list.search(input)
        };
        self.results.truncate(DOOR_RESULTS);
        self.selected = self.selected.min(self.results.len().saturating_sub(1));
        if let Some(DoorResult::Guest { attendee_id, asked, .. }) = &self.result {
            // A list that was refreshed may say something new about the same guest.
            let (attendee_id, asked) = (*attendee_id, asked.clone());
            self.result =
                Some(
                    match list.lookup_id(attendee_id).into_iter().find(|&i| {
                        list.guests().get(i).is_some_and(|g| g.attendee.attendee_id == attendee_id)
                    }) {
                        Some(i) => DoorResult::Guest { attendee_id, verdict: list.verdict(i), asked },
                        None => DoorResult::NotFound { asked },
                    },
                );
        }
    }
}

/// A run of digits (what a barcode scanner types) as an id.
pub fn as_id(input: &str) -> Option<u64> {
    let t = input.trim();
    (!t.is_empty() && t.len() <= 19 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}
