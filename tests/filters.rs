//! `is:`, `ticket:`, `answer:` and `voucher:` qualifiers in the lists'
//! filters, the orders pane's money from the guest list, and sorting that
//! holds through a filter.

mod support;

use floktu_tui::api::{Answer, Money, Order, OrderSummary, Status};
use floktu_tui::guestlist::{GuestFacts, GuestList, LoadEvent};
use floktu_tui::search::{Matcher, Query, State, Test};
use floktu_tui::tui::app::{App, ReqId};
use floktu_tui::tui::list::{List, Sort, SortKey};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, FilterAction, Msg};
use floktu_tui::tui::update::{settle, update};
use proptest::prelude::*;
use support::*;

/// One order of the fixture: id, purchaser, status, amount and paid (cents),
/// voucher, and its attendees' (ticket, answer to "Dietary requirements", checked in).
type Spec =
    (u64, &'static str, Status, i64, i64, Option<&'static str>, Vec<(&'static str, &'static str, bool)>);

fn specs() -> Vec<Spec> {
    use Status::*;
    vec![
        (1, "Ann", Confirmed, 4850, 2000, None, vec![("VIP", "vegetarian", true)]),
        (2, "Bo", Confirmed, 3000, 3000, Some("EARLY"), vec![("GA", "none", false), ("GA", "vegan", false)]),
        (3, "Cy", Cancelled, 3000, 0, None, vec![("GA", "vegetarian", false)]),
        (4, "Di", Unconfirmed, 2417, 0, None, vec![("VIP", "", false)]),
        (5, "Ed", Confirmed, 10001, 1, Some("FRIENDS"), vec![("GA", "halal", false)]),
    ]
}

fn order_of((id, name, status, amount, paid, voucher, guests): &Spec) -> Order {
    let attendees = guests
        .iter()
        .enumerate()
        .map(|(i, (ticket, diet, checked_in))| {
            let mut a = attendee(id * 100 + i as u64, name, None);
            a.ticket = ticket.to_string();
            a.answers =
                vec![Answer { question: "Dietary requirements".into(), answer: Some(diet.to_string()) }];
            if *checked_in {
                a.check_in = Some(floktu_tui::api::CheckIn { raw: "2026-12-01 19:42".into(), at: None });
            }
            a
        })
        .collect();
    let mut o = order(*id, &format!("{}@example.com", name.to_lowercase()), attendees);
    o.name = name.to_string();
    o.status = *status;
    o.order_amount = Some(Money(*amount));
    o.amount_paid = Some(Money(*paid));
    o.voucher = voucher.map(str::to_string);
    o
}

/// Event 12 open with the fixture's orders in the orders pane, its guest
/// list asked for and `arrived` of the orders' details in (the load not done).
fn app_loading(arrived: &[Spec]) -> (App, ReqId) {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let summaries: Vec<OrderSummary> = specs()
        .iter()
        .map(|s| OrderSummary {
            id: s.0,
            email: format!("{}@example.com", s.1),
            first_name: s.1.into(),
            last_name: "Lee".into(),
        })
        .collect();
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Ok(decoded(summaries)) });
    let req = req_of(&act(&mut app, Action::Browse(BrowseAction::Attendees)), |c| match c {
        Command::LoadGuests { req, .. } => Some(*req),
        _ => None,
    });
    act(&mut app, Action::Browse(BrowseAction::Attendees));
    update(&mut app, Msg::GuestsCached { req, list: None });
    let listed = LoadEvent::Orders { order_ids: specs().iter().map(|s| s.0).collect(), skipped: Vec::new() };
    update(&mut app, Msg::GuestEvent { req, event: listed });
    for s in arrived {
        update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(order_of(s))) });
    }
    settle(&mut app);
    (app, req)
}

/// Event 12 open with the fixture's orders, its guest list loaded.
fn app_with_orders() -> App {
    let (mut app, req) = app_loading(&specs());
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(&mut app);
    app
}

fn type_filter(app: &mut App, words: &str) {
    act(app, Action::Browse(BrowseAction::Filter));
    for c in words.chars() {
        act(app, Action::Type(c));
    }
    act(app, Action::Filter(FilterAction::Keep));
    settle(app);
}

fn orders_shown(app: &App) -> Vec<u64> {
    app.orders.visible_items().map(|o| o.id).collect()
}

fn attendees_shown(app: &App) -> Vec<u64> {
    let g = app.guests.as_ref().expect("a guest list");
    let list = g.shown.as_ref().expect("guests");
    g.visible().into_iter().map(|i| list.guests()[i].attendee.id()).collect()
}

#[test]
fn is_due_in_the_orders_pane_keeps_exactly_the_confirmed_orders_that_owe() {
    let mut app = app_with_orders();
    assert!(!app.attendees_shown());
    type_filter(&mut app, "is:due");
    assert_eq!(orders_shown(&app), vec![1, 5]);
    assert_eq!((app.orders.list.visible_len(), app.orders.list.total()), (2, 5));
    let list = app.guests.as_ref().and_then(|g| g.shown.as_ref()).expect("guests");
    let due: Vec<Money> =
        [1, 5].iter().filter_map(|&id| list.purchase(id).and_then(|p| p.amount_due())).collect();
    assert_eq!(due, vec![Money(2850), Money(10000)]);
}

#[test]
fn qualifiers_combine_with_text_and_with_each_other() {
    let mut app = app_with_orders();
    type_filter(&mut app, "is:confirmed ann");
    assert_eq!(orders_shown(&app), vec![1]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    type_filter(&mut app, "!is:cancelled ticket:vip");
    assert_eq!(orders_shown(&app), vec![1, 4]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    type_filter(&mut app, "voucher:early");
    assert_eq!(orders_shown(&app), vec![2]);
}

#[test]
fn answers_are_found_by_free_text_and_by_answer() {
    let mut app = app_with_orders();
    act(&mut app, Action::Browse(BrowseAction::Attendees));
    assert!(app.attendees_shown());
    type_filter(&mut app, "answer:vegetarian");
    assert_eq!(attendees_shown(&app), vec![100, 300]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    type_filter(&mut app, "vegan");
    assert_eq!(attendees_shown(&app), vec![201]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    type_filter(&mut app, "is:in");
    assert_eq!(attendees_shown(&app), vec![100]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    type_filter(&mut app, "is:out is:confirmed");
    assert_eq!(attendees_shown(&app), vec![200, 201, 500]);
}

#[test]
fn an_unknown_qualifier_is_named_and_left_out_of_the_matching() {
    let q = Query::parse("is:late foo:bar anna");
    assert_eq!(q.unknown(), ["is:late".to_string(), "foo:bar".to_string()]);
    assert!(q.qualifiers().is_empty());
    assert!(q.has_text());
    let mut app = app_with_orders();
    type_filter(&mut app, "is:late");
    assert_eq!(orders_shown(&app), vec![1, 2, 3, 4, 5]);
    let screen = draw(&mut app, 160, 40);
    assert!(screen.contains("unknown filter is:late"), "{screen}");
}

#[test]
fn is_values_may_be_shortened_while_unique_and_digits_with_a_colon_are_text() {
    let is = |s: &str| {
        Query::parse(s).qualifiers().iter().map(|q| (q.negated, q.test.clone())).collect::<Vec<_>>()
    };
    assert_eq!(is("is:du"), vec![(false, Test::Is(State::Due))]);
    assert_eq!(is("!is:canceled"), vec![(true, Test::Is(State::Cancelled))]);
    assert_eq!(is("IS:Confirmed"), vec![(false, Test::Is(State::Confirmed))]);
    assert_eq!(Query::parse("is:c").unknown(), ["is:c".to_string()], "cancelled or confirmed");
    assert_eq!(is("ticket:Wéekend"), vec![(false, Test::Ticket("weekend".into()))]);
    let time = Query::parse("19:42");
    assert!(time.qualifiers().is_empty() && time.unknown().is_empty() && time.has_text());
    // A known name still being typed asks nothing yet, and says nothing.
    let typing = Query::parse("ticket:");
    assert!(typing.is_empty() && typing.unknown().is_empty());
}

#[test]
fn the_orders_pane_shows_status_and_money_and_the_detail_says_how_much_is_due() {
    let mut app = app_with_orders();
    let screen = draw(&mut app, 160, 40);
    assert!(screen.contains("✖ cancelled"), "{screen}");
    assert!(screen.contains("⚠28.50"), "{screen}");
    assert!(screen.contains("◌ unconfirmed"), "{screen}");
    let o = order_of(&specs()[0]);
    open_detail(&mut app, o);
    let screen = draw(&mut app, 160, 40);
    assert!(screen.contains("BALANCE DUE 28.50"), "{screen}");
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    update(app, Msg::Resize { width: w, height: h });
    let backend = ratatui::backend::TestBackend::new(w, h);
    let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
    terminal.draw(|f| floktu_tui::tui::view::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect()
}

#[test]
fn o_sorts_by_amount_and_the_sort_holds_through_a_filter() {
    let mut app = app_with_orders();
    act(&mut app, Action::Browse(BrowseAction::Sort));
    act(&mut app, Action::Browse(BrowseAction::Sort));
    act(&mut app, Action::Browse(BrowseAction::Sort));
    assert_eq!(app.orders.list.sort(), Some(Sort { key: SortKey::Amount, reverse: false }));
    assert_eq!(orders_shown(&app), vec![4, 2, 3, 1, 5]);
    act(&mut app, Action::Browse(BrowseAction::SortReverse));
    assert_eq!(orders_shown(&app), vec![5, 1, 2, 3, 4], "ties keep their own order");
    type_filter(&mut app, "!is:cancelled");
    assert_eq!(orders_shown(&app), vec![5, 1, 2, 4]);
    act(&mut app, Action::Filter(FilterAction::Clear));
    settle(&mut app);
    assert_eq!(orders_shown(&app), vec![5, 1, 2, 3, 4]);
}

/// A guest list of `n` single-guest orders with drawn statuses, payments and tickets.
fn drawn_list(draws: &[(u8, bool, bool)]) -> GuestList {
    let mut list = GuestList::new(12);
    let now = chrono::Utc::now();
    for (i, &(status, paid, vip)) in draws.iter().enumerate() {
        let id = i as u64 + 1;
        let mut a = attendee(1000 + id, ["anna", "bo", "anneke", "jo"][i % 4], None);
        a.ticket = if vip { "VIP" } else { "GA" }.into();
        let mut o = order(id, "x@example.com", vec![a]);
        o.status = [Status::Confirmed, Status::Cancelled, Status::Unconfirmed][status as usize % 3];
        o.order_amount = Some(Money(1000));
        o.amount_paid = Some(Money(if paid { 1000 } else { 500 }));
        list.add_order_fetched(o, now);
    }
    list
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Typed one key at a time, narrowing or not, a filter of qualifiers and
    /// text keeps what asking every guest afresh keeps; and a sort shows
    /// exactly the matches, in the sort's order.
    #[test]
    fn a_filter_with_qualifiers_keeps_what_asking_every_guest_keeps(
        draws in prop::collection::vec((0u8..3, any::<bool>(), any::<bool>()), 0..12),
        words in prop::collection::vec(prop::sample::select(vec![
            "is:due", "!is:due", "is:cancelled", "is:confirmed", "ticket:vip", "!ticket:vip", "ann", "an", "bo", "is:c", "is:in",
        ]), 0..4),
        sorted in any::<bool>(),
    ) {
        let list = drawn_list(&draws);
        let facts = GuestFacts { list: &list, admitted: None };
        let rows = floktu_tui::tui::list::RowsView { text: list.search_text(), starts: list.search_starts() };
        let mut typed = List::default();
        typed.rows_changed(list.len());
        if sorted {
            typed.set_sort(Some(Sort { key: SortKey::Id, reverse: true }));
            typed.set_order((0..list.len() as u32).rev().collect());
        }
        let query = words.join(" ");
        for c in query.chars() {
            typed.edit_query(|q| q.push(c));
            typed.refilter(rows, &facts);
        }
        let parsed = Query::parse(&query);
        let kept: Vec<u32> = (0..list.len() as u32)
            .filter(|&i| parsed.qualifiers().iter().all(|q| q.keeps(&facts, i, rows.row(i))))
            .collect();
        let mut fresh: Vec<usize> = Matcher::new()
            .rank(&parsed, kept.iter().map(|&i| (i, rows.row(i))))
            .into_iter()
            .map(|i| i as usize)
            .collect();
        if sorted {
            fresh.sort_by_key(|&i| std::cmp::Reverse(i));
        }
        let visible: Vec<usize> = typed.visible().collect();
        prop_assert_eq!(visible, fresh, "query {:?}", query);
    }
}

#[test]
fn while_details_load_a_qualifier_says_how_many_orders_it_could_ask_so_far() {
    let (mut app, req) = app_loading(&specs()[..2]);
    type_filter(&mut app, "is:due");
    assert_eq!(orders_shown(&app), vec![1]);
    let screen = draw(&mut app, 160, 40);
    assert!(screen.contains("so far: details of 2 of 5 orders"), "{screen}");
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Order(Box::new(order_of(&specs()[4]))) });
    update(&mut app, Msg::GuestEvent { req, event: LoadEvent::Done });
    settle(&mut app);
    assert_eq!(orders_shown(&app), vec![1, 5], "the orders that arrive are asked too");
    assert!(!draw(&mut app, 160, 40).contains("so far"));
}
