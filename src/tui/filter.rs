//! Fuzzy filtering of a list (nucleo-matcher), and highlighting of what matched.
//!
//! Haystacks are converted once, when a list loads. Typing that extends the query
//! only rescans what the shorter query matched; highlighting is computed for the
//! rows on screen only.

use std::cell::RefCell;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// The searchable text of every item of a list, prepared for matching.
#[derive(Default)]
pub struct SearchIndex {
    haystacks: Vec<Utf32String>,
}

impl SearchIndex {
    /// Prepares one haystack per item.
    pub fn new<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> SearchIndex {
        let haystacks = texts.into_iter().map(|t| Utf32String::from(t.as_ref())).collect();
        SearchIndex { haystacks }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} items)", self.haystacks.len())
    }
}

/// The rows a query keeps, best first (ties in list order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matches {
    /// The query these rows answer.
    pub query: String,
    /// Item positions in the unfiltered list.
    pub rows: Vec<u32>,
}

/// A reusable matcher (its scratch memory is large, so it is kept, not rebuilt).
pub struct Searcher {
    matcher: Matcher,
}

impl Default for Searcher {
    fn default() -> Self {
        Searcher { matcher: Matcher::new(Config::DEFAULT) }
    }
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Searcher")
    }
}

impl Searcher {
    /// Runs `query` over `index`. When `previous` answered a prefix of `query`,
    /// only its rows are rescanned: a longer query can only match fewer items.
    pub fn search(&mut self, index: &SearchIndex, query: &str, previous: Option<&Matches>) -> Matches {
        let pattern = pattern(query);
        let mut scored: Vec<(u32, u32)> = Vec::new();
        let mut consider = |i: u32, matcher: &mut Matcher| {
            if let Some(h) = index.haystacks.get(i as usize)
                && let Some(score) = pattern.score(h.slice(..), matcher)
            {
                scored.push((score, i));
            }
        };
        match previous {
            Some(prev)
                if !prev.query.is_empty()
                    && query.starts_with(&prev.query)
                    && !prev.query.ends_with('\\') =>
            {
                for &i in &prev.rows {
                    consider(i, &mut self.matcher);
                }
            }
            _ => {
                for i in 0..index.haystacks.len() as u32 {
                    consider(i, &mut self.matcher);
                }
            }
        }
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Matches { query: query.to_string(), rows: scored.into_iter().map(|(_, i)| i).collect() }
    }
}

fn pattern(query: &str) -> Pattern {
    Pattern::parse(query, CaseMatching::Smart, Normalization::Smart)
}

thread_local! {
    static HIGHLIGHTER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// The char positions of `text` that `query` matched, sorted, for highlighting
/// one visible row.
pub fn matched_chars(query: &str, text: &str) -> Vec<usize> {
    if query.trim().is_empty() {
        return Vec::new();
    }
    let pattern = pattern(query);
    let mut buf = Vec::new();
    let haystack = Utf32Str::new(text, &mut buf);
    let mut indices = Vec::new();
    HIGHLIGHTER.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            pattern.indices(haystack, &mut m, &mut indices);
        }
    });
    indices.sort_unstable();
    indices.dedup();
    indices.into_iter().map(|i| i as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex {
        SearchIndex::new(["Ann Lee ann@example.com", "Bo Chen bo@example.org", "Annika Berg", "Zoë Ångström"])
    }

    #[test]
    fn fuzzy_query_keeps_matching_items_best_first() {
        let m = Searcher::default().search(&index(), "ann", None);
        assert_eq!(m.rows, vec![0, 2]);
    }

    #[test]
    fn extending_the_query_narrows_the_previous_result() {
        let mut s = Searcher::default();
        let first = s.search(&index(), "an", None);
        let narrowed = s.search(&index(), "anni", Some(&first));
        let fresh = s.search(&index(), "anni", None);
        assert_eq!(narrowed, fresh);
        assert_eq!(narrowed.rows, vec![2]);
    }

    #[test]
    fn a_different_query_starts_over() {
        let mut s = Searcher::default();
        let first = s.search(&index(), "bo", None);
        let other = s.search(&index(), "zo", Some(&first));
        assert_eq!(other.rows, vec![3]);
    }

    #[test]
    fn matching_ignores_case_and_accents() {
        let m = Searcher::default().search(&index(), "angstrom", None);
        assert_eq!(m.rows, vec![3]);
    }

    #[test]
    fn highlight_marks_the_matched_characters() {
        assert_eq!(matched_chars("bc", "abc"), vec![1, 2]);
        assert!(matched_chars("", "abc").is_empty());
        assert!(matched_chars("xyz", "abc").is_empty());
    }
}
