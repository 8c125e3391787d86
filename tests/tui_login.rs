//! The login screen's rules as `update` tests: starting the handoff, pasting,
//! stale answers, a revoked token bringing the login back, logging out.

mod support;

use floktu_tui::api;
use floktu_tui::api::oauth::OAuthError;
use floktu_tui::auth::loopback::ListenError;
use floktu_tui::auth::store::Saved;
use floktu_tui::tui::app::{App, LoginField, LoginForm, LoginPhase, Screen};
use floktu_tui::tui::msg::{
    Action, BrowseAction, Command, LoginAction, LoginFailed, LoginStart, Msg, Stored,
};
use floktu_tui::tui::update::{REVOKED, update};
use support::*;

/// The login screen, prefilled as settings would.
fn login_screen() -> App {
    let mut app = App::new("floktu.com".into(), false);
    app.screen = Screen::Login;
    app.login = LoginForm::new(Some("client-1".into()), Some("s3cr3t-value".into()));
    app
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        act(app, Action::Type(c));
    }
}

/// Submits the client fields and answers the start; returns the attempt.
fn started(app: &mut App) -> u64 {
    let commands = act(app, Action::Login(LoginAction::Submit));
    let attempt = commands
        .iter()
        .find_map(|c| match c {
            Command::StartLogin { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .expect("StartLogin");
    let start = LoginStart {
        url: "https://floktu.com/api/v2/authorize?state=s1".into(),
        state: "s1".into(),
        redirect_uri: "http://127.0.0.1:8765/callback".into(),
        not_listening: None,
        browser_opened: false,
    };
    update(app, Msg::LoginStarted { attempt, result: Ok(start) });
    attempt
}

#[test]
fn without_a_token_nothing_loads_until_login() {
    let mut app = login_screen();
    assert!(floktu_tui::tui::update::init(&mut app).is_empty());
}

#[test]
fn enter_on_the_client_fields_starts_the_handoff() {
    let mut app = login_screen();
    let commands = act(&mut app, Action::Login(LoginAction::Submit));
    assert!(
        commands.contains(&Command::StartLogin { attempt: 1, client_id: "client-1".into() }),
        "{commands:?}"
    );
    assert_eq!(app.login.phase, LoginPhase::Starting);
}

#[test]
fn a_missing_secret_is_asked_for_not_sent() {
    let mut app = App::new("floktu.com".into(), false);
    app.screen = Screen::Login;
    app.login = LoginForm::new(Some("client-1".into()), None);
    assert!(act(&mut app, Action::Login(LoginAction::Submit)).is_empty());
    assert_eq!(app.login.field, LoginField::ClientSecret);
    assert!(app.login.message.as_ref().is_some_and(|m| m.is_error));
}

#[test]
fn the_started_handoff_shows_its_url_and_moves_to_the_paste_field() {
    let mut app = login_screen();
    started(&mut app);
    assert!(matches!(&app.login.phase, LoginPhase::Waiting { url, .. } if url.contains("authorize")));
    assert_eq!(app.login.field, LoginField::Paste);
}

#[test]
fn a_stale_start_is_ignored() {
    let mut app = login_screen();
    act(&mut app, Action::Login(LoginAction::Submit));
    act(&mut app, Action::Login(LoginAction::Submit));
    let old = LoginStart {
        url: "old".into(),
        state: "old".into(),
        redirect_uri: "r".into(),
        not_listening: None,
        browser_opened: false,
    };
    update(&mut app, Msg::LoginStarted { attempt: 1, result: Ok(old) });
    assert_eq!(app.login.phase, LoginPhase::Starting);
}

#[test]
fn a_pasted_redirect_with_the_right_state_is_exchanged() {
    let mut app = login_screen();
    started(&mut app);
    type_text(&mut app, "http://127.0.0.1:8765/callback?code=abc&state=s1");
    let commands = act(&mut app, Action::Login(LoginAction::Submit));
    assert!(
        commands.iter().any(|c| matches!(c, Command::ExchangeCode { code, redirect_uri, .. }
            if code == "abc" && redirect_uri == "http://127.0.0.1:8765/callback")),
        "{commands:?}"
    );
    assert_eq!(app.login.phase, LoginPhase::Finishing);
}

#[test]
fn a_pasted_redirect_with_the_wrong_state_is_refused() {
    let mut app = login_screen();
    started(&mut app);
    type_text(&mut app, "http://127.0.0.1:8765/callback?code=abc&state=evil");
    assert!(act(&mut app, Action::Login(LoginAction::Submit)).is_empty());
    assert!(app.login.message.as_ref().is_some_and(|m| m.text.contains("state does not match")));
}

#[test]
fn a_bracketed_paste_lands_in_the_focused_field_without_line_breaks() {
    let mut app = login_screen();
    started(&mut app);
    act(&mut app, Action::Paste("abc-code\r\n".into()));
    assert_eq!(app.login.paste, "abc-code");
}

#[test]
fn the_listeners_code_is_exchanged() {
    let mut app = login_screen();
    let attempt = started(&mut app);
    let commands = update(&mut app, Msg::LoginCode { attempt, result: Ok("xyz".into()) });
    assert!(commands.iter().any(|c| matches!(c, Command::ExchangeCode { code, .. } if code == "xyz")));
}

#[test]
fn a_listener_timeout_leaves_the_paste_open() {
    let mut app = login_screen();
    let attempt = started(&mut app);
    update(
        &mut app,
        Msg::LoginCode { attempt, result: Err(ListenError::TimedOut(std::time::Duration::from_secs(60))) },
    );
    assert!(matches!(app.login.phase, LoginPhase::Waiting { .. }));
    assert_eq!(app.login.field, LoginField::Paste);
    assert!(app.login.message.as_ref().is_some_and(|m| m.is_error));
}

#[test]
fn logging_in_opens_the_events() {
    let mut app = login_screen();
    let attempt = started(&mut app);
    update(&mut app, Msg::LoginCode { attempt, result: Ok("xyz".into()) });
    let commands = update(&mut app, Msg::LoggedIn { attempt, result: Ok(Stored::In(Saved::Keyring)) });
    assert_eq!(app.screen, Screen::Browse);
    assert!(commands.iter().any(|c| matches!(c, Command::FetchEvents { .. })));
}

#[test]
fn an_invalid_grant_is_shown_and_the_login_can_start_again() {
    let mut app = login_screen();
    let attempt = started(&mut app);
    update(&mut app, Msg::LoginCode { attempt, result: Ok("xyz".into()) });
    update(
        &mut app,
        Msg::LoggedIn {
            attempt,
            result: Err(LoginFailed::Exchange(OAuthError::InvalidGrant("code used already".into()))),
        },
    );
    assert_eq!(app.screen, Screen::Login);
    assert_eq!(app.login.phase, LoginPhase::Idle);
    assert!(app.login.message.as_ref().is_some_and(|m| m.is_error));
}

#[test]
fn a_pasted_token_is_used() {
    let mut app = login_screen();
    act(&mut app, Action::Login(LoginAction::PrevField));
    act(&mut app, Action::Login(LoginAction::PrevField));
    assert_eq!(app.login.field, LoginField::Token);
    type_text(&mut app, "tok-123");
    let commands = act(&mut app, Action::Login(LoginAction::Submit));
    assert!(
        commands.iter().any(|c| matches!(c, Command::UseToken { token, .. } if token.expose() == "tok-123"))
    );
}

#[test]
fn a_401_returns_to_the_login_screen_keeping_what_was_typed() {
    let mut app = with_events();
    app.login = LoginForm::new(Some("client-1".into()), Some("s3cr3t-value".into()));
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    let revoked = api::Error::Unauthorized("invalid_token".into());
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Err(revoked) });
    assert_eq!(app.screen, Screen::Login);
    assert_eq!(app.login.message.as_ref().map(|m| m.text.as_str()), Some(REVOKED));
    assert_eq!(app.login.client_id, "client-1");
    assert_eq!(app.login.client_secret, "s3cr3t-value");
}

#[test]
fn other_errors_do_not_log_out() {
    let mut app = with_events();
    let req = orders_req(&act(&mut app, Action::Browse(BrowseAction::Open)));
    update(&mut app, Msg::OrdersLoaded { req, event_id: 12, result: Err(api::Error::NotFound("x".into())) });
    assert_eq!(app.screen, Screen::Browse);
}

#[test]
fn capital_l_asks_first_and_y_logs_out() {
    let mut app = with_events();
    app.login = LoginForm::new(Some("client-1".into()), None);
    assert!(
        act(&mut app, Action::Browse(BrowseAction::Logout)).is_empty(),
        "nothing happens before the answer"
    );
    assert!(app.confirm_logout);
    assert_eq!(app.screen, Screen::Browse);
    let commands = act(&mut app, Action::Confirm(true));
    assert!(commands.contains(&Command::Logout { client_id: "client-1".into() }), "{commands:?}");
    assert_eq!(app.screen, Screen::Login);
    assert!(app.events.all().is_empty(), "nothing of the account stays in the model");
}

#[test]
fn any_other_answer_than_y_keeps_the_session() {
    let mut app = with_events();
    act(&mut app, Action::Browse(BrowseAction::Logout));
    assert!(act(&mut app, Action::Confirm(false)).is_empty());
    assert!(!app.confirm_logout);
    assert_eq!(app.screen, Screen::Browse);
    assert!(!app.events.all().is_empty());
}

#[test]
fn a_new_login_starts_from_a_fresh_session() {
    let mut app = support::with_everything_loaded();
    assert!(app.guests.is_some());
    app.screen = Screen::Login;
    app.login.phase = floktu_tui::tui::app::LoginPhase::Finishing;
    let attempt = app.login.attempt;
    let commands = update(&mut app, Msg::LoggedIn { attempt, result: Ok(Stored::Demo) });
    assert!(app.guests.is_none(), "the previous account's guests are gone");
    assert!(app.open_event.is_none());
    assert!(app.orders.all().is_empty() && app.events.all().is_empty());
    assert!(commands.iter().any(|c| matches!(c, Command::FetchEvents { .. })), "{commands:?}");
}

#[test]
fn esc_on_the_login_screen_quits_when_there_is_no_session() {
    let mut app = login_screen();
    act(&mut app, Action::Login(LoginAction::Escape));
    assert!(app.quit);
}

#[test]
fn the_secret_is_never_in_a_commands_debug_text() {
    let mut app = login_screen();
    let attempt = started(&mut app);
    let commands = update(&mut app, Msg::LoginCode { attempt, result: Ok("xyz".into()) });
    assert!(!format!("{commands:?}").contains("s3cr3t-value"), "{commands:?}");
}
