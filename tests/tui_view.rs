//! Every pane rendered to ratatui's TestBackend and snapshotted (insta) in its
//! loading, failed, empty, loaded and filtered states, wide and narrow; the help
//! overlay; and every tiny size without a panic.

mod support;

use floktu_tui::api::{self, Answer, CheckIn, Money, Order, Status};
use floktu_tui::tui::app::App;
use floktu_tui::tui::msg::{Action, BrowseAction, Msg};
use floktu_tui::tui::update::update;
use floktu_tui::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::*;

const SIZES: [(u16, u16); 2] = [(160, 40), (80, 24)];

/// The screen as text.
fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::render(app, f)).unwrap();
    terminal.backend().to_string()
}

/// Snapshots `app` at every size, after telling it the size as the loop would.
fn snapshot_all_sizes(name: &str, mut app: App) {
    for (w, h) in SIZES {
        update(&mut app, Msg::Resize { width: w, height: h });
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app, w, h));
    }
}

fn type_filter(app: &mut App, text: &str) {
    act(app, Action::Browse(BrowseAction::Filter));
    for c in text.chars() {
        act(app, Action::Type(c));
    }
}

fn bad_gateway() -> api::Error {
    api::Error::Server { status: 502, message: "Bad Gateway".into() }
}

/// An order with everything the detail pane shows.
fn rich_order() -> Order {
    let mut ann = attendee(501, "Ann", Some("ann.own@example.com"));
    ann.company = Some("Acme Pty Ltd".into());
    ann.ticket_group = Some("VIP".into());
    ann.ticket = "Weekend Pass".into();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).and_then(|d| d.and_hms_opt(19, 42, 7));
    ann.check_in = Some(CheckIn { raw: "2026-11-28 19:42:07".into(), at });
    ann.answers.push(Answer { question: "Dietary requirements".into(), answer: None });
    let mut wang = attendee(502, "王", None);
    wang.last_name = "小明".into();
    wang.ticket = "Day Pass".into();
    let mut o = order(1, "ann@example.com", vec![ann, wang]);
    o.order_amount = Some(Money(4850));
    o.amount_paid = Some(Money(2000));
    o.voucher = Some("EARLY10".into());
    o.status = Status::Confirmed;
    o
}

#[test]
fn events_loading() {
    let mut app = App::new("floktu.com".into(), false);
    floktu_tui::tui::update::init(&mut app);
    snapshot_all_sizes("events_loading", app);
}

#[test]
fn events_failed() {
    let mut app = App::new("floktu.com".into(), false);
    let req = events_req(&floktu_tui::tui::update::init(&mut app));
    let err = bad_gateway();
    update(&mut app, Msg::EventsLoaded { req, result: Err(err) });
    snapshot_all_sizes("events_failed", app);
}

#[test]
fn events_empty() {
    let mut app = App::new("floktu.com".into(), false);
    let req = events_req(&floktu_tui::tui::update::init(&mut app));
    update(&mut app, Msg::EventsLoaded { req, result: Ok(decoded(vec![])) });
    snapshot_all_sizes("events_empty", app);
}

#[test]
fn events_loaded() {
    snapshot_all_sizes("events_loaded", with_events());
}

#[test]
fn events_filtered() {
    let mut app = with_events();
    type_filter(&mut app, "meet");
    snapshot_all_sizes("events_filtered", app);
}

#[test]
fn orders_loading() {
    let mut app = with_events();
    act(&mut app, Action::Browse(BrowseAction::Open));
    snapshot_all_sizes("orders_loading", app);
}

#[test]
fn orders_failed() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let err = bad_gateway();
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Err(err) });
    snapshot_all_sizes("orders_failed", app);
}

#[test]
fn orders_empty() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Ok(decoded(vec![])) });
    snapshot_all_sizes("orders_empty", app);
}

#[test]
fn orders_loaded() {
    snapshot_all_sizes("orders_loaded", with_orders().0);
}

#[test]
fn orders_filtered() {
    let (mut app, _) = with_orders();
    type_filter(&mut app, "bo");
    snapshot_all_sizes("orders_filtered", app);
}

#[test]
fn detail_loading() {
    let (mut app, _) = with_orders();
    act(&mut app, Action::Browse(BrowseAction::Open));
    snapshot_all_sizes("detail_loading", app);
}

#[test]
fn detail_failed() {
    let (mut app, _) = with_orders();
    let req = order_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let err = bad_gateway();
    update(&mut app, Msg::OrderLoaded { req, event_id: 12, order_id: 1, result: Err(err) });
    snapshot_all_sizes("detail_failed", app);
}

#[test]
fn detail_empty() {
    let (mut app, _) = with_orders();
    open_detail(&mut app, order(1, "ann@example.com", vec![]));
    snapshot_all_sizes("detail_empty", app);
}

#[test]
fn detail_loaded() {
    let (mut app, _) = with_orders();
    open_detail(&mut app, rich_order());
    snapshot_all_sizes("detail_loaded", app);
}

#[test]
fn detail_filtered() {
    let (mut app, _) = with_orders();
    open_detail(&mut app, rich_order());
    type_filter(&mut app, "王");
    snapshot_all_sizes("detail_filtered", app);
}

#[test]
fn help_overlay() {
    let mut app = with_events();
    act(&mut app, Action::Help);
    snapshot_all_sizes("help", app);
}

#[test]
fn hostile_text_never_reaches_the_screen_raw() {
    let mut app = App::new("floktu.com".into(), false);
    let req = events_req(&floktu_tui::tui::update::init(&mut app));
    let hostile = event(1, "Gala\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n\tNight\u{202e}");
    update(&mut app, Msg::EventsLoaded { req, result: Ok(decoded(vec![hostile])) });
    update(&mut app, Msg::Resize { width: 80, height: 10 });
    let screen = draw(&app, 80, 10);
    assert!(screen.contains("Gala Night"), "{screen}");
    assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "{screen:?}");
}

#[test]
fn every_tiny_size_renders_without_panic() {
    let states: Vec<App> = vec![with_events(), with_orders().0, {
        let (mut app, _) = with_orders();
        open_detail(&mut app, rich_order());
        act(&mut app, Action::Help);
        app
    }];
    for mut app in states {
        // Every narrow size up to 30×10, and wide terminals only a few rows high.
        let sizes = (1..=30).flat_map(|w| (1..=10).map(move |h| (w, h)));
        let wide_and_short = [120u16, 121, 160, 400].into_iter().flat_map(|w| (1..=6).map(move |h| (w, h)));
        for (w, h) in sizes.chain(wide_and_short) {
            {
                update(&mut app, Msg::Resize { width: w, height: h });
                draw(&app, w, h);
            }
        }
    }
}

#[test]
fn theme_light() {
    use floktu_tui::config::ThemeName;
    use floktu_tui::tui::theme::Theme;
    let (mut app, _) = with_orders();
    type_filter(&mut app, "an");
    app.theme = Theme::named(ThemeName::Light);
    update(&mut app, Msg::Resize { width: 80, height: 12 });
    let mut terminal = Terminal::new(TestBackend::new(80, 12)).unwrap();
    terminal.draw(|f| view::render(&app, f)).unwrap();
    // The buffer's Debug: the text, then every change of colour and modifier.
    insta::assert_snapshot!("theme_light_80x12", format!("{:?}", terminal.backend().buffer()));
}

#[test]
fn a_remapped_key_shows_in_the_help_and_the_hints() {
    use floktu_tui::config::FileConfig;
    use floktu_tui::tui::keymap::Keymap;
    let file = FileConfig::parse("[keys]\nquit = \"x\"\nhelp = [\"F2\", \"?\"]\n").unwrap();
    let (keys, problems) = Keymap::configured(&file.key_entries());
    assert_eq!(problems, vec![]);
    let mut app = with_events();
    app.keys = keys;
    update(&mut app, Msg::Resize { width: 160, height: 40 });
    let hints = draw(&app, 160, 40);
    assert!(hints.contains("F2 help  x quit"), "{hints}");
    act(&mut app, Action::Help);
    let help = draw(&app, 160, 40);
    let bound =
        |key: &str, what: &str| help.lines().any(|l| l.contains(&format!("  {key} ")) && l.contains(what));
    assert!(bound("x", "quit") && bound("F2 ?", "this help"), "{help}");
    assert!(!bound("q", "quit"), "{help}");
}
