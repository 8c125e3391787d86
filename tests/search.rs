//! The one matcher (`src/search.rs`): typo cases, ranking, fzf's operators,
//! and properties (`narrows` is sound, `rank` never panics and returns each
//! row at most once).

use floktu_tui::search::{Matcher, Query, fold_row, highlight};
use proptest::prelude::*;

/// Folded rows: name, email, company, order id, attendee id.
fn people() -> Vec<String> {
    [
        ["Jürgen Müller", "jm@example.com", "", "1001", "5001"],
        ["Amelia Öztürk", "amelia.ozturk@gmail.com", "Ölçü", "1002", "5002"],
        ["John Smith", "john.smith@example.org", "", "1003", "5003"],
        ["Anna Nguyen", "anna.nguyen@example.net", "Acme", "1004", "5004"],
        ["Nguyen Van", "van@example.net", "", "1005", "5005"],
        ["Zoë Martinez", "zoe@gmail.com", "", "1006", "5006"],
        ["Marc Lee", "marc@example.com", "", "1007", "5007"],
        ["Bo Chen", "bo.marchetti@example.com", "", "1008", "5008"],
    ]
    .iter()
    .map(|fields| fold_row(fields.iter().copied()))
    .collect()
}

fn names(query: &str) -> Vec<&'static str> {
    let rows = people();
    let all = [
        "Jürgen Müller",
        "Amelia Öztürk",
        "John Smith",
        "Anna Nguyen",
        "Nguyen Van",
        "Zoë Martinez",
        "Marc Lee",
        "Bo Chen",
    ];
    let found = Matcher::new()
        .rank(&Query::parse(query), rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
    found.into_iter().map(|i| all[i as usize]).collect()
}

#[test]
fn typos_find_people() {
    assert_eq!(names("muler"), ["Jürgen Müller"]);
    assert_eq!(names("jhon"), ["John Smith"]);
    assert_eq!(names("nguyen anna"), ["Anna Nguyen"]);
    assert_eq!(names("anna nguyen"), ["Anna Nguyen"]);
    assert_eq!(names("martniez"), ["Zoë Martinez"]);
}

#[test]
fn a_subsequence_never_spreads_over_words_or_fields() {
    assert_eq!(names("müller"), ["Jürgen Müller"]);
    assert!(!names("muller").contains(&"Amelia Öztürk"));
}

#[test]
fn typos_and_subsequences_are_forgiven_in_the_name_only() {
    // "jonh" is one transposition from "john", which Bo Chen's email would
    // also hold: only the name is read with typos.
    let rows = [fold_row(["Bo Chen", "john.chen@example.com"]), fold_row(["John Smith", "js@example.com"])];
    let found = Matcher::new()
        .rank(&Query::parse("jonh"), rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
    assert_eq!(found, [1]);
    let found = Matcher::new()
        .rank(&Query::parse("john"), rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
    assert_eq!(found, [1, 0], "exact in the name, then a prefix in the email");
}

#[test]
fn accents_and_case_are_folded() {
    assert_eq!(names("MÜLLER"), ["Jürgen Müller"]);
    assert_eq!(names("zoe"), ["Zoë Martinez"]);
    assert_eq!(names("Zoë"), ["Zoë Martinez"]);
    assert_eq!(names("olcu"), ["Amelia Öztürk"]);
}

#[test]
fn numbers_match_by_substring_only() {
    assert_eq!(names("1004"), ["Anna Nguyen"]);
    assert_eq!(names("500"), names("5"));
    assert_eq!(names("1009"), Vec::<&str>::new(), "no typos in ids");
}

#[test]
fn an_exact_name_ranks_above_a_fuzzy_one_and_the_name_above_the_email() {
    // "marc": Marc Lee by name; Bo Chen by a prefix in the email; Zoë Martinez
    // by a typo ("mart" is one edit from "marc").
    assert_eq!(names("marc"), ["Marc Lee", "Bo Chen", "Zoë Martinez"]);
    // "nguyen": both by name, ties in row order.
    assert_eq!(names("nguyen"), ["Anna Nguyen", "Nguyen Van"]);
    // "van": Nguyen Van by the name, before any email match.
    assert_eq!(names("van")[0], "Nguyen Van");
}

#[test]
fn a_prefix_in_the_name_ranks_above_an_exact_word_in_the_email() {
    let rows = [fold_row(["Bo Chen", "ann@example.com"]), fold_row(["Annika Berg", "ab@example.com"])];
    let found = Matcher::new()
        .rank(&Query::parse("ann"), rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
    assert_eq!(found, [1, 0]);
}

#[test]
fn exact_terms() {
    assert_eq!(names("'marc"), ["Marc Lee", "Bo Chen"]);
    assert_eq!(names("'jhon"), Vec::<&str>::new(), "an exact term takes no typos");
    assert_eq!(names("'example.n"), ["Anna Nguyen", "Nguyen Van"]);
}

#[test]
fn prefix_terms_match_a_word_start() {
    assert_eq!(names("^ngu"), ["Anna Nguyen", "Nguyen Van"]);
    assert_eq!(names("^guyen"), Vec::<&str>::new());
}

#[test]
fn suffix_terms_match_a_word_end() {
    assert_eq!(names("ez$"), ["Zoë Martinez"]);
    assert_eq!(names("^lee$"), ["Marc Lee"]);
    assert_eq!(names("mart$"), Vec::<&str>::new());
}

#[test]
fn negated_terms_exclude() {
    assert_eq!(names("!gmail marc"), ["Marc Lee", "Bo Chen"]);
    assert_eq!(names("!gmail ^m"), ["Jürgen Müller", "Marc Lee", "Bo Chen"]);
    assert_eq!(names("!example").len(), 2);
    assert_eq!(names("!").len(), 8, "an operator alone is ignored");
}

#[test]
fn an_escaped_space_is_part_of_a_term() {
    assert_eq!(names("anna\\ nguyen"), ["Anna Nguyen"]);
    assert_eq!(names("nguyen\\ anna"), Vec::<&str>::new());
}

#[test]
fn an_empty_query_keeps_every_row_in_order() {
    assert!(Query::parse("  ").is_empty());
    assert_eq!(names("").len(), 8);
    assert_eq!(names("")[0], "Jürgen Müller");
}

#[test]
fn highlight_marks_the_original_chars() {
    let q = Query::parse("muler");
    assert_eq!(highlight(&q, "Jürgen Müller"), vec![7, 8, 9, 11, 12]);
    assert_eq!(highlight(&Query::parse("jhon"), "John Smith"), vec![0, 1, 2, 3]);
    assert_eq!(highlight(&Query::parse("zoe !gmail"), "Zoë M"), vec![0, 1, 2]);
    assert!(highlight(&Query::parse(""), "Zoë").is_empty());
}

#[test]
fn narrows_is_true_where_it_is_sure() {
    let narrows = |longer: &str, shorter: &str| Query::parse(longer).narrows(&Query::parse(shorter));
    assert!(narrows("ma", "m"));
    assert!(narrows("'mar", "'ma"));
    assert!(narrows("'mar lee", "'mar"));
    assert!(narrows("^mart", "^mar"));
    assert!(narrows("anything", ""));
    assert!(narrows("!gmail", "!gmail.com"));
    assert!(!narrows("jhon", "jho"), "a typo can find what the shorter term did not");
    assert!(!narrows("!gmail.com", "!gmail"));
    assert!(!narrows("mar", "'mar lee"));
}

fn words() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "m", "ma", "mar", "marc", "martinez", "muler", "jhon", "nguyen", "anna", "lee", "gmail", "example",
        "10", "zoe", "ö", "e",
    ])
    .prop_map(str::to_string)
}

fn term() -> impl Strategy<Value = String> {
    (prop::sample::select(vec!["", "", "'", "^", "!"]), words(), prop::bool::ANY)
        .prop_map(|(op, w, dollar)| format!("{op}{w}{}", if dollar { "$" } else { "" }))
}

proptest! {
    /// A query that says it narrows another never matches a row the other misses.
    #[test]
    fn narrows_is_sound(
        shorter in prop::collection::vec(term(), 0..3),
        extra in prop::collection::vec(term(), 0..2),
        grow in words(),
    ) {
        let mut longer = shorter.clone();
        if let Some(last) = longer.last_mut() {
            // Type one more character, before a closing `$` if there is one.
            let c = grow.chars().next().unwrap_or('x');
            let at = if last.ends_with('$') { last.len() - 1 } else { last.len() };
            last.insert(at, c);
        }
        longer.extend(extra);
        let (longer, shorter) = (Query::parse(&longer.join(" ")), Query::parse(&shorter.join(" ")));
        if longer.narrows(&shorter) {
            let mut m = Matcher::new();
            for row in people() {
                if m.score(&longer, &row).is_some() {
                    prop_assert!(m.score(&shorter, &row).is_some(), "{row:?}");
                }
            }
        }
    }

    /// Any text, any query: no panic, each row at most once, only matching rows.
    #[test]
    fn rank_never_panics_and_returns_each_row_once(
        query in "\\PC{0,12}",
        rows in prop::collection::vec("\\PC{0,40}", 0..20),
    ) {
        let query = Query::parse(&query);
        let mut m = Matcher::new();
        let found = m.rank(&query, rows.iter().enumerate().map(|(i, r)| (i as u32, r.as_str())));
        let mut seen = std::collections::HashSet::new();
        for id in &found {
            prop_assert!(seen.insert(*id), "row {id} twice");
            prop_assert!(m.score(&query, &rows[*id as usize]).is_some());
        }
        for (i, r) in rows.iter().enumerate() {
            prop_assert_eq!(m.score(&query, r).is_some(), seen.contains(&(i as u32)));
            let _ = highlight(&query, r);
        }
    }
}
