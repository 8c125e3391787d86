//! The one list model every TUI list uses (events, orders, an order's
//! attendees, the event's attendees): how many items there are, the filter
//! typed and its matches (best first, from `search`), the selection, and where
//! the view scrolled to.
//!
//! A `List` holds positions, not items: the items stay where they are (a
//! `Vec`, a `GuestList`), and their folded search rows are handed in when the
//! filter runs ([`Rows`] for lists that fold their own, or a guest list's
//! `search_text()` / `search_starts()`). Ranking runs only when the query or the
//! rows changed; a query that narrows the last one rescans only its matches;
//! the view asks for the rows that fit on screen only.

use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;
use std::ops::Range;

use crate::search::{self, Facts, Matcher, Qualifier, Query, ROW_END};

/// Folded search rows in one text, row `i` starting at `starts[i]`: the shape
/// the guest list keeps, built here for lists that have none of their own.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    text: String,
    starts: Vec<u32>,
}

impl Rows {
    /// One row per item, from its fields (the first being the name).
    pub fn new<'a, F>(items: impl IntoIterator<Item = F>) -> Rows
    where
        F: IntoIterator<Item = &'a str>,
    {
        let mut rows = Rows::default();
        for fields in items {
            rows.starts.push(rows.text.len() as u32);
            search::fold_row_into(fields, &mut rows.text);
            rows.text.push(ROW_END);
        }
        rows
    }

    /// The rows as the filter reads them.
    pub fn view(&self) -> RowsView<'_> {
        RowsView { text: &self.text, starts: &self.starts }
    }
}

/// Borrowed folded rows: a text and where each row starts.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowsView<'a> {
    /// Every row, each ending in `ROW_END`.
    pub text: &'a str,
    /// Where row `i` starts in `text`.
    pub starts: &'a [u32],
}

impl<'a> RowsView<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Row `i` (empty when out of range).
    pub fn row(&self, i: u32) -> &'a str {
        let i = i as usize;
        let Some(&start) = self.starts.get(i) else { return "" };
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start as usize..end).unwrap_or("")
    }
}

/// What a list can be sorted by (`o` cycles through the keys a list has).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SortKey {
    /// The name, folded (the first field of the row).
    Name,
    /// The id (order or attendee).
    Id,
    /// What the order costs.
    Amount,
    /// What the order still owes.
    Due,
    /// When the guest was checked in or admitted (never: last).
    CheckIn,
}

impl SortKey {
    /// How the list's title names it.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Id => "id",
            SortKey::Amount => "amount",
            SortKey::Due => "due",
            SortKey::CheckIn => "check-in time",
        }
    }
}

/// How a list is sorted: by a key, maybe reversed. Without one a list keeps
/// its own order (Floktu's), and a filter shows its best matches first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    /// The key.
    pub key: SortKey,
    /// Largest first (`O`).
    pub reverse: bool,
}

/// One item's value under a [`SortKey`]: items without one sort last.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    /// A number (ids, minor units, seconds).
    Number(i64),
    /// Text, folded.
    Text(String),
    /// No value (an order whose details are not known yet).
    Missing,
}

/// The items `0..len` in the order `sort` gives, by `value`; ties, and
/// items without a value, stay in their own order (a stable sort), and items
/// without a value come last either way.
pub fn sorted_items(len: usize, sort: Sort, value: impl Fn(usize) -> SortValue) -> Vec<u32> {
    let mut keyed: Vec<(SortValue, u32)> = (0..len).map(|i| (value(i), i as u32)).collect();
    keyed.sort_by(|(a, i), (b, j)| {
        let by_value = match (a, b) {
            (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
            (SortValue::Missing, _) => Ordering::Greater,
            (_, SortValue::Missing) => Ordering::Less,
            _ if sort.reverse => b.cmp(a),
            _ => a.cmp(b),
        };
        by_value.then(i.cmp(j))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// What a list knows of its items' sort values beyond their names (the
/// name is the first field of the row, read by [`Rows`] owners).
pub trait Sorting {
    /// Item `item`'s value under `key` (never asked for [`SortKey::Name`]).
    fn value(&self, item: usize, key: SortKey) -> SortValue;
}

impl Sorting for search::NoFacts {
    fn value(&self, _: usize, _: SortKey) -> SortValue {
        SortValue::Missing
    }
}

/// Computes `list`'s sort order if it needs one, names read from `rows`.
pub fn order_list(list: &mut List, rows: RowsView<'_>, sorting: &dyn Sorting) {
    if let Some(sort) = list.needs_order() {
        let order = sorted_items(rows.len(), sort, |i| match sort.key {
            SortKey::Name => SortValue::Text(search::field(rows.row(i as u32), 0).to_string()),
            key => sorting.value(i, key),
        });
        list.set_order(order);
    }
}

/// The sort order in force: the items in order, and each item's place in it.
#[derive(Debug, Default)]
struct Order {
    items: Vec<u32>,
    place: Vec<u32>,
}

/// A list on screen: its length, filter, matches, selection and scroll.
#[derive(Debug, Default)]
pub struct List {
    /// What was typed into the filter.
    query: String,
    /// The filter line has the keyboard.
    pub editing: bool,
    /// `query`, parsed, as the matches answer it.
    parsed: Query,
    /// Item positions the filter keeps, best first; `None` without a filter.
    matches: Option<Vec<u32>>,
    /// The query changed since the matches were found; `true` when it may
    /// only narrow them.
    query_changed: Option<bool>,
    /// The rows changed since the matches were found.
    rows_changed: bool,
    /// The matches of the query without its last term, while the terms
    /// before the last stay as they are: editing the last term of `anna
    /// nguyen` rescans only the rows that match `anna`.
    before_last: Option<(Query, Vec<u32>)>,
    /// The items the query's qualifiers keep, in row order, while the
    /// qualifiers and the rows stay as they are: editing the text of
    /// `is:due anna` does not ask every item again.
    qualified: Option<(Vec<Qualifier>, Vec<u32>)>,
    /// The sort asked for, if any.
    sort: Option<Sort>,
    /// The order `sort` gives, once computed for the rows as they are.
    order: Option<Order>,
    /// Items in the list.
    len: usize,
    /// The selected row among the visible ones.
    selected: usize,
    /// The first row the view showed last time: the one thing a view writes,
    /// so that scrolling keeps its place instead of recentring on every move.
    scroll: Cell<usize>,
    matcher: Matcher,
}

impl List {
    /// What was typed into the filter.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The query the visible rows answer (for highlighting).
    pub fn parsed(&self) -> &Query {
        &self.parsed
    }

    /// True when a filter is in force (something that parses to terms).
    pub fn is_filtered(&self) -> bool {
        self.matches.is_some()
    }

    /// Items in the list, filtered or not.
    pub fn total(&self) -> usize {
        self.len
    }

    /// Rows visible under the filter.
    pub fn visible_len(&self) -> usize {
        self.matches.as_ref().map_or(self.len, Vec::len)
    }

    /// The item behind visible row `row`.
    pub fn item_at(&self, row: usize) -> Option<usize> {
        match (&self.matches, &self.order) {
            (Some(m), _) => m.get(row).map(|&i| i as usize),
            (None, Some(order)) => order.items.get(row).map(|&i| i as usize),
            (None, None) => (row < self.len).then_some(row),
        }
    }

    /// The selected row among the visible ones.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected item.
    pub fn selected_item(&self) -> Option<usize> {
        self.item_at(self.selected)
    }

    /// Every visible item, in display order.
    pub fn visible(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.visible_len()).filter_map(|r| self.item_at(r))
    }

    /// The visible row that shows `item`.
    pub fn row_of(&self, item: usize) -> Option<usize> {
        match (&self.matches, &self.order) {
            (Some(m), _) => m.iter().position(|&i| i as usize == item),
            (None, Some(order)) => order.place.get(item).map(|&p| p as usize),
            (None, None) => (item < self.len).then_some(item),
        }
    }

    /// The first row the view showed last time (where a mouse click counts from).
    pub fn first_shown(&self) -> usize {
        self.scroll.get()
    }

    /// True when the matches or their order read more than the rows: a
    /// qualifier, or a sort by something other than the name.
    pub fn reads_facts(&self) -> bool {
        !Query::parse(&self.query).qualifiers().is_empty()
            || self.sort.is_some_and(|s| s.key != SortKey::Name)
    }

    /// The sort asked for.
    pub fn sort(&self) -> Option<Sort> {
        self.sort
    }

    /// Sorts by `sort` (`None`: the list's own order, best matches first).
    /// The order follows when the owner hands it in ([`List::needs_order`]).
    pub fn set_sort(&mut self, sort: Option<Sort>) {
        if sort != self.sort {
            self.sort = sort;
            self.order = None;
            // The matches are ranked again: best first, or in the new order.
            self.query_changed = Some(false);
        }
    }

    /// The sort the owner should compute the order of ([`sorted_items`]) and
    /// hand in with [`List::set_order`] before the next refilter.
    pub fn needs_order(&self) -> Option<Sort> {
        self.sort.filter(|_| self.order.is_none() || self.rows_changed)
    }

    /// The items in the order of the sort in force ([`List::needs_order`]).
    pub fn set_order(&mut self, items: Vec<u32>) {
        let mut place = vec![0; items.len()];
        for (p, &i) in items.iter().enumerate() {
            if let Some(slot) = place.get_mut(i as usize) {
                *slot = p as u32;
            }
        }
        self.order = Some(Order { items, place });
        self.query_changed.get_or_insert(false);
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        let len = self.visible_len();
        self.selected =
            if len == 0 { 0 } else { (self.selected as isize + delta).clamp(0, len as isize - 1) as usize };
    }

    /// Selects the first or the last row.
    pub fn move_to(&mut self, last: bool) {
        self.selected = if last { self.visible_len().saturating_sub(1) } else { 0 };
    }

    /// Selects the row showing `item`, if it is visible.
    pub fn select_item(&mut self, item: usize) {
        if let Some(row) = self.row_of(item) {
            self.selected = row;
        }
    }

    /// Changes the filter text; the matches follow at the next [`List::refilter`].
    pub fn edit_query(&mut self, edit: impl FnOnce(&mut String)) {
        let before = self.query.clone();
        edit(&mut self.query);
        if self.query != before {
            // Typing on may only narrow; anything else (a deletion, a paste
            // that replaces) ranks again from all rows, unless parsing says so.
            let narrows = Query::parse(&self.query).narrows(&self.parsed) && self.matches.is_some();
            self.query_changed = Some(self.query_changed.unwrap_or(true) && narrows);
        }
    }

    /// The rows changed (items came, went or were replaced): `len` items now.
    /// The selection keeps its row (clamped); [`List::select_item`] after the
    /// next refilter follows an item instead.
    pub fn rows_changed(&mut self, len: usize) {
        self.len = len;
        self.rows_changed = true;
    }

    /// True when the matches do not answer the query or the rows any more.
    pub fn is_stale(&self) -> bool {
        self.rows_changed || self.query_changed.is_some()
    }

    /// Runs the filter when the query or the rows changed since last time, over
    /// `rows` (one per item). Keeps the selected item selected when it is still
    /// visible; else selects the best match.
    pub fn refilter(&mut self, rows: RowsView<'_>, facts: &dyn Facts) {
        if !self.is_stale() {
            return;
        }
        let rows_changed = self.rows_changed;
        let (keep_item, keep_row) = (self.selected_item(), self.selected);
        let narrowing = !rows_changed && self.query_changed == Some(true);
        self.rows_changed = false;
        self.query_changed = None;
        self.len = rows.len();
        let query = Query::parse(&self.query);
        let before_last = query.without_last();
        if rows_changed || self.before_last.as_ref().is_some_and(|(q, _)| Some(q) != before_last.as_ref()) {
            self.before_last = None;
        }
        let quals = query.qualifiers();
        // Qualifiers that only narrow the last ones (`answer:v` → `answer:ve`)
        // ask only the items those kept.
        let mut narrowed: Option<Vec<u32>> = None;
        if rows_changed {
            self.qualified = None;
        } else if self.qualified.as_ref().is_some_and(|(q, _)| q != quals) {
            narrowed = self
                .qualified
                .take()
                .filter(|(old, _)| old.iter().all(|o| quals.iter().any(|n| n.implies(o))))
                .map(|(_, kept)| kept);
        }
        if self.qualified.is_none() && !quals.is_empty() {
            let keeps = |&i: &u32| query.keeps(facts, i, rows.row(i));
            let kept = match narrowed {
                Some(previous) => previous.into_iter().filter(keeps).collect(),
                None => (0..rows.len() as u32).filter(keeps).collect(),
            };
            self.qualified = Some((quals.to_vec(), kept));
        }
        if let (Some(q), Some(previous), None) = (&before_last, &self.matches, &self.before_last)
            && *q == self.parsed
            && !rows_changed
        {
            // A new last term: the matches so far are what it may narrow.
            let mut previous = previous.clone();
            previous.sort_unstable();
            self.before_last = Some((q.clone(), previous));
        }
        self.matches = if query.is_empty() {
            None
        } else {
            let (text, starts) = (rows.text, rows.starts);
            // The rows worth a look, in row order (so that ties rank as a
            // fresh search ranks them): the last matches when the query
            // narrows them, else those of the terms before the last; and of
            // those, the ones the qualifiers keep.
            let scope: Option<Cow<'_, [u32]>> = match (self.matches.take(), &self.before_last) {
                (Some(mut previous), _) if narrowing => {
                    previous.sort_unstable();
                    Some(Cow::Owned(previous))
                }
                (_, Some((_, candidates))) => Some(Cow::Borrowed(candidates.as_slice())),
                _ => None,
            };
            let qualified = self.qualified.as_ref().map(|(_, kept)| kept.as_slice());
            let scope = match (scope, qualified) {
                (None, q) => q.map(Cow::Borrowed),
                (Some(s), None) => Some(s),
                (Some(s), Some(q)) => Some(Cow::Owned(intersect(&s, q))),
            };
            let mut found = self.matcher.rank_rows(&query, text, starts, scope.as_deref());
            if let Some(order) = &self.order {
                found.sort_by_key(|&i| order.place.get(i as usize).copied().unwrap_or(u32::MAX));
            }
            Some(found)
        };
        self.parsed = query;
        if rows_changed {
            // Rows arriving keep the selection's row and the view's place.
            self.selected = keep_row;
        } else {
            self.selected = keep_item.and_then(|i| self.row_of(i)).unwrap_or(0);
            self.scroll.set(0);
        }
        self.move_by(0);
    }

    /// The visible rows that fit in `height`, keeping the selection on screen
    /// and moving as little as possible from where the view was last time.
    pub fn window(&self, height: usize) -> Range<usize> {
        let len = self.visible_len();
        let start = window_start(self.selected, len, height, self.scroll.get());
        self.scroll.set(start);
        start..len.min(start + height)
    }
}

/// The items in both sorted lists, in order.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(x);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The first visible row so that `selected` is on screen, moving as little as
/// possible from `last`.
pub fn window_start(selected: usize, len: usize, height: usize, last: usize) -> usize {
    if height == 0 || len == 0 {
        return 0;
    }
    let mut start = last.min(len.saturating_sub(1));
    if selected < start {
        start = selected;
    } else if selected >= start + height {
        start = selected + 1 - height;
    }
    start.min(len.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Rows {
        Rows::new([
            ["Ann Lee", "ann@example.com"],
            ["Bo Chen", "bo@example.org"],
            ["Annika Berg", ""],
            ["Zoë Ångström", ""],
        ])
    }

    fn filtered(query: &str) -> List {
        let rows = rows();
        let mut list = List::default();
        list.rows_changed(4);
        list.edit_query(|q| q.push_str(query));
        list.refilter(rows.view(), &search::NoFacts);
        list
    }

    #[test]
    fn a_filter_keeps_matching_items_best_first() {
        let list = filtered("ann");
        assert_eq!(list.visible().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(list.total(), 4);
    }

    #[test]
    fn typing_on_narrows_and_finds_what_a_fresh_search_finds() {
        let rows = rows();
        let mut list = filtered("an");
        list.edit_query(|q| q.push_str("ni"));
        list.refilter(rows.view(), &search::NoFacts);
        assert_eq!(list.visible().collect::<Vec<_>>(), filtered("anni").visible().collect::<Vec<_>>());
    }

    #[test]
    fn accents_are_folded() {
        assert_eq!(filtered("angstrom").visible().collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn the_selected_item_stays_selected_while_it_is_visible() {
        let rows = rows();
        let mut list = filtered("");
        list.move_by(2);
        assert_eq!(list.selected_item(), Some(2));
        list.edit_query(|q| q.push_str("ann"));
        list.refilter(rows.view(), &search::NoFacts);
        assert_eq!(list.selected_item(), Some(2));
        list.edit_query(|q| *q = "bo".into());
        list.refilter(rows.view(), &search::NoFacts);
        assert_eq!(list.selected_item(), Some(1));
    }

    #[test]
    fn window_keeps_its_place_while_the_selection_is_visible() {
        assert_eq!(window_start(5, 100, 10, 0), 0);
        assert_eq!(window_start(10, 100, 10, 0), 1);
        assert_eq!(window_start(12, 100, 10, 5), 5);
        assert_eq!(window_start(3, 100, 10, 5), 3);
        assert_eq!(window_start(99, 100, 10, 0), 90);
        assert_eq!(window_start(0, 0, 10, 7), 0);
        assert_eq!(window_start(4, 5, 10, 3), 0);
    }
}
