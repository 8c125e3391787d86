//! The one matcher every list uses: fzf's query syntax over folded rows,
//! fuzzy and typo-tolerant, ranked.
//!
//! # Rows
//!
//! A row is the searchable text of one list item, folded with
//! [`crate::guestlist::fold`] (lowercase, no accents), its fields separated by
//! [`FIELD_SEP`]; it may end in [`ROW_END`] (the guest list keeps all its rows
//! in one text, each ending in one). The **first field is the name**: a match
//! there ranks above the same match in a later field (email, company, ids).
//! [`fold_row`] builds a row from its fields; [`rows`] cuts a text of many rows
//! (the guest list's `search_text` and `search_starts`) into `(id, row)` pairs.
//!
//! # Words
//!
//! A word is a maximal run of alphanumeric characters (`char::is_alphanumeric`):
//! "ann.lee@example.com" holds the words "ann", "lee", "example" and "com".
//!
//! # Query syntax (fzf's extended syntax)
//!
//! Terms are separated by spaces (`\ ` is a literal space inside a term); a row
//! matches when every term matches, in any order. Each term is folded like the
//! rows. A term is:
//!
//! | term      | matches a row that…                                              |
//! |-----------|------------------------------------------------------------------|
//! | `mar`     | fuzzy: see below                                                 |
//! | `'mar`    | contains "mar" (substring, exact)                                |
//! | `^mar`    | has a **word** starting with "mar" (prefix of a word, not of the row) |
//! | `mar$`    | has a word ending with "mar"                                     |
//! | `^mar$`   | has the word "mar"                                               |
//! | `!mar`    | does not contain "mar" (substring); it never adds to the score  |
//!
//! A term that is only an operator (`!`, `'`, `^`, `$`) is ignored.
//!
//! # Qualifiers
//!
//! A term `name:value` with a known name asks about a fact of the item rather
//! than its text, and combines with the other terms (every one must hold);
//! `!` in front negates it. The list decides what the facts are ([`Facts`]):
//!
//! | qualifier        | keeps…                                                   |
//! |------------------|----------------------------------------------------------|
//! | `is:due`         | confirmed orders that owe money                          |
//! | `is:cancelled`, `is:unconfirmed`, `is:confirmed` | orders of that status    |
//! | `is:in` / `is:out` | guests checked in or admitted / not yet               |
//! | `ticket:TEXT`    | a ticket (or its group) containing TEXT                  |
//! | `answer:TEXT`    | any answer containing TEXT                               |
//! | `voucher:TEXT`   | a voucher code containing TEXT                           |
//!
//! An `is:` value may be shortened while it stays unique (`is:du`). A term
//! that looks like a qualifier but names none (`foo:bar`, `is:late`) asks
//! nothing: it is kept in [`Query::unknown`] so the list can say so, and left
//! out of the matching.
//!
//! # Fuzzy terms
//!
//! A fuzzy term is matched against one word at a time, never as a subsequence
//! spread over several words or fields (so `müller` does not find "Amelia
//! Öztürk"). In falling rank, it matches:
//!
//! 1. an exact word (the term found with a word boundary on both sides),
//! 2. a word prefix,
//! 3. a substring (of a word; a term holding punctuation or an escaped space,
//!    such as `example.`, matches as a substring of a field),
//! 4. from 3 characters on, a subsequence inside one word whose span is at most
//!    `len + len / 2 + 1` characters (`muler` → "muller", `mrtnz` → "martinez"),
//! 5. from 4 characters on, a typo: a Damerau–Levenshtein (optimal string
//!    alignment) distance of at most 1 for terms of 4–7 characters and 2 for 8
//!    or more, to the whole word or to its prefix of the term's length (`jhon`
//!    → "john", `jhonso` → "johnson").
//!
//! Steps 1–3 look at every field. Steps 4 and 5 look at the words of the name
//! (the first field) only, and are tried only when they could rank the row
//! higher than steps 1–3 did: a person is looked for by name, and in an email
//! address the first and last names are often glued into one word
//! ("zoltanalvarez") where subsequences and typos find mostly noise (it is
//! also what keeps a keystroke over 100,000 rows within a frame). They apply
//! only to terms made of alphanumeric characters, and not to numbers: a term
//! of digits (an order or attendee id) matches by substring only, never by
//! typo.
//!
//! # Score
//!
//! Each positive term scores its best match in the row: the points of its rank
//! above, plus a bonus when that match is in the name field. The row's score is
//! the sum over its terms; [`Matcher::rank`] sorts by score, ties in row order.
//! The name bonus is larger than one rank step and smaller than two: a word
//! prefix in the name beats an exact word in the email, a substring in the name
//! does not.

use memchr::memmem;

use crate::guestlist::{fold, fold_into};

/// Between two fields of a row. Folded text never contains it, so no match
/// runs from one field into the next.
pub const FIELD_SEP: char = '\u{1f}';
/// After a row, in a text that holds many (optional for a single row).
pub const ROW_END: char = '\n';

// Points of each rank (see the module documentation).
const EXACT_WORD: u32 = 100;
const WORD_PREFIX: u32 = 80;
const WORD_SUFFIX: u32 = 60;
const SUBSTRING: u32 = 50;
const SUBSEQUENCE: u32 = 30;
const ONE_TYPO: u32 = 20;
const TWO_TYPOS: u32 = 10;
/// Added when a term's best match is in the name field.
const NAME_BONUS: u32 = 40;

/// Builds a folded row from its fields, the first being the name.
pub fn fold_row<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    fold_row_into(fields, &mut out);
    out
}

/// Appends a folded row (without [`ROW_END`]) to `out`.
pub fn fold_row_into<'a>(fields: impl IntoIterator<Item = &'a str>, out: &mut String) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(FIELD_SEP);
        }
        fold_into(field, out);
    }
}

/// The rows of `text` as `(id, row)`, row `i` starting at `starts[i]` and
/// ending where the next starts (or at the end of the text). Starts that do
/// not fit the text give empty rows, never a panic.
pub fn rows<'a>(text: &'a str, starts: &'a [u32]) -> impl Iterator<Item = (u32, &'a str)> + 'a {
    (0..starts.len() as u32).map(move |i| (i, row(text, starts, i)))
}

/// Row `i` of `text` (see [`rows`]): for ranking only some rows, such as the
/// previous matches when a query [narrows](Query::narrows) the last one.
/// Empty when `i` or its start does not fit.
pub fn row<'a>(text: &'a str, starts: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let Some(&start) = starts.get(i) else { return "" };
    let end = starts.get(i + 1).map_or(text.len(), |&next| next as usize);
    text.get(start as usize..end).unwrap_or("")
}

/// What a term asks of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Plain: fuzzy, typo-tolerant.
    Fuzzy,
    /// `'term`: a substring.
    Exact,
    /// `^term`: a word prefix.
    Prefix,
    /// `term$`: a word suffix.
    Suffix,
    /// `^term$`: a whole word.
    Word,
    /// `!term`: not a substring.
    Not,
}

/// One term of a [`Query`], folded.
#[derive(Clone, Debug)]
struct Term {
    kind: Kind,
    text: String,
    chars: Vec<char>,
    finder: memmem::Finder<'static>,
    /// Bits of the ASCII characters of the term (see [`ascii_mask`]).
    mask: u64,
    /// Made of alphanumeric characters only, not all digits: may match by
    /// subsequence and typo.
    wordlike: bool,
    /// The Damerau–Levenshtein distance a typo may have (0: no typos).
    typos: u8,
}

impl Term {
    fn new(kind: Kind, text: String) -> Term {
        let chars: Vec<char> = text.chars().collect();
        let digits = chars.iter().all(char::is_ascii_digit);
        let wordlike = !digits && chars.iter().all(|c| c.is_alphanumeric());
        let typos = match (wordlike, chars.len()) {
            (false, _) | (_, 0..=3) => 0,
            (_, 4..=7) => 1,
            _ => 2,
        };
        let finder = memmem::Finder::new(text.as_bytes()).into_owned();
        Term { kind, mask: ascii_mask(&text), text, chars, finder, wordlike, typos }
    }
}

/// A parsed search query. See the module documentation for the syntax.
#[derive(Clone, Debug, Default)]
pub struct Query {
    terms: Vec<Term>,
    quals: Vec<Qualifier>,
    unknown: Vec<String>,
}

impl PartialEq for Query {
    fn eq(&self, other: &Query) -> bool {
        self.terms.len() == other.terms.len()
            && self.terms.iter().zip(&other.terms).all(|(a, b)| a.kind == b.kind && a.text == b.text)
            && self.quals == other.quals
    }
}

/// A state an item may be in, asked with `is:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// A confirmed order that has been paid less than it costs.
    Due,
    /// The order is cancelled.
    Cancelled,
    /// The order is unconfirmed (or of a status Floktu does not document).
    Unconfirmed,
    /// The order is confirmed.
    Confirmed,
    /// Checked in through Floktu or admitted at a gate.
    In,
    /// Neither checked in nor admitted.
    Out,
}

impl State {
    /// Every state, as `is:` names them.
    pub const ALL: [(State, &'static str); 6] = [
        (State::Due, "due"),
        (State::Cancelled, "cancelled"),
        (State::Unconfirmed, "unconfirmed"),
        (State::Confirmed, "confirmed"),
        (State::In, "in"),
        (State::Out, "out"),
    ];

    /// The state `value` names, whole or as a unique prefix ("canceled" too).
    fn named(value: &str) -> Option<State> {
        if value == "canceled" {
            return Some(State::Cancelled);
        }
        if let Some(&(state, _)) = State::ALL.iter().find(|(_, name)| *name == value) {
            return Some(state);
        }
        let mut prefixed = State::ALL.iter().filter(|(_, name)| name.starts_with(value));
        match (prefixed.next(), prefixed.next()) {
            (Some(&(state, _)), None) if !value.is_empty() => Some(state),
            _ => None,
        }
    }
}

/// What a qualifier asks of an item: a state, or text in one of its fields
/// (folded, as the rows are).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Test {
    /// `is:STATE`.
    Is(State),
    /// `ticket:TEXT`: the ticket or its group contains TEXT.
    Ticket(Needle),
    /// `answer:TEXT`: one of the answers contains TEXT.
    Answer(Needle),
    /// `voucher:TEXT`: the voucher code contains TEXT.
    Voucher(Needle),
}

/// Folded text a qualifier looks for, with its searcher built once: a
/// qualifier is asked of every row of a list.
#[derive(Clone, Debug)]
pub struct Needle {
    text: String,
    finder: memmem::Finder<'static>,
}

impl Needle {
    /// The folded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when `hay` contains the text.
    pub fn is_in(&self, hay: &str) -> bool {
        self.finder.find(hay.as_bytes()).is_some()
    }
}

impl From<&str> for Needle {
    /// The needle for already folded `text`.
    fn from(text: &str) -> Needle {
        Needle { text: text.to_string(), finder: memmem::Finder::new(text.as_bytes()).into_owned() }
    }
}

impl PartialEq for Needle {
    fn eq(&self, other: &Needle) -> bool {
        self.text == other.text
    }
}

impl Eq for Needle {}

impl std::hash::Hash for Needle {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

/// One qualifier of a query: a [`Test`], maybe negated (`!is:cancelled`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Qualifier {
    /// `!` in front: keep the items the test fails for.
    pub negated: bool,
    /// What is asked.
    pub test: Test,
}

/// The qualifier names, as the filter line lists them when one is unknown.
pub const QUALIFIERS: &str =
    "is:due is:cancelled is:unconfirmed is:confirmed is:in is:out ticket: answer: voucher:";

/// What a list knows of its items beyond their text: answers the qualifiers.
pub trait Facts {
    /// Whether item `item`, whose folded row is `row`, passes `test`; `None`
    /// when the list has no such fact (an `is:due` among events): the item is
    /// then left out.
    fn test(&self, item: u32, row: &str, test: &Test) -> Option<bool>;
}

/// A list that knows nothing beyond its text (the events).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFacts;

impl Facts for NoFacts {
    fn test(&self, _: u32, _: &str, _: &Test) -> Option<bool> {
        None
    }
}

/// Field `n` of a folded row (empty when the row has fewer fields).
pub fn field(row: &str, n: usize) -> &str {
    let row = row.strip_suffix(ROW_END).unwrap_or(row);
    let bytes = row.as_bytes();
    let mut seps = memchr::memchr_iter(FIELD_SEP as u8, bytes);
    let start = match n {
        0 => 0,
        _ => match seps.nth(n - 1) {
            Some(at) => at + 1,
            None => return "",
        },
    };
    let end = seps.next().unwrap_or(bytes.len());
    // FIELD_SEP is ASCII: the cuts fall between chars.
    row.get(start..end).unwrap_or("")
}

impl Qualifier {
    /// True when every item `self` keeps, `other` keeps too (`answer:veg`
    /// and `answer:v`): a list may ask only what `other` kept.
    pub fn implies(&self, other: &Qualifier) -> bool {
        if self.negated != other.negated {
            return false;
        }
        let (longer, shorter) = match (&self.test, &other.test) {
            (Test::Is(a), Test::Is(b)) => return a == b,
            (Test::Ticket(a), Test::Ticket(b))
            | (Test::Answer(a), Test::Answer(b))
            | (Test::Voucher(a), Test::Voucher(b)) => (a.text(), b.text()),
            _ => return false,
        };
        // Containing "veg" means containing "v"; not containing "v" means not containing "veg".
        if self.negated { shorter.contains(longer) } else { longer.contains(shorter) }
    }

    /// Whether item `item` (row `row`) passes, by `facts`.
    pub fn keeps(&self, facts: &dyn Facts, item: u32, row: &str) -> bool {
        facts.test(item, row, &self.test).is_some_and(|pass| pass != self.negated)
    }
}

/// A term that looks like a qualifier: `Some(Ok)` when it is one, `Some(Err)`
/// when it names none, `None` when it is text.
fn parse_qualifier(raw: &str) -> Option<Result<Qualifier, String>> {
    let (negated, rest) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (name, value) = rest.split_once(':')?;
    if name.len() < 2 || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = fold(value);
    let test = match name.to_ascii_lowercase().as_str() {
        "is" => State::named(&value).map(Test::Is),
        "ticket" if !value.is_empty() => Some(Test::Ticket(value.as_str().into())),
        "answer" if !value.is_empty() => Some(Test::Answer(value.as_str().into())),
        "voucher" if !value.is_empty() => Some(Test::Voucher(value.as_str().into())),
        // A known name still being typed (`ticket:`) asks nothing yet.
        "ticket" | "answer" | "voucher" => return Some(Err(String::new())),
        _ => None,
    };
    Some(test.map(|test| Qualifier { negated, test }).ok_or_else(|| raw.to_string()))
}

impl Eq for Query {}

impl Query {
    /// Parses what the user typed.
    pub fn parse(input: &str) -> Query {
        let mut query = Query::default();
        for raw in split_terms(input) {
            match parse_qualifier(&raw) {
                Some(Ok(qualifier)) => query.quals.push(qualifier),
                Some(Err(unknown)) if !unknown.is_empty() => query.unknown.push(unknown),
                Some(Err(_)) => {}
                None => query.terms.extend(parse_term(&raw)),
            }
        }
        query
    }

    /// True when the query has no terms and no qualifiers: it matches every row.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.quals.is_empty()
    }

    /// True when the query has text terms (not only qualifiers).
    pub fn has_text(&self) -> bool {
        !self.terms.is_empty()
    }

    /// The qualifiers (`is:due`, `ticket:vip`), in the order typed.
    pub fn qualifiers(&self) -> &[Qualifier] {
        &self.quals
    }

    /// Whether item `item` (row `row`) passes every qualifier, by `facts`
    /// (the text terms are the matcher's).
    pub fn keeps(&self, facts: &dyn Facts, item: u32, row: &str) -> bool {
        self.quals.iter().all(|q| q.keeps(facts, item, row))
    }

    /// Terms that look like qualifiers but name none (`foo:bar`, `is:late`):
    /// left out of the matching, for the list to say so.
    pub fn unknown(&self) -> &[String] {
        &self.unknown
    }

    /// True when every row matching `self` also matches `previous`, so a caller
    /// may rescan only `previous`'s matches. Conservative: `false` when unsure
    /// (a longer fuzzy term of 3 or more characters may find rows by typo that
    /// the shorter did not, so it does not narrow it). Rank the previous
    /// matches in row order to get the order a full scan gives.
    pub fn narrows(&self, previous: &Query) -> bool {
        previous.terms.iter().all(|p| self.terms.iter().any(|s| implies(s, p)))
            && previous.quals.iter().all(|p| self.quals.contains(p))
    }

    /// The query without its last text term (`None` with fewer than two):
    /// every row matching `self` matches it too.
    pub fn without_last(&self) -> Option<Query> {
        let (_, rest) = self.terms.split_last()?;
        (!rest.is_empty()).then(|| Query {
            terms: rest.to_vec(),
            quals: self.quals.clone(),
            unknown: Vec::new(),
        })
    }

    fn positives(&self) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(|t| t.kind != Kind::Not)
    }
}

/// True when every row matching term `s` matches term `p`.
fn implies(s: &Term, p: &Term) -> bool {
    use Kind::*;
    match (p.kind, s.kind) {
        _ if p.kind == s.kind && p.text == s.text => true,
        // Not containing a substring of p's text means not containing p's text.
        (Not, Not) => p.text.contains(&s.text),
        (Not, _) => false,
        // p asks for a substring: every match of s contains s's text (a fuzzy
        // term only when it cannot match by subsequence or typo).
        (Exact, Exact | Prefix | Suffix | Word) => s.text.contains(&p.text),
        // A fuzzy term matches by substring only when it is short or not a
        // word (digits, punctuation).
        (Exact, Fuzzy) => (s.chars.len() < 3 || !s.wordlike) && s.text.contains(&p.text),
        (Fuzzy, _) if p.chars.len() < 3 || !p.wordlike => {
            // p then matches exactly the rows containing its text.
            implies(s, &Term::new(Exact, p.text.clone()))
        }
        (Prefix, Prefix | Word) => s.text.starts_with(&p.text) && p.wordlike_boundary(),
        (Suffix, Suffix | Word) => s.text.ends_with(&p.text) && p.wordlike_boundary(),
        _ => false,
    }
}

impl Term {
    /// True when the term's text starts and ends with word characters, so a
    /// word boundary before or after a longer text holding it is one before or
    /// after it too.
    fn wordlike_boundary(&self) -> bool {
        self.chars.first().is_some_and(|c| c.is_alphanumeric())
            && self.chars.last().is_some_and(|c| c.is_alphanumeric())
    }
}

/// Splits on unescaped whitespace; `\ ` is a space inside a term.
fn split_terms(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&' ') {
            current.push(' ');
            chars.next();
        } else if c.is_whitespace() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn parse_term(raw: &str) -> Option<Term> {
    let (negated, rest) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (kind, text) = if negated {
        (Kind::Not, rest)
    } else if let Some(rest) = rest.strip_prefix('\'') {
        (Kind::Exact, rest)
    } else if let Some(rest) = rest.strip_prefix('^') {
        match rest.strip_suffix('$') {
            Some(word) => (Kind::Word, word),
            None => (Kind::Prefix, rest),
        }
    } else if let Some(rest) = rest.strip_suffix('$') {
        (Kind::Suffix, rest)
    } else {
        (Kind::Fuzzy, rest)
    };
    let folded = fold(text);
    if folded.is_empty() {
        return None;
    }
    Some(Term::new(kind, folded))
}

/// One bit per ASCII byte value (modulo 64) found in `s`: when a term holds a
/// bit a word lacks, turning the word into the term takes at least one edit
/// per such bit (non-ASCII bytes are left out, so the test stays sound).
fn ascii_mask(s: &str) -> u64 {
    s.bytes().filter(u8::is_ascii).fold(0, |m, b| m | 1 << (b & 63))
}

/// The best match of one term in one row: its points and where it lies (byte
/// offsets into the row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hit {
    points: u32,
    start: usize,
    end: usize,
    rank: Rank,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rank {
    /// A contiguous run of the term's text.
    Run,
    /// A subsequence of the word `start..end`.
    Subsequence,
    /// A typo against `start..end`.
    Typo,
}

/// From this many rows on, [`Matcher::rank_rows`] splits the scan across
/// cores: below it, starting a thread costs more than it saves.
const PARALLEL_ROWS: usize = 20_000;
/// Parts a scan is split into at most.
const MAX_PARTS: usize = 4;

/// Reusable scratch state for matching (keeps allocations out of the loop).
#[derive(Debug, Default)]
pub struct Matcher {
    word: Vec<char>,
    word_at: Vec<usize>,
    rows: [Vec<u8>; 3],
    scores: Vec<u32>,
    ids: Vec<u32>,
    counts: Vec<u32>,
    coarse: Vec<(u32, u32)>,
}

impl Matcher {
    /// A matcher with empty scratch state.
    pub fn new() -> Matcher {
        Matcher::default()
    }

    /// The score of a folded row (higher is better), or `None` when it does not
    /// match. An empty query matches every row with score 0.
    pub fn score(&mut self, query: &Query, folded_row: &str) -> Option<u32> {
        let row = folded_row.strip_suffix(ROW_END).unwrap_or(folded_row);
        let mut total = 0u32;
        for term in &query.terms {
            if term.kind == Kind::Not {
                if term.finder.find(row.as_bytes()).is_some() {
                    return None;
                }
                continue;
            }
            total += self.best_hit(term, row)?.points;
        }
        Some(total)
    }

    /// The ids of the rows that match `query`, best first, ties in the order
    /// the rows came. An empty query keeps every row in order.
    pub fn rank<'a>(&mut self, query: &Query, rows: impl Iterator<Item = (u32, &'a str)>) -> Vec<u32> {
        if !query.has_text() {
            return rows.map(|(id, _)| id).collect();
        }
        let (mut scores, mut ids) = (std::mem::take(&mut self.scores), std::mem::take(&mut self.ids));
        scores.clear();
        ids.clear();
        for (id, row) in rows {
            if let Some(score) = self.score(query, row) {
                scores.push(score);
                ids.push(id);
            }
        }
        let out = sort_by_score(&scores, &ids, &mut self.counts);
        (self.scores, self.ids) = (scores, ids);
        out
    }

    /// [`Matcher::rank`] over the rows `ids` of a text of many rows (all of
    /// them when `None`; see [`rows`]). A scan of many rows is split across
    /// the machine's cores, a part each, and the parts' matches put back in
    /// row order before sorting: the result is the one a single scan gives.
    pub fn rank_rows(&mut self, query: &Query, text: &str, starts: &[u32], ids: Option<&[u32]>) -> Vec<u32> {
        let n = ids.map_or(starts.len(), <[u32]>::len);
        let parts = if n < PARALLEL_ROWS || !query.has_text() {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |p| p.get().min(MAX_PARTS))
        };
        if parts == 1 {
            return match ids {
                Some(ids) => self.rank(query, ids.iter().map(|&i| (i, row(text, starts, i)))),
                None => self.rank(query, rows(text, starts)),
            };
        }
        let chunk = n.div_ceil(parts);
        let part = |p: usize, matcher: &mut Matcher| {
            let range = p * chunk..n.min((p + 1) * chunk);
            let (mut scores, mut found) = (Vec::new(), Vec::new());
            let mut keep = |i: u32| {
                if let Some(score) = matcher.score(query, row(text, starts, i)) {
                    scores.push(score);
                    found.push(i);
                }
            };
            match ids {
                Some(ids) => ids[range].iter().for_each(|&i| keep(i)),
                None => range.for_each(|i| keep(i as u32)),
            }
            (scores, found)
        };
        let mut parts: Vec<(Vec<u32>, Vec<u32>)> = std::thread::scope(|scope| {
            let others: Vec<_> =
                (1..parts).map(|p| scope.spawn(move || part(p, &mut Matcher::new()))).collect();
            let mine = part(0, self);
            // A part that panicked panics here too: dropping its rows would
            // rank a different list than the one asked about.
            let others =
                others.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            std::iter::once(mine).chain(others).collect()
        });
        let (mut scores, mut found) = (std::mem::take(&mut self.scores), std::mem::take(&mut self.ids));
        scores.clear();
        found.clear();
        for (s, f) in parts.iter_mut() {
            scores.append(s);
            found.append(f);
        }
        let out = sort_by_score(&scores, &found, &mut self.counts);
        (self.scores, self.ids) = (scores, found);
        out
    }

    /// The best match of a positive term in a row (without [`ROW_END`]).
    fn best_hit(&mut self, term: &Term, row: &str) -> Option<Hit> {
        let name_end = memchr::memchr(FIELD_SEP as u8, row.as_bytes()).unwrap_or(row.len());
        let bonus = |start: usize| if start < name_end { NAME_BONUS } else { 0 };
        let mut best: Option<Hit> = None;
        for start in term.finder.find_iter(row.as_bytes()) {
            // Past the name, nothing scores above an exact word.
            if start >= name_end && best.is_some_and(|b| b.points >= EXACT_WORD) {
                break;
            }
            let end = start + term.text.len();
            let (at_start, at_end) = (!word_before(row, start), !word_after(row, end));
            let points = match (term.kind, at_start, at_end) {
                (_, true, true) => EXACT_WORD,
                (Kind::Word, _, _) => continue,
                (Kind::Prefix, true, _) | (Kind::Fuzzy | Kind::Exact, true, false) => WORD_PREFIX,
                (Kind::Prefix, false, _) => continue,
                (Kind::Suffix, _, true) => WORD_SUFFIX,
                (Kind::Suffix, _, false) => continue,
                _ => SUBSTRING,
            };
            keep_best(&mut best, Hit { points: points + bonus(start), start, end, rank: Rank::Run });
            // Past the name, nothing scores above an exact word.
            let at_most = if start < name_end { EXACT_WORD + NAME_BONUS } else { EXACT_WORD };
            if best.is_some_and(|b| b.points >= at_most) {
                break;
            }
        }
        // Subsequences and typos, only in the name, only when they could do
        // better than what was found.
        let could_do_better = best.is_none_or(|b| b.points < SUBSEQUENCE + NAME_BONUS);
        if !could_do_better || term.kind != Kind::Fuzzy || !term.wordlike || term.chars.len() < 3 {
            return best;
        }
        // Coarse words first, by bytes: runs of ASCII letters and digits and of
        // non-ASCII bytes. A coarse word too short for the term, or lacking more
        // of its letters than typos allow, cannot hold a word that matches (its
        // words are shorter and hold fewer letters), so most are passed over
        // without decoding a char.
        let mut coarse = std::mem::take(&mut self.coarse);
        coarse_words(&row.as_bytes()[..name_end], term, &mut coarse);
        for &(start, end) in &coarse {
            let (start, end) = (start as usize, end as usize);
            let word = &row.as_bytes()[start..end];
            let missing = term.mask & !ascii_mask(&row[start..end]) != 0;
            self.fuzzy_coarse(term, row, (start, end), missing, word.is_ascii(), &mut best, name_end);
        }
        self.coarse = coarse;
        best
    }

    /// Tries the words of the coarse word `row[range]` (see [`Matcher::best_hit`]).
    #[allow(clippy::too_many_arguments)]
    fn fuzzy_coarse(
        &mut self,
        term: &Term,
        row: &str,
        (start, end): (usize, usize),
        missing: bool,
        ascii: bool,
        best: &mut Option<Hit>,
        name_end: usize,
    ) {
        let bonus = |at: usize| if at < name_end { NAME_BONUS } else { 0 };
        if ascii {
            self.fuzzy_candidate(term, row, start, end, missing, best, bonus(start));
            return;
        }
        let mut from = start;
        while let Some((s, e)) = next_word(&row[..end], from) {
            from = e;
            self.fuzzy_candidate(term, row, s, e, missing, best, bonus(s));
        }
    }

    /// Tries the word `row[start..end]` for a subsequence or typo match of a
    /// fuzzy term, keeping it in `best` if better.
    #[allow(clippy::too_many_arguments)]
    fn fuzzy_candidate(
        &mut self,
        term: &Term,
        row: &str,
        start: usize,
        end: usize,
        missing: bool,
        best: &mut Option<Hit>,
        bonus: u32,
    ) {
        if let Some((points, hit_end)) = self.fuzzy_word(term, &row[start..end], missing) {
            keep_best(
                best,
                Hit { points: points + bonus, start, end: start + hit_end, rank: rank_of(points) },
            );
        }
    }

    /// A subsequence or typo match of a fuzzy term in one word: its points and
    /// where the matched part of the word ends (bytes).
    /// `missing`: the word (or the coarse word holding it) lacks one of the
    /// term's ASCII letters, so no subsequence can match.
    fn fuzzy_word(&mut self, term: &Term, word: &str, missing: bool) -> Option<(u32, usize)> {
        let n = term.chars.len();
        let k = term.typos as usize;
        let shortest = n.saturating_sub(k);
        if missing && k == 0 {
            return None;
        }
        self.word.clear();
        self.word_at.clear();
        for (i, c) in word.char_indices() {
            self.word.push(c);
            self.word_at.push(i);
        }
        self.word_at.push(word.len());
        if self.word.len() < shortest {
            return None;
        }
        if self.word.iter().all(char::is_ascii_digit) {
            return None;
        }
        if !missing && let Some(end) = subsequence(&term.chars, &self.word, n + n / 2 + 1) {
            return Some((SUBSEQUENCE, self.word_at[end]));
        }
        if k == 0 {
            return None;
        }
        let m = self.word.len();
        let upto = m.min(n + k);
        let distances = osa_last_row(&term.chars, &self.word[..upto], k, &mut self.rows)?;
        let mut best: Option<(usize, usize)> = None;
        let mut take = |d: usize, j: usize| {
            if d <= k && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, j));
            }
        };
        if m <= n + k {
            take(distances[m] as usize, m);
        }
        if m > n {
            take(distances[n] as usize, n);
        }
        let (d, j) = best?;
        Some((if d <= 1 { ONE_TYPO } else { TWO_TYPOS }, self.word_at[j]))
    }
}

/// The coarse words of `row` worth a closer look for a fuzzy `term` (see
/// [`Matcher::best_hit`]): their byte ranges.
fn coarse_words(row: &[u8], term: &Term, out: &mut Vec<(u32, u32)>) {
    out.clear();
    let shortest = term.chars.len().saturating_sub(term.typos as usize).max(1);
    match term.typos {
        0 => coarse_words_within::<0>(row, term.mask, shortest, out),
        1 => coarse_words_within::<1>(row, term.mask, shortest, out),
        _ => coarse_words_within::<2>(row, term.mask, shortest, out),
    }
}

/// [`coarse_words`] for terms that allow `K` typos. The loop has no branch that
/// depends on the text but the rare "worth a look".
fn coarse_words_within<const K: u8>(row: &[u8], want: u64, shortest: usize, out: &mut Vec<(u32, u32)>) {
    let (mut mask, mut len) = (0u64, 0usize);
    for (i, &b) in row.iter().enumerate() {
        let word = WORD_BYTE[b as usize];
        // `&`, not `&&`: no branch on whether this byte ends a word.
        if !word & (len >= shortest) & few_missing::<K>(want & !mask) {
            out.push(((i - len) as u32, i as u32));
        }
        // Only ASCII bytes count: a byte of a non-Latin letter is never one of
        // the term's ASCII letters (and would alias one modulo 64).
        mask = (mask | u64::from(b.is_ascii()) << (b & 63)) & u64::from(word).wrapping_neg();
        len = (len + 1) * usize::from(word);
    }
    if len >= shortest && few_missing::<K>(want & !mask) {
        out.push(((row.len() - len) as u32, row.len() as u32));
    }
}

/// True when `missing` has at most `K` bits set (`K` ≤ 2; no popcount).
fn few_missing<const K: u8>(missing: u64) -> bool {
    let one_less = missing & missing.wrapping_sub(1);
    match K {
        0 => missing == 0,
        1 => one_less == 0,
        _ => one_less & one_less.wrapping_sub(1) == 0,
    }
}

/// `ids` ordered by their `scores`, highest first, ties in the order given: a
/// counting sort, as scores are small numbers (a few hundred points a term).
fn sort_by_score(scores: &[u32], ids: &[u32], counts: &mut Vec<u32>) -> Vec<u32> {
    let top = scores.iter().copied().max().unwrap_or(0) as usize;
    counts.clear();
    counts.resize(top + 2, 0);
    // counts[top - s + 1] counts score s, so that the prefix sums give where
    // each score's rows start, the highest first.
    for &s in scores {
        counts[top - s as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let mut out = vec![0; ids.len()];
    for (&s, &id) in scores.iter().zip(ids) {
        let slot = &mut counts[top - s as usize];
        out[*slot as usize] = id;
        *slot += 1;
    }
    out
}

/// Keeps the better of `best` and `hit` (the earlier one on a tie).
fn keep_best(best: &mut Option<Hit>, hit: Hit) {
    if best.is_none_or(|b| hit.points > b.points) {
        *best = Some(hit);
    }
}

fn rank_of(points: u32) -> Rank {
    if points == SUBSEQUENCE { Rank::Subsequence } else { Rank::Typo }
}

/// Bytes that may be part of a word: ASCII letters and digits, and every byte
/// of a non-ASCII char (whether that char is alphanumeric is decided by
/// [`next_word`] once a coarse word is worth a closer look).
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b >= 0x80;
        b += 1;
    }
    table
};

/// True when the char before byte `at` is alphanumeric.
fn word_before(text: &str, at: usize) -> bool {
    match at.checked_sub(1).and_then(|i| text.as_bytes().get(i)) {
        None => false,
        Some(b) if b.is_ascii() => b.is_ascii_alphanumeric(),
        Some(_) => text[..at].chars().next_back().is_some_and(char::is_alphanumeric),
    }
}

/// True when the char at byte `at` is alphanumeric.
fn word_after(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => false,
        Some(b) if b.is_ascii() => b.is_ascii_alphanumeric(),
        Some(_) => text[at..].chars().next().is_some_and(char::is_alphanumeric),
    }
}

/// The next word of `text` at or after byte `from`: its byte range.
fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let rest = text.get(from..)?;
    let (offset, _) = rest.char_indices().find(|(_, c)| c.is_alphanumeric())?;
    let start = from + offset;
    let end = text[start..]
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(text.len(), |(i, _)| start + i);
    Some((start, end))
}

/// The end (exclusive char index) of the tightest occurrence of `needle` as a
/// subsequence of `word` whose span is at most `max_span`, if any.
fn subsequence(needle: &[char], word: &[char], max_span: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut best: Option<(usize, usize)> = None;
    for (s, _) in word.iter().enumerate().filter(|(_, c)| **c == first) {
        let mut j = 1;
        let mut end = s + 1;
        for (i, c) in word.iter().enumerate().skip(s + 1) {
            if j == needle.len() {
                break;
            }
            if *c == needle[j] {
                j += 1;
                end = i + 1;
            }
        }
        if j == needle.len() && end - s <= max_span && best.is_none_or(|(bs, be)| end - s < be - bs) {
            best = Some((s, end));
        }
    }
    best.map(|(_, end)| end)
}

/// The char positions of the tightest subsequence match (for highlighting).
fn subsequence_positions(needle: &[char], word: &[char], max_span: usize, out: &mut Vec<usize>) {
    let first = match needle.first() {
        Some(c) => *c,
        None => return,
    };
    let mut best: Option<Vec<usize>> = None;
    for (s, _) in word.iter().enumerate().filter(|(_, c)| **c == first) {
        let mut at = vec![s];
        for (i, c) in word.iter().enumerate().skip(s + 1) {
            if at.len() == needle.len() {
                break;
            }
            if *c == needle[at.len()] {
                at.push(i);
            }
        }
        let span = at.last().map_or(0, |l| l + 1 - s);
        if at.len() == needle.len()
            && span <= max_span
            && best.as_ref().is_none_or(|b| span < b[b.len() - 1] + 1 - b[0])
        {
            best = Some(at);
        }
    }
    out.extend(best.unwrap_or_default());
}

/// The last row of the optimal-string-alignment distance table of `a` against
/// `b`: entry `j` is the distance from `a` to `b[..j]`. `None` once every entry
/// is sure to exceed `k` (a row's minimum never falls).
fn osa_last_row<'r>(a: &[char], b: &[char], k: usize, rows: &'r mut [Vec<u8>; 3]) -> Option<&'r [u8]> {
    let m = b.len();
    for r in rows.iter_mut() {
        r.clear();
        r.resize(m + 1, 0);
    }
    let [two, one, cur] = rows;
    for (j, d) in one.iter_mut().enumerate() {
        *d = j.min(255) as u8;
    }
    for i in 1..=a.len() {
        cur[0] = i.min(255) as u8;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (one[j] + 1).min(cur[j - 1] + 1).min(one[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two[j - 2] + 1);
            }
            cur[j] = d.min(250);
            row_min = row_min.min(cur[j]);
        }
        if row_min as usize > k {
            return None;
        }
        std::mem::swap(two, one);
        std::mem::swap(one, cur);
    }
    Some(one.as_slice())
}

/// The char positions of `original_text` (unfolded) that `query` matched, sorted,
/// for highlighting one visible row. Empty when the query is empty.
pub fn highlight(query: &Query, original_text: &str) -> Vec<usize> {
    // Fold char by char, remembering which original char each folded byte came from.
    let mut folded = String::new();
    let mut origin: Vec<usize> = Vec::new();
    let mut one = [0u8; 4];
    for (i, c) in original_text.chars().enumerate() {
        let before = folded.len();
        fold_into(c.encode_utf8(&mut one), &mut folded);
        origin.resize(folded.len(), i);
        debug_assert!(folded.len() >= before);
    }
    let mut matcher = Matcher::new();
    let mut out: Vec<usize> = Vec::new();
    for term in query.positives() {
        let Some(hit) = matcher.best_hit(term, &folded) else { continue };
        match hit.rank {
            Rank::Run | Rank::Typo => out.extend(origin[hit.start..hit.end].iter().copied()),
            Rank::Subsequence => {
                let part = &folded[hit.start..hit.end];
                let chars: Vec<char> = part.chars().collect();
                let at: Vec<usize> = part.char_indices().map(|(i, _)| i).collect();
                let mut picked = Vec::new();
                let n = term.chars.len();
                subsequence_positions(&term.chars, &chars, n + n / 2 + 1, &mut picked);
                out.extend(picked.into_iter().filter_map(|p| at.get(p)).map(|b| origin[hit.start + b]));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(query: &str, row: &str) -> bool {
        Matcher::new().score(&Query::parse(query), &fold(row)).is_some()
    }

    #[test]
    fn fuzzy_ranks() {
        assert!(matches("muler", "Müller"));
        assert!(matches("jhon", "John"));
        assert!(!matches("jho", "John"));
        assert!(matches("jhonso", "Johnson"));
        assert!(!matches("müller", "Amelia Öztürk\u{1f}amelia.ozturk@example.com"));
        assert!(matches("maritnez", "Martinez"));
        assert!(!matches("12", "13"));
    }

    #[test]
    fn a_scan_split_across_cores_ranks_as_one_scan_does() {
        let names = ["anna lee", "ana nguyen", "jon annan", "hanna", "nguyen anna", "bo"];
        let (mut text, mut starts) = (String::new(), Vec::new());
        for i in 0..PARALLEL_ROWS * 2 + 7 {
            starts.push(text.len() as u32);
            fold_row_into([names[i % names.len()], &i.to_string()], &mut text);
            text.push(ROW_END);
        }
        let some: Vec<u32> = (0..starts.len() as u32).filter(|i| i % 3 != 0).collect();
        for q in ["anna", "anna ng", "1", "!bo an"] {
            let query = Query::parse(q);
            let one = Matcher::new().rank(&query, rows(&text, &starts));
            assert_eq!(Matcher::new().rank_rows(&query, &text, &starts, None), one, "{q}");
            let one = Matcher::new().rank(&query, some.iter().map(|&i| (i, row(&text, &starts, i))));
            assert_eq!(Matcher::new().rank_rows(&query, &text, &starts, Some(&some)), one, "{q}");
        }
    }

    #[test]
    fn osa_distance() {
        let mut rows = Default::default();
        let a: Vec<char> = "jhon".chars().collect();
        let b: Vec<char> = "john".chars().collect();
        assert_eq!(osa_last_row(&a, &b, 1, &mut rows).map(|r| r[4]), Some(1));
    }

    #[test]
    fn highlight_maps_to_the_original() {
        let q = Query::parse("mull");
        assert_eq!(highlight(&q, "Zoë Müller"), vec![4, 5, 6, 7]);
        assert_eq!(highlight(&Query::parse("muler"), "Müller"), vec![0, 1, 2, 4, 5]);
    }
}
