//! The on-disk guest list cache: round trip, age, versions, permissions, and
//! one account never seeing another's.

use std::fs;
use std::path::Path;

use chrono::{TimeDelta, Utc};
use floktu_tui::api::{AccessToken, Answer, ApiBase, Attendee, CheckIn, Money, Order, Status};
use floktu_tui::cache::{Cache, Miss};
use floktu_tui::demo::Dataset;
use floktu_tui::guestlist::GuestList;
use tempfile::TempDir;

fn base() -> ApiBase {
    ApiBase::parse("https://floktu.com/api/v2").unwrap()
}

fn cache_of(dir: &TempDir, token: &str) -> Cache {
    Cache::for_account(&dir.path().join("floktu"), &base(), &AccessToken::new(token))
}

/// A list of the demo's generated orders: varied names, answers, check-ins and statuses.
fn demo_list(orders: usize) -> GuestList {
    let data = Dataset::generate(7, 1, orders);
    let event = &data.events[0];
    let mut list = GuestList::new(event.id);
    list.set_event_name(Some(event.name.clone()));
    list.set_order_list(event.orders.iter().map(|o| o.id).collect());
    for o in &event.orders {
        list.add_order(o.to_order());
    }
    list
}

fn summary(list: &GuestList) -> Vec<(u64, u64, String, Status, Option<String>)> {
    list.guests()
        .iter()
        .map(|g| {
            (
                g.order.id,
                g.attendee.attendee_id,
                g.email().to_string(),
                g.order.status,
                g.attendee.check_in.as_ref().map(CheckIn::short),
            )
        })
        .collect()
}

#[test]
fn a_saved_list_reads_back_the_same() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(300);
    cache.save(&list).unwrap();
    let back = cache.load(list.event_id()).expect("cached");
    assert_eq!(summary(&back), summary(&list));
    assert_eq!(back.guests(), list.guests(), "every field, answers included");
    assert_eq!(back.fetched_at(), list.fetched_at());
    assert_eq!(back.event_name(), list.event_name());
    assert!(back.is_complete());
    assert_eq!(back.counts(), list.counts());
}

#[test]
fn amounts_survive_exactly() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let mut list = GuestList::new(12);
    list.add_order(Order {
        id: 1,
        name: "Ann".into(),
        email: "ann@example.com".into(),
        order_amount: Some(Money(2417)),
        amount_paid: Some(Money(1000)),
        voucher: Some("EARLY".into()),
        status: Status::Confirmed,
        attendees: vec![Attendee {
            attendee_id: 2,
            ticket_group: None,
            ticket: "GA".into(),
            check_in: None,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            company: None,
            answers: vec![Answer { question: "Email".into(), answer: None }],
        }],
        skipped_attendees: Vec::new(),
    });
    cache.save(&list).unwrap();
    let back = cache.load(12).unwrap();
    let p = back.purchase(1).unwrap();
    assert_eq!((p.order_amount, p.amount_paid), (Some(Money(2417)), Some(Money(1000))));
    assert!(p.balance_due());
    let text = fs::read_to_string(cache.file(12)).unwrap();
    assert!(text.contains("\"24.17\""), "amounts as exact decimal strings");
}

#[test]
fn a_cached_list_knows_how_old_it_is() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let mut list = demo_list(10);
    let now = Utc::now();
    list.set_fetched_at(now - TimeDelta::minutes(12));
    cache.save(&list).unwrap();
    let back = cache.load(list.event_id()).unwrap();
    assert_eq!(back.age(now), TimeDelta::minutes(12));
}

#[test]
fn a_partial_list_keeps_its_failures() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    let missing = list.order_list().unwrap()[3];
    let mut partial = GuestList::new(list.event_id());
    partial.set_order_list(list.order_list().unwrap().to_vec());
    for (p, guests) in list.orders() {
        if p.id != missing {
            let mut o = order_of(p.id, p.status);
            o.attendees = guests.iter().map(|g| g.attendee.clone()).collect();
            partial.add_order(o);
        }
    }
    partial.add_failure(missing, "Floktu answered 502: Bad Gateway");
    cache.save(&partial).unwrap();
    let back = cache.load(list.event_id()).unwrap();
    assert!(!back.is_complete());
    assert_eq!(back.failed(), partial.failed());
    assert_eq!(back.failed()[0].order_id, missing);
    assert_eq!(back.len(), partial.len());
}

fn order_of(id: u64, status: Status) -> Order {
    Order {
        id,
        name: "Pat".into(),
        email: "pat@example.com".into(),
        order_amount: None,
        amount_paid: None,
        voucher: None,
        status,
        attendees: Vec::new(),
        skipped_attendees: Vec::new(),
    }
}

#[test]
fn nothing_cached_is_a_miss_not_an_error() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    assert_eq!(cache.read(12).unwrap_err(), Miss::Absent);
    assert!(cache.load(12).is_none());
}

#[test]
fn another_token_never_sees_this_accounts_cache() {
    let dir = TempDir::new().unwrap();
    let list = demo_list(10);
    cache_of(&dir, "token-a").save(&list).unwrap();
    let other = cache_of(&dir, "token-b");
    assert!(other.load(list.event_id()).is_none());
    assert!(other.events().is_empty());
    assert!(cache_of(&dir, "token-a").load(list.event_id()).is_some());
}

#[test]
fn a_file_copied_into_another_account_is_not_used() {
    let dir = TempDir::new().unwrap();
    let list = demo_list(10);
    let a = cache_of(&dir, "token-a");
    let b = cache_of(&dir, "token-b");
    a.save(&list).unwrap();
    fs::create_dir_all(b.dir()).unwrap();
    fs::copy(a.file(list.event_id()), b.file(list.event_id())).unwrap();
    assert_eq!(b.read(list.event_id()).unwrap_err(), Miss::NotOurs);
}

#[test]
fn the_token_is_not_in_the_cache() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "s3cret-token-value");
    cache.save(&demo_list(10)).unwrap();
    for entry in walk(dir.path()) {
        let name = entry.to_string_lossy().to_string();
        assert!(!name.contains("s3cret"), "{name}");
        if entry.is_file() {
            let text = fs::read_to_string(&entry).unwrap();
            assert!(!text.contains("s3cret-token-value"), "{name}");
        }
    }
}

#[test]
fn a_cache_of_another_format_version_is_ignored() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    let path = cache.save(&list).unwrap();
    for version in [0, 2] {
        // An older or newer floktu: its own layout, which this one does not know.
        let other = format!(r#"{{"version": {version}, "guests": [{{"who": "someone"}}]}}"#);
        fs::write(&path, other).unwrap();
        assert_eq!(cache.read(list.event_id()).unwrap_err(), Miss::OtherVersion(version));
        assert!(cache.load(list.event_id()).is_none());
    }
    // The same layout under another version number is not trusted either.
    cache.save(&list).unwrap();
    let v1 = fs::read_to_string(&path).unwrap();
    fs::write(&path, v1.replacen("\"version\":1", "\"version\":9", 1)).unwrap();
    assert_eq!(cache.read(list.event_id()).unwrap_err(), Miss::OtherVersion(9));
}

#[test]
fn a_corrupt_cache_file_is_a_miss() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    let path = cache.save(&list).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, &text[..text.len() / 2]).unwrap();
    assert!(matches!(cache.read(list.event_id()), Err(Miss::Unreadable(_))));
    assert!(cache.load(list.event_id()).is_none());
}

#[cfg(unix)]
#[test]
fn cache_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let path = cache.save(&demo_list(10)).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(cache.dir()), 0o700);
    assert_eq!(mode(&dir.path().join("floktu")), 0o700);
}

#[test]
fn saving_again_replaces_the_file_and_leaves_no_temporary_files() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let mut list = demo_list(10);
    cache.save(&list).unwrap();
    list.add_order(order_of(999_999, Status::Confirmed));
    cache.save(&list).unwrap();
    let files: Vec<String> = fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files, vec![format!("event-{}.json", list.event_id())]);
    assert!(cache.load(list.event_id()).unwrap().purchase(999_999).is_some());
}

#[test]
fn demo_runs_share_one_cache_whatever_the_port() {
    let dir = TempDir::new().unwrap();
    let list = demo_list(10);
    Cache::demo(dir.path()).save(&list).unwrap();
    assert!(Cache::demo(dir.path()).load(list.event_id()).is_some());
    assert!(dir.path().join("demo").is_dir());
    // Not visible to a real account that happens to use the demo token.
    let real = Cache::for_account(dir.path(), &base(), &AccessToken::new("demo-token"));
    assert!(real.load(list.event_id()).is_none());
}

#[test]
fn cached_events_are_listed_with_their_names() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    cache.save(&list).unwrap();
    let events = cache.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_id, list.event_id());
    assert_eq!(events[0].event_name.as_deref(), list.event_name());
}

#[test]
fn removing_the_account_deletes_its_cache_only() {
    let dir = TempDir::new().unwrap();
    let list = demo_list(10);
    let a = cache_of(&dir, "token-a");
    let b = cache_of(&dir, "token-b");
    a.save(&list).unwrap();
    b.save(&list).unwrap();
    a.remove_account().unwrap();
    assert!(a.load(list.event_id()).is_none());
    assert!(!a.dir().exists());
    assert!(b.load(list.event_id()).is_some());
    a.remove_account().unwrap();
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}
