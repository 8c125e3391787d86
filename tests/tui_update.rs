//! `update` as plain unit tests: drilling in and out, downstream resets, stale
//! results, filtering, copying and errors, all without a terminal or a network.

use floktu_tui::api;
use floktu_tui::tui::app::{Focus, Remote};
use floktu_tui::tui::msg::{Action, BrowseAction, Command, FilterAction, Msg};
use floktu_tui::tui::update::{DETAIL_PAUSE, update};

mod support;

use support::*;

#[test]
fn events_load_at_start() {
    let app = with_events();
    assert_eq!(app.events.all().len(), 2);
    assert_eq!(app.focus, Focus::Events);
}

#[test]
fn opening_an_event_loads_its_orders_and_focuses_them() {
    let mut app = with_events();
    let commands = act(&mut app, Action::Browse(BrowseAction::Open));
    assert!(matches!(commands.as_slice(), [Command::FetchOrders { event_id: 12, .. }]), "{commands:?}");
    assert_eq!(app.focus, Focus::Orders);
    assert!(app.orders.items.is_loading());
}

#[test]
fn the_detail_of_the_highlighted_order_is_fetched_after_a_pause() {
    let (app, after_load) = with_orders();
    assert_eq!(after_load, vec![Command::DetailAfter { seq: app.detail_seq, after: DETAIL_PAUSE }]);
}

#[test]
fn moving_fast_fetches_only_where_the_cursor_rests() {
    let (mut app, _) = with_orders();
    let first_seq = app.detail_seq;
    act(&mut app, Action::Browse(BrowseAction::Down));
    act(&mut app, Action::Browse(BrowseAction::Down));
    // The pause that began before the moves has passed: too late, nothing happens.
    assert!(update(&mut app, Msg::DetailDue { seq: first_seq }).is_empty());
    let seq = app.detail_seq;
    let commands = update(&mut app, Msg::DetailDue { seq });
    assert!(matches!(commands.as_slice(), [Command::FetchOrder { order_id: 3, .. }]), "{commands:?}");
}

#[test]
fn details_are_kept_so_going_back_is_instant() {
    let (mut app, _) = with_orders();
    open_detail(&mut app, order(1, "ann@example.com", vec![attendee(10, "Ann", None)]));
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Down));
    let back_up = act(&mut app, Action::Browse(BrowseAction::Up));
    assert!(back_up.is_empty(), "no fetch and no pause for a known order: {back_up:?}");
    assert_eq!(app.attendees.all().len(), 1);
}

#[test]
fn drilling_in_and_out_moves_focus() {
    let (mut app, _) = with_orders();
    open_detail(&mut app, order(1, "ann@example.com", vec![]));
    assert_eq!(app.focus, Focus::Detail);
    act(&mut app, Action::Browse(BrowseAction::Back));
    assert_eq!(app.focus, Focus::Orders);
    act(&mut app, Action::Browse(BrowseAction::Back));
    assert_eq!(app.focus, Focus::Events);
    act(&mut app, Action::Browse(BrowseAction::Back));
    assert_eq!(app.focus, Focus::Events);
}

#[test]
fn selecting_another_event_resets_orders_and_cancels_their_requests() {
    let mut app = with_events();
    let first = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Down));
    let commands = act(&mut app, Action::Browse(BrowseAction::Open));
    assert!(commands.contains(&Command::Cancel(first)), "{commands:?}");
    assert!(matches!(commands.last(), Some(Command::FetchOrders { event_id: 15, .. })));
    assert!(app.orders.all().is_empty());
    assert_eq!(app.open_event.as_ref().map(|e| e.id), Some(15));
}

#[test]
fn selecting_another_event_cancels_detail_requests_in_flight() {
    let (mut app, _) = with_orders();
    let detail = order_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Down));
    let commands = act(&mut app, Action::Browse(BrowseAction::Open));
    assert!(commands.contains(&Command::Cancel(detail)), "{commands:?}");
}

#[test]
fn a_stale_orders_result_is_dropped() {
    let mut app = with_events();
    let stale = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    act(&mut app, Action::Browse(BrowseAction::Back));
    act(&mut app, Action::Browse(BrowseAction::Down));
    act(&mut app, Action::Browse(BrowseAction::Open));
    let late = vec![order_summary(1, "Ann", "ann@example.com")];
    update(&mut app, Msg::OrdersLoaded { req: stale, event_id: 12, result: Ok(decoded(late)) });
    assert!(app.orders.items.is_loading(), "event 15's orders are still awaited");
}

#[test]
fn a_stale_detail_result_is_dropped() {
    let (mut app, _) = with_orders();
    let req = order_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    act(&mut app, Action::Browse(BrowseAction::Refresh));
    update(
        &mut app,
        Msg::OrderLoaded { req, event_id: 12, order_id: 1, result: Ok(order(1, "old@x.io", vec![])) },
    );
    assert!(app.shown_detail().is_some_and(Remote::is_loading));
}

#[test]
fn errors_stay_in_the_pane_that_failed() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let err = api::Error::Server { status: 502, message: "Bad Gateway".into() };
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Err(err) });
    assert_eq!(app.orders.items, Remote::Failed("Floktu answered 502: Bad Gateway".into()));
    assert_eq!(app.events.all().len(), 2, "the events pane is untouched");
}

#[test]
fn refresh_retries_a_failed_pane() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    update(
        &mut app,
        Msg::OrdersLoaded { req, event_id: 12, result: Err(api::Error::Timeout(Default::default())) },
    );
    let commands = act(&mut app, Action::Browse(BrowseAction::Refresh));
    assert!(matches!(commands.as_slice(), [Command::FetchOrders { event_id: 12, .. }]), "{commands:?}");
}

#[test]
fn a_failed_detail_shows_in_the_detail_pane_only() {
    let (mut app, _) = with_orders();
    let req = order_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    update(
        &mut app,
        Msg::OrderLoaded { req, event_id: 12, order_id: 1, result: Err(api::Error::NotFound("x".into())) },
    );
    assert!(matches!(app.shown_detail(), Some(Remote::Failed(_))));
    assert_eq!(app.orders.all().len(), 3);
}

#[test]
fn filter_narrows_the_focused_list_and_counts() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Filter));
    for c in "bo".chars() {
        act(&mut app, Action::Type(c));
    }
    assert_eq!(app.orders.visible_len(), 1);
    assert_eq!(app.orders.selected_item().map(|o| o.id), Some(2));
}

#[test]
fn filter_keeps_selection_on_the_same_order() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Down));
    act(&mut app, Action::Browse(BrowseAction::Down));
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('e'));
    assert!(app.orders.visible_len() >= 2);
    assert_eq!(app.orders.selected_item().map(|o| o.id), Some(3));
}

#[test]
fn esc_clears_the_filter_and_shows_everything() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('z'));
    assert_eq!(app.orders.visible_len(), 0);
    act(&mut app, Action::Filter(FilterAction::Clear));
    assert_eq!(app.orders.visible_len(), 3);
    assert!(!app.orders.list.editing);
}

#[test]
fn enter_keeps_the_filter_and_returns_keys_to_the_list() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('c'));
    act(&mut app, Action::Filter(FilterAction::Keep));
    assert!(!app.orders.list.editing);
    assert_eq!(app.orders.list.query(), "c");
}

#[test]
fn filtering_to_another_order_schedules_its_detail() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Filter));
    let commands = act(&mut app, Action::Type('b'));
    assert!(matches!(commands.as_slice(), [Command::DetailAfter { .. }]), "{commands:?}");
}

#[test]
fn copy_one_copies_the_selected_orders_email() {
    let (mut app, _) = with_orders();
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyOne));
    assert_eq!(
        commands,
        vec![Command::Copy { text: "ann@example.com".into(), what: "ann@example.com".into() }]
    );
}

#[test]
fn copy_all_copies_distinct_emails_of_the_filtered_list_in_order() {
    let (mut app, _) = with_orders();
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    // ANN@example.com is the same address as ann@example.com.
    assert_eq!(
        commands,
        vec![Command::Copy { text: "ann@example.com\nbo@example.com".into(), what: "2 emails".into() }]
    );
    act(&mut app, Action::Browse(BrowseAction::Filter));
    act(&mut app, Action::Type('b'));
    act(&mut app, Action::Type('o'));
    let filtered = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    assert_eq!(filtered, vec![Command::Copy { text: "bo@example.com".into(), what: "1 email".into() }]);
}

#[test]
fn attendee_copy_uses_their_own_email_else_the_purchasers() {
    let (mut app, _) = with_orders();
    let attendees = vec![attendee(10, "Ann", Some("own@example.com")), attendee(11, "Bo", None)];
    open_detail(&mut app, order(1, "buyer@example.com", attendees));
    let all = act(&mut app, Action::Browse(BrowseAction::CopyAll));
    assert_eq!(
        all,
        vec![Command::Copy { text: "own@example.com\nbuyer@example.com".into(), what: "2 emails".into() }]
    );
    act(&mut app, Action::Browse(BrowseAction::Down));
    let one = act(&mut app, Action::Browse(BrowseAction::CopyOne));
    assert!(matches!(&one[..], [Command::Copy { text, .. }] if text == "buyer@example.com"), "{one:?}");
}

#[test]
fn copied_text_is_sanitized() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let hostile = vec![order_summary(1, "Eve", "eve@example.com\u{1b}]52;c;ZXZpbA==\u{7}")];
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Ok(decoded(hostile)) });
    let commands = act(&mut app, Action::Browse(BrowseAction::CopyOne));
    assert!(
        matches!(&commands[..], [Command::Copy { text, .. }] if text == "eve@example.com"),
        "{commands:?}"
    );
}

#[test]
fn copy_in_the_events_pane_explains_why_not() {
    let mut app = with_events();
    assert!(act(&mut app, Action::Browse(BrowseAction::CopyAll)).is_empty());
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error));
}

#[test]
fn copy_result_shows_in_the_status_bar() {
    let mut app = with_events();
    let copied = floktu_tui::tui::msg::Copied { what: "37 emails".into(), via: "OSC 52" };
    update(&mut app, Msg::Copied { result: Ok(copied) });
    assert_eq!(app.notice.as_ref().map(|n| n.text.as_str()), Some("Copied 37 emails (OSC 52)"));
}

#[test]
fn movement_is_clamped_to_the_list() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Up));
    assert_eq!(app.orders.list.selected(), 0);
    act(&mut app, Action::Browse(BrowseAction::PageDown));
    assert_eq!(app.orders.list.selected(), 2);
    act(&mut app, Action::Browse(BrowseAction::Top));
    assert_eq!(app.orders.list.selected(), 0);
    act(&mut app, Action::Browse(BrowseAction::Bottom));
    assert_eq!(app.orders.list.selected(), 2);
}

#[test]
fn help_toggles_and_any_key_closes_it() {
    let mut app = with_events();
    act(&mut app, Action::Help);
    assert!(app.help);
    act(&mut app, Action::Browse(BrowseAction::Down));
    assert!(!app.help);
    assert_eq!(app.events.list.selected(), 0, "the key only closed the help");
}

#[test]
fn refresh_all_reloads_events_and_the_open_events_orders() {
    let (mut app, _) = with_orders();
    let commands = act(&mut app, Action::Browse(BrowseAction::RefreshAll));
    assert!(commands.iter().any(|c| matches!(c, Command::FetchEvents { .. })));
    assert!(commands.iter().any(|c| matches!(c, Command::FetchOrders { event_id: 12, .. })));
}

#[test]
fn resize_decides_wide_or_narrow() {
    let mut app = with_events();
    update(&mut app, Msg::Resize { width: 80, height: 24 });
    assert!(!app.is_wide());
    update(&mut app, Msg::Resize { width: 160, height: 40 });
    assert!(app.is_wide());
    assert_eq!(app.page_rows, 34);
}

#[test]
fn quit_sets_the_flag() {
    let mut app = with_events();
    act(&mut app, Action::Quit);
    assert!(app.quit);
}

mod mouse {
    use super::*;
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    use floktu_tui::tui::app::App;
    use floktu_tui::tui::view;
    use ratatui::layout::Rect;

    fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> Vec<Command> {
        update(app, Msg::Mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE }))
    }

    fn click(app: &mut App, column: u16, row: u16) -> Vec<Command> {
        mouse(app, MouseEventKind::Down(MouseButton::Left), column, row)
    }

    /// The screen as the loop would draw it now, row by row.
    fn screen(app: &App) -> Vec<String> {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.width, app.height)).unwrap();
        terminal.draw(|f| view::render(app, f)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..app.height)
            .map(|y| (0..app.width).map(|x| buffer[(x, y)].symbol().to_string()).collect())
            .collect()
    }

    fn pane(app: &App, focus: Focus) -> Rect {
        let areas = view::layout(app, Rect::new(0, 0, app.width, app.height));
        areas.panes.into_iter().find(|(f, _)| *f == focus).map(|(_, r)| r).unwrap()
    }

    #[test]
    fn a_click_on_a_row_selects_it_and_its_detail_follows() {
        let (mut app, _) = with_orders();
        update(&mut app, Msg::Resize { width: 160, height: 40 });
        act(&mut app, Action::Browse(BrowseAction::Back));
        let orders = pane(&app, Focus::Orders);
        let (x, y) = (orders.x + 4, orders.y + 3);
        assert!(screen(&app)[usize::from(y)].contains("Cy"), "the third order is drawn at row {y}");
        let commands = click(&mut app, x, y);
        assert_eq!(app.focus, Focus::Orders);
        assert_eq!(app.orders.selected_item().map(|o| o.id), Some(3));
        assert_eq!(commands, vec![Command::DetailAfter { seq: app.detail_seq, after: DETAIL_PAUSE }]);
    }

    #[test]
    fn a_click_below_the_rows_or_on_a_border_only_focuses_the_pane() {
        let (mut app, _) = with_orders();
        update(&mut app, Msg::Resize { width: 160, height: 40 });
        let events = pane(&app, Focus::Events);
        click(&mut app, events.x, events.y + 10);
        assert_eq!(app.focus, Focus::Events);
        assert_eq!(app.events.selected_item().map(|e| e.id), Some(12));
        click(&mut app, events.x + 3, events.y + 20);
        assert_eq!(app.events.selected_item().map(|e| e.id), Some(12));
    }

    #[test]
    fn the_wheel_scrolls_the_list_under_the_pointer_and_the_focus_stays() {
        let (mut app, _) = with_orders();
        update(&mut app, Msg::Resize { width: 160, height: 40 });
        let events = pane(&app, Focus::Events);
        mouse(&mut app, MouseEventKind::ScrollDown, events.x + 3, events.y + 3);
        assert_eq!(app.focus, Focus::Orders);
        assert_eq!(app.events.selected_item().map(|e| e.id), Some(15));
        assert_eq!(app.orders.selected_item().map(|o| o.id), Some(1));
    }

    #[test]
    fn a_click_on_the_narrow_screen_counts_from_the_row_shown_first() {
        let (mut app, _) = with_orders();
        update(&mut app, Msg::Resize { width: 80, height: 7 });
        // Two rows fit: moving to the last scrolls the list by one.
        act(&mut app, Action::Browse(BrowseAction::Bottom));
        let rows = screen(&app);
        let orders = pane(&app, Focus::Orders);
        assert!(rows[usize::from(orders.y + 1)].contains("Bo"), "{rows:#?}");
        click(&mut app, orders.x + 4, orders.y + 1);
        assert_eq!(app.orders.selected_item().map(|o| o.id), Some(2));
    }
}
