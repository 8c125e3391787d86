//! The smallest failing cases the properties found, kept as plain tests; each
//! failed before the fix it pins.

use super::support::{act, with_everything_loaded};
use floktu_tui::text::sanitize;
use floktu_tui::tui::msg::{Action, BrowseAction, DoorAction, Msg};
use floktu_tui::tui::update::update;

/// Door mode on event 12, "l" typed (every guest is a Lee), the second match highlighted.
fn door_with_the_second_match_highlighted() -> floktu_tui::tui::app::App {
    let mut app = with_everything_loaded();
    act(&mut app, Action::Browse(BrowseAction::Door));
    act(&mut app, Action::Type('l'));
    act(&mut app, Action::Door(DoorAction::Down));
    let door = &app.guests.as_ref().expect("guests").door;
    assert_eq!((door.selected, door.results.len()), (1, 3));
    app
}

#[test]
fn clearing_the_door_input_also_clears_the_highlighted_match() {
    let mut app = door_with_the_second_match_highlighted();
    act(&mut app, Action::Door(DoorAction::Clear));
    let door = &app.guests.as_ref().expect("guests").door;
    assert!(door.results.is_empty());
    assert_eq!(door.selected, 0);
}

#[test]
fn enter_at_the_door_right_after_the_list_shrank_does_not_panic() {
    let mut app = door_with_the_second_match_highlighted();
    let req = app.guests.as_ref().and_then(|g| g.awaited()).expect("a live load");
    // A successful order list no longer has any order, and Enter comes in the
    // same batch (no frame, so no `settle`, in between).
    let event = floktu_tui::guestlist::LoadEvent::Orders { order_ids: Vec::new(), skipped: Vec::new() };
    update(&mut app, Msg::GuestEvent { req, event });
    act(&mut app, Action::Door(DoorAction::Submit));
    let door = &app.guests.as_ref().expect("guests").door;
    assert!(
        matches!(door.result, Some(floktu_tui::tui::door::DoorResult::NotFound { .. })),
        "{:?}",
        door.result
    );
}

#[test]
fn invisible_fillers_and_other_default_ignorables_are_dropped() {
    for c in
        ['\u{3164}', '\u{ffa0}', '\u{115f}', '\u{34f}', '\u{180b}', '\u{1d173}', '\u{1bca0}', '\u{e0100}']
    {
        assert_eq!(sanitize(&format!("Ann{c}ie")), "Annie", "U+{:04X}", c as u32);
    }
}
