//! One frame of the TUI over 100,000 attendees, and one keystroke of the
//! attendees filter and of door mode: render cost must follow the screen, not
//! the data. The budget for a frame is 2 ms.
//!
//! `cargo bench --bench render`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use floktu_tui::api::Event;
use floktu_tui::demo::{Dataset, DemoOptions};
use floktu_tui::tui::app::{App, Focus, OrdersView, Screen};
use floktu_tui::tui::guests::{GuestLoad, Guests};
use floktu_tui::tui::msg::{Action, BrowseAction, DoorAction, FilterAction, Msg};
use floktu_tui::tui::update::update;
use floktu_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ATTENDEES: usize = 100_000;

/// An app showing every one of 100,000 attendees in the middle pane.
fn app_with_100k() -> App {
    let data = Dataset::generate(DemoOptions::default().seed, 1, ATTENDEES / 2 + 100);
    let event = &data.events[0];
    let list = data.guest_list(ATTENDEES);
    let mut app = App::new("floktu.com".into(), false);
    update(&mut app, Msg::Resize { width: 160, height: 40 });
    app.open_event = Some(Event { id: event.id, name: event.name.clone() });
    app.focus = Focus::Orders;
    app.orders_view = OrdersView::Attendees;
    let mut guests = Guests::new(event.id);
    guests.shown = Some(list);
    guests.load = GuestLoad::Live(floktu_tui::tui::app::ReqId(1));
    app.guests = Some(guests);
    app
}

fn render(c: &mut Criterion) {
    let mut app = app_with_100k();
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("a test terminal");
    let mut group = c.benchmark_group("100k attendees");
    group.bench_function("frame: attendees list at 160x40", |b| {
        b.iter(|| terminal.draw(|f| view::render(black_box(&app), f)).map(|_| ()))
    });
    // Halfway down the list: scrolling must not cost more than the top.
    update(&mut app, Msg::Action(Action::Browse(BrowseAction::PageDown)));
    if let Some(g) = app.guests.as_mut() {
        g.list.move_by(ATTENDEES as isize / 2);
    }
    group.bench_function("frame: attendees list scrolled to 50,000", |b| {
        b.iter(|| terminal.draw(|f| view::render(black_box(&app), f)).map(|_| ()))
    });
    update(&mut app, Msg::Action(Action::Browse(BrowseAction::Filter)));
    group.bench_function("keystroke: attendees filter \"mar\" (update + frame)", |b| {
        b.iter(|| {
            for c in "mar".chars() {
                update(&mut app, Msg::Action(Action::Type(c)));
            }
            terminal.draw(|f| view::render(&app, f)).map(|_| ()).ok();
            for _ in 0..3 {
                update(&mut app, Msg::Action(Action::Filter(FilterAction::Backspace)));
            }
        })
    });
    update(&mut app, Msg::Action(Action::Filter(FilterAction::Clear)));
    app.screen = Screen::Door;
    group.bench_function("keystroke: door input \"mart\" (update + frame)", |b| {
        b.iter(|| {
            for c in "mart".chars() {
                update(&mut app, Msg::Action(Action::Type(c)));
            }
            terminal.draw(|f| view::render(&app, f)).map(|_| ()).ok();
            update(&mut app, Msg::Action(Action::Door(DoorAction::Clear)));
        })
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
