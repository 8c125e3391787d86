//! The door screen's state: the input, its live matches and the verdict of
//! the last lookup, judged from the guest list and the admissions ledger
//! (`ledger::judge`). Only `update` changes it.
//!
//! A scan judged VALID from the list is not shown VALID until the ledger has
//! committed its admission: until then the verdict is "admitting…"
//! ([`Entry::Admitting`]); the ledger's answer makes it VALID (admitted now) or
//! ALREADY ADMITTED (another gate was first).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::DoorBell;
use crate::guestlist::{GuestList, Verdict};
use crate::ledger::{Admission, DoorVerdict, Gate, Health, Refusal, judge};
use crate::tui::list::{List, RowsView};

/// This door: its gate and settings, and the ledger's state as last heard —
/// the same for every event the door opens.
#[derive(Debug)]
pub struct Station {
    /// The gate recorded with each admission.
    pub gate: Gate,
    /// `floktu door --kiosk`: the door cannot be left, emails and amounts are hidden.
    pub kiosk: bool,
    /// When the bell rings (`[door] bell`).
    pub bell: DoorBell,
    /// The questions whose answers the verdict shows (`[door] show_answers`); `None`: all.
    pub show_answers: Option<Vec<String>>,
    /// Reachable, and what waits in the local queue.
    pub ledger: Health,
    /// Why the ledger could not be opened or written, if it could not: nothing is recorded.
    pub ledger_error: Option<String>,
    /// When the door was last left: keys in the next [`AFTER_LEAVING`] are not acted on.
    pub left_at: Option<DateTime<Utc>>,
    /// Kiosk mode: Ctrl-C was pressed once; `y` quits, any other key stays.
    pub confirm_quit: bool,
    /// Admissions queued here while the ledger was away that it refused when
    /// they were replayed, oldest first: the door shows them in red.
    pub refused_on_replay: Vec<ReplayRefused>,
}

/// A queued admission the ledger refused on replay: the guest was let in here
/// while the ledger was unreachable, and another gate had admitted the ticket
/// meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayRefused {
    /// "Ann Lee (ticket 502)", or "ticket 502" when their event's list is not open.
    pub guest: String,
    /// The admission queued here, and the one that counts.
    pub refusal: Refusal,
}

impl Default for Station {
    fn default() -> Station {
        Station {
            gate: Gate::new("gate").unwrap_or_else(Gate::this_host),
            kiosk: false,
            bell: DoorBell::default(),
            show_answers: None,
            ledger: Health::default(),
            ledger_error: None,
            left_at: None,
            confirm_quit: false,
            refused_on_replay: Vec::new(),
        }
    }
}

/// How the TUI's door starts (`floktu door EVENT [--gate NAME] [--kiosk]`, or
/// the plain TUI, whose `d` opens the door).
#[derive(Clone, Debug)]
pub struct DoorStart {
    /// The admissions ledger to open; `None`: the door records nothing (tests).
    pub ledger: Option<crate::ledger::LedgerSpec>,
    /// This gate.
    pub gate: Gate,
    /// Cannot be left; emails and amounts hidden.
    pub kiosk: bool,
    /// `[door]` in config.toml.
    pub settings: crate::config::Door,
    /// Open the door for this event at once.
    pub event: Option<crate::api::Event>,
}

impl DoorStart {
    /// The door's station as these settings make it.
    pub fn station(&self) -> Station {
        Station {
            gate: self.gate.clone(),
            kiosk: self.kiosk,
            bell: self.settings.bell,
            show_answers: self.settings.show_answers.clone(),
            ..Station::default()
        }
    }
}

/// How many BEL bytes to write after a frame for which `update` asked for the
/// bell: at the door, the pattern of the verdict on screen as `[door] bell`
/// allows; elsewhere one.
pub fn bells(app: &super::app::App) -> usize {
    let on_screen = app.guests.as_ref().and_then(|g| g.door.result.as_ref());
    match (app.screen, on_screen) {
        (super::app::Screen::Door, Some(result)) => result.headline().rings(app.station.bell),
        (super::app::Screen::Door, None) => 0,
        _ => 1,
    }
}

/// Keys typed this soon after leaving the door are dropped: a scan or a name
/// typed just as the door closed must not act on the lists.
pub const AFTER_LEAVING: chrono::TimeDelta = chrono::TimeDelta::milliseconds(500);

impl Station {
    /// True while keys are still dropped after leaving the door.
    pub fn just_left(&self, now: DateTime<Utc>) -> bool {
        self.left_at.is_some_and(|at| now >= at && now - at < AFTER_LEAVING)
    }
}

/// Where a guest's admission stands with the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Nothing to admit: the verdict is a refusal.
    None,
    /// Sent to the ledger (the answer carries `token`); VALID waits for the commit.
    Admitting {
        /// Tags the ledger's answer.
        token: u64,
    },
    /// Admitted by this scan: committed, or queued durably while the ledger is away.
    Admitted {
        /// The admission.
        admission: Admission,
        /// Queued: the ledger could not be reached.
        queued: bool,
    },
    /// The ledger could not record it, so they were not admitted.
    Failed(String),
    /// Admitted by this scan, then undone at this gate (Ctrl-Z).
    Undone,
}

/// One guest of an order scan besides the one headlined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The attendee.
    pub attendee_id: u64,
    /// The guest list's verdict.
    pub verdict: Verdict,
    /// The verdict with the ledger in it.
    pub door: DoorVerdict,
    /// Their admission.
    pub entry: Entry,
}

/// What the big block says for a verdict on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Headline {
    /// Waiting for the ledger to commit the admission.
    Admitting,
    /// The ledger failed: not admitted.
    NotRecorded(String),
    /// The admission was undone (Ctrl-Z).
    Undone,
    /// The verdict.
    Verdict(DoorVerdict),
}

impl Headline {
    /// True for what keeps the guest out.
    pub fn is_refusal(&self) -> bool {
        match self {
            Headline::Admitting | Headline::Undone => false,
            Headline::NotRecorded(_) => true,
            Headline::Verdict(v) => !v.admits(),
        }
    }

    /// How many times the bell rings for it: 1 for VALID (only with `bell =
    /// "all"`), NOT FOUND and WRONG EVENT; 2 for ALREADY ADMITTED, ALREADY
    /// CHECKED IN and UNCONFIRMED; 3 for CANCELLED and an admission not recorded.
    pub fn rings(&self, bell: DoorBell) -> usize {
        let n = match self {
            Headline::Admitting | Headline::Undone => 0,
            Headline::NotRecorded(_) => 3,
            Headline::Verdict(v) => match v {
                DoorVerdict::Valid | DoorVerdict::NotFound | DoorVerdict::WrongEvent { .. } => 1,
                DoorVerdict::AlreadyAdmitted { .. }
                | DoorVerdict::AlreadyCheckedIn { .. }
                | DoorVerdict::Unconfirmed => 2,
                DoorVerdict::Cancelled => 3,
            },
        };
        match bell {
            DoorBell::Off => 0,
            DoorBell::All => n,
            DoorBell::Refusals if self.is_refusal() => n,
            DoorBell::Refusals => 0,
        }
    }
}

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
#[allow(clippy::large_enum_variant)] // one on screen at a time
pub enum DoorResult {
    /// An attendee (by id: positions move while a list loads).
    Guest {
        /// The attendee.
        attendee_id: u64,
        /// Their verdict from the guest list.
        verdict: Verdict,
        /// What was typed or scanned.
        asked: String,
        /// How it stands with Floktu.
        check: Check,
        /// The verdict with the ledger in it, as shown.
        door: DoorVerdict,
        /// Their admission.
        entry: Entry,
        /// For an order scan, the order's other guests (each admitted if valid).
        group: Vec<Member>,
    },
    /// Nobody matched what was typed or scanned.
    NotFound {
        /// What was typed or scanned.
        asked: String,
        /// How it stands with Floktu.
        check: Check,
        /// Another cached event whose list has this ticket: WRONG EVENT.
        elsewhere: Option<String>,
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

    /// The guest list's verdict (NOT FOUND when nobody matched).
    pub fn verdict(&self) -> Verdict {
        match self {
            DoorResult::Guest { verdict, .. } => verdict.clone(),
            DoorResult::NotFound { .. } => Verdict::NotFound,
        }
    }

    /// What the big block says: "admitting…" until the ledger answered.
    pub fn headline(&self) -> Headline {
        match self {
            DoorResult::Guest { door, entry, .. } if door.admits() => match entry {
                Entry::Admitting { .. } => Headline::Admitting,
                Entry::Failed(why) => Headline::NotRecorded(why.clone()),
                Entry::Undone => Headline::Undone,
                Entry::None | Entry::Admitted { .. } => Headline::Verdict(door.clone()),
            },
            DoorResult::Guest { door, .. } => Headline::Verdict(door.clone()),
            DoorResult::NotFound { elsewhere: Some(event), .. } => {
                Headline::Verdict(DoorVerdict::WrongEvent { event: event.clone() })
            }
            DoorResult::NotFound { .. } => Headline::Verdict(DoorVerdict::NotFound),
        }
    }

    /// Every guest of the scan, the headlined one first: (attendee, door verdict, entry).
    pub fn guests(&self) -> Vec<(u64, &DoorVerdict, &Entry)> {
        match self {
            DoorResult::Guest { attendee_id, door, entry, group, .. } => {
                std::iter::once((*attendee_id, door, entry))
                    .chain(group.iter().map(|m| (m.attendee_id, &m.door, &m.entry)))
                    .collect()
            }
            DoorResult::NotFound { .. } => Vec::new(),
        }
    }

    /// For an order scan: "3 admitted now, 1 already checked in".
    pub fn group_summary(&self) -> Option<String> {
        let guests = self.guests();
        if guests.len() < 2 {
            return None;
        }
        let admitted = guests.iter().filter(|(_, _, e)| matches!(e, Entry::Admitted { .. })).count();
        let admitting = guests.iter().filter(|(_, _, e)| matches!(e, Entry::Admitting { .. })).count();
        let mut parts = vec![format!("{admitted} admitted now")];
        if admitting > 0 {
            parts.push(format!("{admitting} admitting…"));
        }
        let mut words: Vec<&'static str> = Vec::new();
        for (_, door, entry) in &guests {
            if matches!(entry, Entry::None) && !words.contains(&door.word()) {
                words.push(door.word());
            }
        }
        for w in words {
            let n = guests.iter().filter(|(_, d, e)| matches!(e, Entry::None) && d.word() == w).count();
            parts.push(format!("{n} {}", w.to_lowercase()));
        }
        let failed = guests.iter().filter(|(_, _, e)| matches!(e, Entry::Failed(_))).count();
        if failed > 0 {
            parts.push(format!("{failed} not recorded"));
        }
        let undone = guests.iter().filter(|(_, _, e)| matches!(e, Entry::Undone)).count();
        if undone > 0 {
            parts.push(format!("{undone} undone"));
        }
        Some(parts.join(", "))
    }

    /// The ledger answered admission `token`: the guest it concerns takes the
    /// answer in. False when no guest on screen waited for it.
    pub fn admitted(&mut self, token: u64, answer: &AdmitAnswer) -> bool {
        let DoorResult::Guest { verdict, door, entry, group, .. } = self else { return false };
        let waiting = |e: &Entry| matches!(e, Entry::Admitting { token: t } if *t == token);
        if waiting(entry) {
            (*door, *entry) = answer.apply(verdict);
            return true;
        }
        match group.iter_mut().find(|m| waiting(&m.entry)) {
            Some(m) => {
                (m.door, m.entry) = answer.apply(&m.verdict);
                true
            }
            None => false,
        }
    }
}

/// What the ledger said to one admission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdmitAnswer {
    /// Let in: recorded, or queued while the ledger is away.
    In {
        /// The admission.
        admission: Admission,
        /// Queued.
        queued: bool,
    },
    /// Admitted before, here or at another gate: the admission that counts.
    Already(Admission),
    /// The ledger failed: not recorded.
    Failed(crate::ledger::LedgerError),
}

impl AdmitAnswer {
    fn apply(&self, list: &Verdict) -> (DoorVerdict, Entry) {
        match self {
            AdmitAnswer::In { admission, queued } => {
                (DoorVerdict::Valid, Entry::Admitted { admission: admission.clone(), queued: *queued })
            }
            AdmitAnswer::Already(winner) => (judge(list, Some(winner)), Entry::None),
            AdmitAnswer::Failed(why) => (judge(list, None), Entry::Failed(why.to_string())),
        }
    }
}

/// The verdict shown for a guest whose list verdict is `list`, whose admission
/// that counts is `admission`, and who stands as `entry` with this scan: a guest
/// this scan admitted (or is admitting) stays VALID unless the list now refuses
/// them (a re-check with Floktu found the order cancelled).
pub fn door_verdict(list: &Verdict, admission: Option<&Admission>, entry: &Entry) -> DoorVerdict {
    match entry {
        Entry::Admitting { .. } | Entry::Admitted { .. }
            if matches!(list, Verdict::Valid | Verdict::AlreadyCheckedIn { .. }) =>
        {
            DoorVerdict::Valid
        }
        _ => judge(list, admission),
    }
}

/// The door screen: one input, live matches, the verdict of the last lookup.
#[derive(Debug, Default)]
pub struct Door {
    /// What is typed (or scanned).
    pub input: String,
    /// Guest positions matching the input, best first (at most
    /// [`DOOR_RESULTS`]).
    pub results: Vec<usize>,
    /// The input's text matches over the whole list, as every list filters:
    /// typing on rescans only the last key's matches.
    search: List,
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
    /// The event's admissions that count, by attendee, as the ledger last said
    /// (loaded as the door opens, kept up to date by this door's own admissions).
    pub admissions: HashMap<u64, Admission>,
    /// Scans (lookups) made at this door: every scan visibly registers.
    pub scans: u64,
    /// When the verdict on screen was asked for.
    pub scanned_at: Option<DateTime<Utc>>,
    /// Admissions to send to the ledger (a guest found late, once the list
    /// loaded): `update` turns them into commands.
    pub to_admit: Vec<ToAdmit>,
    /// Tags admissions sent to the ledger.
    pub next_token: u64,
}

/// An admission for `update` to send to the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToAdmit {
    /// Tags the ledger's answer.
    pub token: u64,
    /// The attendee.
    pub attendee_id: u64,
    /// Their order.
    pub order_id: u64,
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
        self.search.edit_query(|q| {
            if q != input {
                q.clear();
                q.push_str(input);
            }
        });
        let facts = crate::guestlist::GuestFacts { list, admitted: Some(&self.admissions) };
        self.search.refilter(RowsView { text: list.search_text(), starts: list.search_starts() }, &facts);
        self.results = if input.is_empty() { Vec::new() } else { self.matches(list, input) };
        self.selected = self.selected.min(self.results.len().saturating_sub(1));
        self.rejudge(list, complete)
    }

    /// The guest list's rows changed (`len` guests now): the next
    /// [`Door::refresh`] searches them all again.
    pub fn rows_changed(&mut self, len: usize) {
        self.search.rows_changed(len);
    }

    /// What the input matches, at most [`DOOR_RESULTS`]: digits are an exact
    /// order or attendee id first, then any text match.
    fn matches(&self, list: &GuestList, input: &str) -> Vec<usize> {
        let mut out = as_id(input).map(|id| list.lookup_id(id)).unwrap_or_default();
        let exact = out.len();
        let text = self.search.visible().filter(|i| !out[..exact].contains(i));
        let text: Vec<usize> = text.take(DOOR_RESULTS).collect();
        out.extend(text);
        out.truncate(DOOR_RESULTS);
        out
    }

    /// The verdict on screen, judged again: a refreshed list may say something
    /// new about the same guest, and a NOT FOUND that waits for Floktu or for
    /// the list to load may have been found since. Returns true when the door
    /// should ring: the verdict turned into a refusal, or a provisional NOT
    /// FOUND became final.
    fn rejudge(&mut self, list: &GuestList, complete: bool) -> bool {
        let Some(result) = self.result.take() else { return false };
        let before = result.headline();
        let mut final_not_found = false;
        let judged = match result {
            DoorResult::Guest { attendee_id, asked, check, entry, mut group, .. } => {
                match guest_by_attendee(list, attendee_id) {
                    Some(i) => {
                        let verdict = list.verdict(i);
                        for m in &mut group {
                            if let Some(j) = guest_by_attendee(list, m.attendee_id) {
                                m.verdict = list.verdict(j);
                                m.door =
                                    door_verdict(&m.verdict, self.admissions.get(&m.attendee_id), &m.entry);
                            }
                        }
                        let door = door_verdict(&verdict, self.admissions.get(&attendee_id), &entry);
                        DoorResult::Guest { attendee_id, verdict, asked, check, door, entry, group }
                    }
                    None => DoorResult::NotFound { asked, check, elsewhere: None },
                }
            }
            DoorResult::NotFound { asked, check, elsewhere }
                if matches!(check, Check::Checking | Check::Incomplete) =>
            {
                let check = match check {
                    Check::Incomplete if complete => {
                        final_not_found = true;
                        Check::Checked { at: Utc::now() }
                    }
                    other => other,
                };
                match scan(list, &asked) {
                    Some(i) => {
                        // Found late (the list was still loading, or Floktu had a new
                        // order): judged as a scan is, and admitted if valid.
                        final_not_found = false;
                        let check = if check == Check::Incomplete {
                            Check::Checked { at: Utc::now() }
                        } else {
                            check
                        };
                        self.judge_scan(list, i, asked, check)
                    }
                    None => DoorResult::NotFound { asked, check, elsewhere },
                }
            }
            other => other,
        };
        let after = judged.headline();
        self.result = Some(judged);
        final_not_found || (after != before && after.is_refusal())
    }

    /// The verdict of a scan (or a pick) that found guest `found` in `list`:
    /// that guest, or for an order's id every guest of the order. Each one the
    /// list lets in goes to the ledger (`to_admit`) and waits for its answer.
    /// The headline is the guest found, or for an order the first it admits.
    pub fn judge_scan(&mut self, list: &GuestList, found: usize, asked: String, check: Check) -> DoorResult {
        let guest = &list.guests()[found];
        let order_id = guest.order.id;
        // An order's id (not an attendee's): every guest of the order.
        let order_scan = as_id(&asked).is_some_and(|id| id == order_id && id != guest.attendee.attendee_id);
        let party: Vec<usize> = if order_scan {
            list.lookup_id(order_id).into_iter().filter(|&j| list.guests()[j].order.id == order_id).collect()
        } else {
            vec![found]
        };
        let mut members: Vec<Member> = party.into_iter().map(|j| self.judge_guest(list, j)).collect();
        let first = members.iter().position(|m| m.door.admits()).unwrap_or(0);
        let head = members.remove(first);
        DoorResult::Guest {
            attendee_id: head.attendee_id,
            verdict: head.verdict,
            asked,
            check,
            door: head.door,
            entry: head.entry,
            group: members,
        }
    }

    /// One guest of a scan. What the list says decides whether to ask the
    /// ledger: the admissions known here may be stale (an undo at another
    /// gate), and the ledger's answer (admitted now, or already) is the one
    /// that counts.
    fn judge_guest(&mut self, list: &GuestList, guest: usize) -> Member {
        let g = &list.guests()[guest];
        let attendee_id = g.attendee.attendee_id;
        let verdict = list.verdict(guest);
        let listed = judge(&verdict, None);
        if !listed.admits() {
            let door = judge(&verdict, self.admissions.get(&attendee_id));
            return Member { attendee_id, verdict, door, entry: Entry::None };
        }
        self.next_token += 1;
        let token = self.next_token;
        self.to_admit.push(ToAdmit { token, attendee_id, order_id: g.order.id });
        Member { attendee_id, verdict, door: listed, entry: Entry::Admitting { token } }
    }

    /// Admission `a` was undone at this gate: it no longer counts, and a
    /// verdict on screen that made it says UNDONE.
    pub fn undone(&mut self, a: &Admission) {
        if self.admissions.get(&a.attendee_id).is_some_and(|b| b.at == a.at && b.gate == a.gate) {
            self.admissions.remove(&a.attendee_id);
        }
        let Some(DoorResult::Guest { attendee_id, entry, group, .. }) = &mut self.result else { return };
        let made = |e: &Entry| matches!(e, Entry::Admitted { admission, .. } if admission.at == a.at);
        if *attendee_id == a.attendee_id && made(entry) {
            *entry = Entry::Undone;
        }
        for m in group.iter_mut().filter(|m| m.attendee_id == a.attendee_id && made(&m.entry)) {
            m.entry = Entry::Undone;
        }
    }

    /// The ledger answered admission `token` for `attendee_id`: the record
    /// keeps the admission that counts, and the verdict on screen takes the
    /// answer in. Returns the verdict to ring for, when it changed.
    pub fn take_admission(&mut self, token: u64, attendee_id: u64, answer: &AdmitAnswer) -> Option<Headline> {
        match answer {
            AdmitAnswer::In { admission, .. } | AdmitAnswer::Already(admission) => {
                self.admissions.insert(attendee_id, admission.clone());
            }
            AdmitAnswer::Failed(_) => {}
        }
        let result = self.result.as_mut()?;
        result.admitted(token, answer).then(|| result.headline())
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

/// A run of digits (what a barcode scanner types) as an id.
pub fn as_id(input: &str) -> Option<u64> {
    let t = input.trim();
    (!t.is_empty() && t.len() <= 19 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}
