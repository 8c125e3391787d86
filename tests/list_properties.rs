//! The one list model: its invariants under any sequence of filter changes,
//! rows arriving and rows leaving (proptest); and the orders pane and the
//! attendees view finding the same people for the same words.

mod support;

use floktu_tui::api::{Order, OrderSummary};
use floktu_tui::guestlist::LoadEvent;
use floktu_tui::search::{Matcher, Query};
use floktu_tui::tui::app::App;
use floktu_tui::tui::list::{List, Rows};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, FilterAction, Msg};
use floktu_tui::tui::update::{settle, update};
use proptest::prelude::*;
use support::*;

#[derive(Clone, Debug)]
enum Step {
    Type(char),
    Backspace,
    Clear,
    Arrive(Vec<String>),
    Remove(usize),
    Move(isize),
    Last,
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select("anbolemüjh 10".chars().collect::<Vec<_>>()), 0..10)
        .prop_map(|c| c.into_iter().collect())
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::sample::select("anbolemüjh 10'!^$".chars().collect::<Vec<_>>()).prop_map(Step::Type),
        2 => Just(Step::Backspace),
        1 => Just(Step::Clear),
        2 => prop::collection::vec(name(), 0..5).prop_map(Step::Arrive),
        2 => (0usize..8).prop_map(Step::Remove),
        3 => (-12isize..12).prop_map(Step::Move),
        1 => Just(Step::Last),
    ]
}

fn rows_of(names: &[String]) -> Rows {
    Rows::new(names.iter().map(|n| [n.as_str()]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_selection_stays_in_bounds_and_the_matches_are_a_fresh_ranking(
        start in prop::collection::vec(name(), 0..8),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let mut names = start;
        let mut rows = rows_of(&names);
        let mut list = List::default();
        list.rows_changed(names.len());
        list.refilter(rows.view(), &floktu_tui::search::NoFacts);
        for step in steps {
            match step {
                Step::Type(c) => list.edit_query(|q| q.push(c)),
                Step::Backspace => list.edit_query(|q| {
                    q.pop();
                }),
                Step::Clear => list.edit_query(String::clear),
                Step::Arrive(more) => {
                    names.extend(more);
                    rows = rows_of(&names);
                    list.rows_changed(names.len());
                }
                Step::Remove(i) => {
                    if i < names.len() {
                        names.remove(i);
                    }
                    rows = rows_of(&names);
                    list.rows_changed(names.len());
                }
                Step::Move(d) => list.move_by(d),
                Step::Last => list.move_to(true),
            }
            list.refilter(rows.view(), &floktu_tui::search::NoFacts);
            let len = list.visible_len();
            prop_assert!(list.selected() < len || (list.selected() == 0 && len == 0));
            let visible: Vec<usize> = list.visible().collect();
            prop_assert!(visible.iter().all(|&i| i < names.len()), "{visible:?} of {}", names.len());
            let mut distinct = visible.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), visible.len());
            // Narrowing or not, the matches are what ranking every row finds.
            let query = Query::parse(list.query());
            let fresh: Vec<usize> = if query.is_empty() {
                (0..names.len()).collect()
            } else {
                let view = rows.view();
                Matcher::new()
                    .rank(&query, floktu_tui::search::rows(view.text, view.starts))
                    .into_iter()
                    .map(|i| i as usize)
                    .collect()
            };
            prop_assert_eq!(visible, fresh, "query {:?}", list.query());
        }
    }
}

/// Purchasers whose names the typos must find, each buying for themselves.
fn people() -> Vec<(u64, &'static str, &'static str, &'static str)> {
    vec![
        (1, "Hans", "Müller", "hans@example.com"),
        (2, "John", "Smith", "john@example.com"),
        (3, "Anna", "Nguyen", "anna@example.com"),
        (4, "Amelia", "Öztürk", "amelia@example.com"),
        (5, "Bo", "Chen", "bo@example.com"),
    ]
}

/// Event 12 open with `people()` as its orders, and its guest list loaded.
fn app_with_people() -> App {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let summaries: Vec<OrderSummary> = people()
        .into_iter()
        .map(|(id, first, last, email)| OrderSummary {
            id,
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
        })
        .collect();
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Ok(decoded(summaries)) });
    let req = req_of(&act(&mut app, Action::Browse(BrowseAction::Attendees)), |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    update(&mut app, Msg::GuestsCached { req, list: None });
    let listed = LoadEvent::Orders { order_ids: people().iter().map(|p| p.0).collect(), skipped: Vec::new() };
    update(&mut app, Msg::GuestEvent { req, event: listed });
    for (id, first, last, email) in people() {
        let mut guest = attendee(100 + id, first, Some(email));
        guest.last_name = last.into();
        let o: Order = order(id, email, vec![guest]);
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(o)) });
    }
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(&mut app);
    app
}

/// The order ids the focused list shows after typing `words` into its filter.
fn found(app: &mut App, words: &str) -> Vec<u64> {
    act(app, Action::Browse(BrowseAction::Filter));
    for c in words.chars() {
        act(app, Action::Type(c));
    }
    settle(app);
    let ids = if app.attendees_shown() {
        let g = app.guests.as_ref().expect("a guest list");
        let list = g.shown.as_ref().expect("guests");
        g.visible().into_iter().map(|i| list.guests()[i].order.id).collect()
    } else {
        app.orders.visible_items().map(|o| o.id).collect()
    };
    act(app, Action::Filter(FilterAction::Clear));
    ids
}

#[test]
fn the_orders_pane_and_the_attendees_view_find_the_same_people() {
    let mut app = app_with_people();
    for (words, who) in [("muler", vec![1]), ("jhon", vec![2]), ("nguyen anna", vec![3]), ("müller", vec![1])]
    {
        let in_attendees = found(&mut app, words);
        act(&mut app, Action::Browse(BrowseAction::Attendees));
        assert!(!app.attendees_shown());
        let in_orders = found(&mut app, words);
        act(&mut app, Action::Browse(BrowseAction::Attendees));
        assert!(app.attendees_shown());
        assert_eq!(in_orders, who, "orders pane, {words:?}");
        assert_eq!(in_attendees, who, "attendees view, {words:?}");
    }
}
