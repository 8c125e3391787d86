//! Search and barcode lookup over 100,000 attendees, per keystroke: what door
//! mode does on every key. The budget is one frame, 16 ms.
//!
//! `cargo bench --bench search`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::guestlist::GuestList;
use floktu_tui::search::{Matcher, Query, row, rows};

const ATTENDEES: usize = 100_000;

/// 100,000 attendees of the demo's generated orders, built without HTTP.
fn hundred_thousand() -> GuestList {
    let list = Dataset::generate(DemoOptions::default().seed, 1, ATTENDEES / 2 + 100).guest_list(ATTENDEES);
    assert!(list.len() >= ATTENDEES, "only {} attendees", list.len());
    list
}

fn search(c: &mut Criterion) {
    let list = hundred_thousand();
    // A barcode: the attendee id of someone in the middle of the list.
    let barcode = list.guests()[list.len() / 2].attendee.attendee_id;
    let mut group = c.benchmark_group("search 100k attendees");
    // One letter matches most guests: the worst case for building the result.
    for query in ["e", "mar", "martinez", "example.", "zz-nobody"] {
        group.bench_function(format!("{} chars: {query:?}", query.chars().count()), |b| {
            b.iter(|| black_box(list.search(black_box(query))))
        });
    }
    group.bench_function("accented 3 chars: \"müł\"", |b| {
        b.iter(|| black_box(list.search(black_box("müł"))))
    });
    group.bench_function("id lookup (barcode)", |b| b.iter(|| black_box(list.lookup_id(black_box(barcode)))));
    group.bench_function("counts", |b| b.iter(|| black_box(list.counts())));
    group.finish();
}

/// The one matcher (`src/search.rs`) per keystroke: parse + rank over every
/// row, as a list's filter does when the query does not narrow the last one.
fn one_matcher(c: &mut Criterion) {
    let list = hundred_thousand();
    let (text, starts) = (list.search_text(), list.search_starts());
    let mut matcher = Matcher::new();
    let mut group = c.benchmark_group("one matcher 100k attendees");
    let queries = [
        "m",
        "mar",
        "martinez",
        "muler",
        "jhon",
        "nguyen anna",
        "'exact",
        "^mar",
        "!gmail mar",
        "example.",
        "müł",
    ];
    for query in queries {
        group.bench_function(format!("rank {query:?}"), |b| {
            b.iter(|| black_box(matcher.rank(&Query::parse(black_box(query)), rows(text, starts))))
        });
    }
    // Typing a name key by key: each keystroke ranks the previous matches when
    // the query narrows the last one, else every row (as the list model does).
    for typed in ["martinez", "'mart", "anna nguyen"] {
        let keys: Vec<&str> = typed.char_indices().map(|(i, c)| &typed[..i + c.len_utf8()]).collect();
        group.bench_function(format!("typing {typed:?}, {} keystrokes", keys.len()), |b| {
            b.iter(|| {
                let mut last: Option<(Query, Vec<u32>)> = None;
                for &key in &keys {
                    let query = Query::parse(key);
                    let found = match &last {
                        Some((previous, found)) if query.narrows(previous) => {
                            matcher.rank(&query, found.iter().map(|&id| (id, row(text, starts, id))))
                        }
                        _ => matcher.rank(&query, rows(text, starts)),
                    };
                    last = Some((query, found));
                }
                black_box(last)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, search, one_matcher);
criterion_main!(benches);
