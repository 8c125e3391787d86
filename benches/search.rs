//! Search and barcode lookup over 100,000 attendees, per keystroke: what door
//! mode does on every key. The budget is one frame, 16 ms.
//!
//! `cargo bench --bench search`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::guestlist::GuestList;

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

criterion_group!(benches, search);
criterion_main!(benches);
