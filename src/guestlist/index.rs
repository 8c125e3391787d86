//! The search text and the id maps: how a [`GuestList`] finds guests by what
//! is typed ([`crate::search`]'s matcher over one folded text, a row per
//! guest) and by a scanned id.

use std::ops::Deref;

use bytes::Bytes;
use bytestring::ByteString;

use super::fast_hash::FastMap;
use super::{Guest, GuestList, PartsMismatch, fold_into};

/// Between two fields of a guest in the search text: never in folded text, so
/// a match cannot run from one field into the next.
const FIELD_SEP: char = '\u{1f}';
/// After each guest in the search text.
const GUEST_END: char = '\n';

/// The folded search text of every guest, a row each. A list opened from the
/// cache reads it where the file's bytes are (14 MB for 100,000 guests, not
/// copied when the list opens); the list's first change of it makes it its own.
#[derive(Clone, Debug, Default)]
pub struct SearchText {
    /// The text, while it is shared; `own` is then empty.
    shared: Option<ByteString>,
    own: String,
}

impl SearchText {
    /// `bytes` as the text, kept where they are; `None` if they are not UTF-8.
    pub fn shared(bytes: Bytes) -> Option<SearchText> {
        // Checked with SIMD: 2.4 ms for the 14 MB of 100,000 guests where the
        // standard library's check takes 6.4 ms (`ByteString::try_from` uses it).
        simdutf8::basic::from_utf8(&bytes).ok()?;
        // SAFETY: `bytes` was checked to be UTF-8 just above, and `Bytes` never changes.
        let shared = unsafe { ByteString::from_bytes_unchecked(bytes) };
        Some(SearchText { shared: Some(shared), own: String::new() })
    }

    /// The text, to change: copied out of where it was shared first.
    pub(super) fn to_mut(&mut self) -> &mut String {
        if let Some(shared) = self.shared.take() {
            self.own = shared.to_string();
        }
        &mut self.own
    }
}

impl Deref for SearchText {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.shared {
            Some(shared) => shared,
            None => &self.own,
        }
    }
}

impl PartialEq for SearchText {
    fn eq(&self, other: &SearchText) -> bool {
        **self == **other
    }
}

impl Eq for SearchText {}

impl From<String> for SearchText {
    fn from(own: String) -> SearchText {
        SearchText { shared: None, own }
    }
}

impl GuestList {
    /// Guests that `query` finds by name, email, company, order id or
    /// attendee id, with the one matcher of every list ([`crate::search`]:
    /// fzf syntax, fuzzy and typo-tolerant, case and accents ignored);
    /// indices into [`GuestList::guests`], best first. A blank query matches
    /// everyone, in list order.
    pub fn search(&self, query: &str) -> Vec<usize> {
        use crate::search::{Matcher, Query, rows};
        let parsed = Query::parse(query);
        // `is:due`, `ticket:vip`…: the guests they keep, then the text.
        let facts = super::GuestFacts { list: self, admitted: None };
        let kept = rows(&self.hay, &self.hay_start).filter(|&(i, r)| parsed.keeps(&facts, i, r));
        Matcher::new().rank(&parsed, kept).into_iter().map(|i| i as usize).collect()
    }

    /// [`GuestList::search`] over a search text and its starts as
    /// [`GuestList::search_text`] and [`GuestList::search_starts`] give them:
    /// the rows are the matcher's (name first, fields between `FIELD_SEP`).
    pub fn rank_in(text: &str, starts: &[u32], query: &str) -> Vec<usize> {
        use crate::search::{FIELD_SEP as SEP, Matcher, Query, ROW_END, rows};
        const { assert!(FIELD_SEP == SEP && GUEST_END == ROW_END) };
        Matcher::new()
            .rank(&Query::parse(query), rows(text, starts))
            .into_iter()
            .map(|i| i as usize)
            .collect()
    }

    /// Guests whose attendee id or order id is exactly `id` (a barcode scan), in
    /// list order.
    pub fn lookup_id(&self, id: u64) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some(&(start, len)) = self.by_order.get(&id) {
            out.extend(start as usize..(start + len) as usize);
        }
        if let Some(&i) = self.by_attendee.get(&id)
            && !out.contains(&(i as usize))
        {
            out.push(i as usize);
            out.sort_unstable();
        }
        out
    }

    /// Where guest `i`'s search text starts (the end of the text for `i == len`).
    pub(super) fn text_start(&self, i: usize) -> usize {
        self.hay_start.get(i).map_or(self.hay.len(), |&s| s as usize)
    }

    /// The folded search text of every guest, in guest order, each ending in a
    /// newline (for the cache; see [`GuestList::from_parts`]).
    pub fn search_text(&self) -> &str {
        &self.hay
    }

    /// Where each guest's text starts in [`GuestList::search_text`].
    pub fn search_starts(&self) -> &[u32] {
        &self.hay_start
    }
}

/// The fields of a guest's search text, in order (see [`push_search_text`]).
pub(crate) mod fields {
    /// The ticket group and the ticket, between a space.
    pub(crate) const TICKET: usize = 5;
    /// The order's voucher code.
    pub(crate) const VOUCHER: usize = 6;
    /// The attendee's answers, each after an `ANSWER_SEP`.
    pub(crate) const ANSWERS: usize = 7;
}

/// Between two answers in the answers field: never in folded text.
const ANSWER_SEP: char = '\u{1e}';

/// A guest's folded search text: name, email, company, order id, attendee id,
/// ticket, voucher, answers ([`fields`]). Free text finds all of them; the
/// `ticket:`, `voucher:` and `answer:` qualifiers look at their own field.
pub(super) fn push_search_text(g: &Guest, out: &mut String) {
    let a = &g.attendee;
    fold_into(&a.first_name, out);
    out.push(' ');
    fold_into(&a.last_name, out);
    out.push(FIELD_SEP);
    fold_into(g.email(), out);
    out.push(FIELD_SEP);
    if let Some(company) = &a.company {
        fold_into(company, out);
    }
    out.push(FIELD_SEP);
    out.push_str(&g.order.id.to_string());
    out.push(FIELD_SEP);
    out.push_str(&a.attendee_id.to_string());
    out.push(FIELD_SEP);
    if let Some(group) = &a.ticket_group {
        fold_into(group, out);
        out.push(' ');
    }
    fold_into(&a.ticket, out);
    out.push(FIELD_SEP);
    if let Some(voucher) = &g.order.voucher {
        fold_into(voucher, out);
    }
    out.push(FIELD_SEP);
    for answer in a.answers.iter().filter_map(|x| x.answer.as_deref()) {
        out.push(ANSWER_SEP);
        fold_into(answer, out);
    }
    out.push(GUEST_END);
}

/// Checks that `starts` cuts `text` into exactly `guests` lines, one per guest:
/// the first at 0, each after a `GUEST_END`, the text ending in one and
/// holding no other.
pub(crate) fn check_search_text(text: &str, starts: &[u32], guests: usize) -> Result<(), PartsMismatch> {
    let bytes = text.as_bytes();
    let end = GUEST_END as u8;
    if starts.len() != guests {
        return Err(PartsMismatch("not one search text start per guest"));
    }
    if guests == 0 {
        return if text.is_empty() { Ok(()) } else { Err(PartsMismatch("search text without guests")) };
    }
    if starts[0] != 0 || bytes.last() != Some(&end) || memchr::memchr_iter(end, bytes).count() != guests {
        return Err(PartsMismatch("the search text does not hold one line per guest"));
    }
    let lined_up = starts
        .windows(2)
        .all(|w| w[0] < w[1] && (w[1] as usize) < bytes.len() && bytes[w[1] as usize - 1] == end);
    if !lined_up {
        return Err(PartsMismatch("a search text start is not at the start of a line"));
    }
    Ok(())
}

/// Attendee id → the first of `guests` with it (a scan's lookup).
pub(super) fn attendee_index(guests: &[Guest]) -> FastMap<u64, u32> {
    let mut index = FastMap::default();
    index.reserve(guests.len());
    for (i, g) in guests.iter().enumerate() {
        index.entry(g.attendee.id()).or_insert(i as u32);
    }
    index
}

#[cfg(test)]
mod search_text_tests {
    use super::*;

    #[test]
    fn shared_text_reads_as_it_is_and_becomes_the_lists_own_on_the_first_change() {
        let file = Bytes::from_static(b"head\nann\x1fa@x\nbo\n");
        let mut text = SearchText::shared(file.slice(5..)).expect("UTF-8");
        assert_eq!(&*text, "ann\u{1f}a@x\nbo\n");
        text.to_mut().push_str("cy\n");
        assert_eq!(&*text, "ann\u{1f}a@x\nbo\ncy\n");
        assert_eq!(text, SearchText::from("ann\u{1f}a@x\nbo\ncy\n".to_string()));
        assert_eq!(&file[5..], b"ann\x1fa@x\nbo\n", "the file's bytes are not changed");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_no_search_text() {
        assert!(SearchText::shared(Bytes::from_static(b"ann\xff\n")).is_none());
        assert!(SearchText::shared(Bytes::from_static(b"\xc3")).is_none());
    }
}
