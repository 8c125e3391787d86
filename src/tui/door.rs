//! The door screen's state: the input, its live matches and the verdict of
//! the last lookup, judged from the guest list. Only `update` changes it.

use chrono::{DateTime, Utc};

use crate::guestlist::{GuestList, Verdict};

/// How a door verdict stands with Floktu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Asked Floktu for this guest's order (or for new orders): "checking with Floktu…".
    Checking,
    /// Floktu answered after the scan: "checked with Floktu just now".
    Checked {
        /// When the answer came.
        at: DateTime<Utc>,
    },
    /// Floktu could not be asked: judged from what was known, of this age.
    Offline {
        /// When the data behind the verdict was fetched, if known.
        data_from: Option<DateTime<Utc>>,
    },
    /// NOT FOUND while the list is still loading: judged again as orders arrive.
    Incomplete,
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
        /// How it stands with Floktu.
        check: Check,
    },
    /// Nobody matched what was typed or scanned.
    NotFound {
        /// What was typed or scanned.
        asked: String,
        /// How it stands with Floktu.
        check: Check,
    },
}

impl DoorResult {
    /// How the verdict stands with Floktu.
    pub fn check(&self) -> &Check {
        match self {
            DoorResult::Guest { check, .. } | DoorResult::NotFound { check, .. } => check,
        }
    }

    fn check_mut(&mut self) -> &mut Check {
        match self {
            DoorResult::Guest { check, .. } | DoorResult::NotFound { check, .. } => check,
        }
    }

    /// What was typed or scanned.
    pub fn asked(&self) -> &str {
        match self {
            DoorResult::Guest { asked, .. } | DoorResult::NotFound { asked, .. } => asked,
        }
    }

    /// The verdict (NOT FOUND when nobody matched).
    pub fn verdict(&self) -> Verdict {
        match self {
            DoorResult::Guest { verdict, .. } => verdict.clone(),
            DoorResult::NotFound { .. } => Verdict::NotFound,
        }
    }
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
    /// The order being re-checked with Floktu for the verdict on screen.
    pub rechecking: Option<u64>,
    /// The look for new orders the verdict on screen waits for (its token).
    pub looking: Option<u64>,
    /// Amounts and emails hidden.
    pub private: bool,
}

/// Matches shown under the door input at most: the door is for one guest at a time.
pub const DOOR_RESULTS: usize = 50;

impl Door {
    /// Recomputes the live matches of the input, and judges the verdict on
    /// screen again against `list` (`complete`: its first pass is done).
    /// Returns true when the verdict turned into a refusal.
    pub fn refresh(&mut self, list: Option<&GuestList>, complete: bool) -> bool {
        let Some(list) = list else {
            self.results.clear();
            return false;
        };
        let input = self.input.trim();
        self.results = if input.is_empty() { Vec::new() } else { matches(list, input) };
        self.results.truncate(DOOR_RESULTS);
        self.selected = self.selected.min(self.results.len().saturating_sub(1));
        self.rejudge(list, complete)
    }

    /// The verdict on screen, judged again: a refreshed list may say something
    /// new about the same guest, and a NOT FOUND that waits for Floktu or for
    /// the list to load may have been found since. Returns true when the door
    /// should ring: the verdict turned into a refusal, or a provisional NOT
    /// FOUND became final.
    fn rejudge(&mut self, list: &GuestList, complete: bool) -> bool {
        let Some(result) = self.result.take() else { return false };
        let before = result.verdict();
        let mut final_not_found = false;
        let judged = match result {
            DoorResult::Guest { attendee_id, asked, check, .. } => match guest_by_attendee(list, attendee_id)
            {
                Some(i) => DoorResult::Guest { attendee_id, verdict: list.verdict(i), asked, check },
                None => DoorResult::NotFound { asked, check },
            },
            DoorResult::NotFound { asked, check } if matches!(check, Check::Checking | Check::Incomplete) => {
                let check = match check {
                    Check::Incomplete if complete => {
                        final_not_found = true;
                        Check::Checked { at: Utc::now() }
                    }
                    other => other,
                };
                match scan(list, &asked) {
                    Some(i) => {
                        final_not_found = false;
                        let check = if check == Check::Incomplete {
                            Check::Checked { at: Utc::now() }
                        } else {
                            check
                        };
                        DoorResult::Guest {
                            attendee_id: list.guests()[i].attendee.attendee_id,
                            verdict: list.verdict(i),
                            asked,
                            check,
                        }
                    }
                    None => DoorResult::NotFound { asked, check },
                }
            }
            other => other,
        };
        let after = judged.verdict();
        self.result = Some(judged);
        final_not_found || (after != before && is_refusal(&after))
    }

    /// Floktu answered (`Ok`) or not (`Err`, with when the data kept was
    /// fetched) for the order being re-checked, after `list` took the answer
    /// in: the verdict says so, judged again. Returns true when the door should
    /// ring (see [`Door::rejudge`]).
    pub fn rechecked(
        &mut self,
        list: &GuestList,
        order_id: u64,
        answered: Result<(), Option<DateTime<Utc>>>,
        complete: bool,
    ) -> bool {
        if self.rechecking != Some(order_id) {
            return false;
        }
        self.rechecking = None;
        let ring = self.rejudge(list, complete);
        if let Some(result) = &mut self.result {
            *result.check_mut() = match answered {
                Ok(()) => Check::Checked { at: Utc::now() },
                Err(data_from) => Check::Offline { data_from },
            };
        }
        ring
    }

    /// Floktu answered a look for new orders (`answered`), after the new
    /// orders went into `list`: a NOT FOUND on screen is judged again and
    /// becomes final unless the list is still loading. Returns true when the
    /// door should ring.
    pub fn looked(&mut self, list: &GuestList, token: u64, answered: bool, complete: bool) -> bool {
        if self.looking != Some(token) {
            return false;
        }
        self.looking = None;
        let ring = self.rejudge(list, complete);
        let Some(result) = &mut self.result else { return ring };
        let not_found = matches!(result, DoorResult::NotFound { .. });
        *result.check_mut() = match (answered, complete) {
            (true, true) => Check::Checked { at: Utc::now() },
            (true, false) if not_found => Check::Incomplete,
            (true, false) => Check::Checked { at: Utc::now() },
            (false, _) => Check::Offline { data_from: list.freshness().oldest },
        };
        // A scan that matches nobody after asking Floktu is a refusal.
        ring || (not_found && complete)
    }
}

/// What the door's input matches: digits are an exact order or attendee id
/// first, then any text match.
fn matches(list: &GuestList, input: &str) -> Vec<usize> {
    match as_id(input) {
        Some(id) => {
            let mut exact = list.lookup_id(id);
            for i in list.search(input) {
                if !exact.contains(&i) {
                    exact.push(i);
                }
            }
            exact
        }
        None => list.search(input),
    }
}

/// The guest a scan (digits) finds: an exact attendee or order id.
pub fn scan(list: &GuestList, asked: &str) -> Option<usize> {
    as_id(asked).and_then(|id| list.lookup_id(id).first().copied())
}

/// The guest with this attendee id.
pub fn guest_by_attendee(list: &GuestList, attendee_id: u64) -> Option<usize> {
    list.lookup_id(attendee_id)
        .into_iter()
        .find(|&i| list.guests().get(i).is_some_and(|g| g.attendee.attendee_id == attendee_id))
}

/// A verdict that keeps the guest out.
pub fn is_refusal(verdict: &Verdict) -> bool {
    !matches!(verdict, Verdict::Valid)
}

/// A run of digits (what a barcode scanner types) as an id.
pub fn as_id(input: &str) -> Option<u64> {
    let t = input.trim();
    (!t.is_empty() && t.len() <= 19 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}
