//! The on-disk guest list cache: round trip, age, versions, permissions, and
//! one account never seeing another's.

use std::fs;
use std::path::Path;

use chrono::{TimeDelta, Utc};
use floktu_tui::api::{AccessToken, Answer, ApiBase, Attendee, CheckIn, Money, Order, Status};
use floktu_tui::cache::{Cache, FORMAT_VERSION, Gaps, Miss};
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
            let bytes = fs::read(&entry).unwrap();
            assert!(!bytes.windows(6).any(|w| w == b"s3cret"), "{name}");
        }
    }
}

#[test]
fn a_cache_of_format_1_is_ignored_and_replaced_at_the_next_save() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    fs::create_dir_all(cache.dir()).unwrap();
    // What floktu wrote before format 2: one JSON document per event.
    let old = cache.dir().join(format!("event-{}.json", list.event_id()));
    let json = format!(
        r#"{{"version":1,"api_host":"floktu.com","account":"x","event_id":{},"event_name":"Old","fetched_at":"2026-01-01T00:00:00Z","order_list":[],"orders":[],"failed":[],"skipped_orders":[]}}"#,
        list.event_id()
    );
    fs::write(&old, json).unwrap();
    assert_eq!(cache.read(list.event_id()).unwrap_err(), Miss::OtherVersion(1));
    assert!(cache.load(list.event_id()).is_none());
    assert!(cache.search(list.event_id(), "a").is_err());
    assert!(cache.events().is_empty());
    cache.save(&list).unwrap();
    assert!(!old.exists(), "the old copy is replaced");
    assert!(cache.load(list.event_id()).is_some());
}

#[test]
fn a_cache_of_another_format_version_is_ignored() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    let path = cache.save(&list).unwrap();
    let bytes = fs::read(&path).unwrap();
    // Magic, then the version as a little-endian u32: an older floktu, then a newer.
    for version in [FORMAT_VERSION - 1, FORMAT_VERSION + 1] {
        let mut other = bytes.clone();
        other[8..12].copy_from_slice(&version.to_le_bytes());
        fs::write(&path, &other).unwrap();
        assert_eq!(cache.read(list.event_id()).unwrap_err(), Miss::OtherVersion(u64::from(version)));
        assert!(cache.load(list.event_id()).is_none());
        assert!(cache.events().is_empty());
    }
    // Something else entirely under the name.
    fs::write(&path, r#"{"version": 2, "guests": []}"#).unwrap();
    assert!(matches!(cache.read(list.event_id()), Err(Miss::Unreadable(_))));
}

#[test]
fn a_corrupt_cache_file_is_a_miss() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(10);
    let path = cache.save(&list).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(cache.read(list.event_id()), Err(Miss::Unreadable(_))));
    assert!(matches!(cache.search(list.event_id(), "a"), Err(Miss::Unreadable(_))));
    assert!(cache.load(list.event_id()).is_none());
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x20;
    fs::write(&path, &flipped).unwrap();
    assert!(matches!(cache.read(list.event_id()), Err(Miss::Unreadable(_))), "one changed bit");
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(64))]
    #[test]
    fn damaged_or_cut_files_are_a_miss_never_a_panic(
        changes in proptest::collection::vec((0usize..1_000_000, 1u8..=255), 0..4),
        cut in proptest::option::of(0usize..1_000_000),
        garbage in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
    ) {
        let dir = TempDir::new().unwrap();
        let cache = cache_of(&dir, "token-a");
        let list = demo_list(8);
        let path = cache.save(&list).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        for (at, xor) in &changes {
            let i = at % bytes.len();
            bytes[i] ^= xor;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % bytes.len());
        }
        let changed = !changes.is_empty() || cut.is_some();
        fs::write(&path, &bytes).unwrap();
        proptest::prop_assert_eq!(cache.read(list.event_id()).is_err(), changed);
        proptest::prop_assert_eq!(cache.search(list.event_id(), "e").is_err(), changed);
        let _ = cache.events();
        fs::write(&path, &garbage).unwrap();
        proptest::prop_assert!(cache.read(list.event_id()).is_err());
        proptest::prop_assert!(cache.search(list.event_id(), "").is_err());
    }
}

#[test]
fn each_order_keeps_when_it_was_fetched_and_a_stale_order_its_failure() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let data = Dataset::generate(7, 1, 20);
    let event = &data.events[0];
    let mut list = GuestList::new(event.id);
    list.set_order_list(event.orders.iter().map(|o| o.id).collect());
    let start = Utc::now() - TimeDelta::hours(5);
    for (i, o) in event.orders.iter().enumerate() {
        list.add_order_fetched(o.to_order(), start + TimeDelta::minutes(i as i64));
    }
    let stale = event.orders[2].id;
    list.add_failure(stale, "Floktu answered 500: server_error");
    cache.save(&list).unwrap();
    let back = cache.load(event.id).unwrap();
    for (i, o) in event.orders.iter().enumerate() {
        assert_eq!(back.purchase(o.id).unwrap().fetched_at, start + TimeDelta::minutes(i as i64));
    }
    assert_eq!(back.freshness(), list.freshness());
    assert_eq!(back.freshness().stale, 1);
    assert_eq!(back.failed(), list.failed());
    assert_eq!(back.fetched_before(Utc::now()), list.fetched_before(Utc::now()));
    assert_eq!(back.guests(), list.guests(), "the stale order's attendees are kept");
}

#[test]
fn an_opened_list_decodes_an_attendee_only_when_it_is_read() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(200);
    cache.save(&list).unwrap();
    let back = cache.load(list.event_id()).expect("cached");
    let decoded = |l: &GuestList| l.guests().iter().filter(|g| g.attendee.is_decoded()).count();
    // What opening needs (ids, counts, the search text) reads no attendee whole.
    assert_eq!(back.counts(), list.counts());
    let id = list.guests()[7].attendee.attendee_id;
    assert_eq!(back.lookup_id(id), list.lookup_id(id));
    assert_eq!(back.search("mar"), list.search("mar"));
    assert_eq!(decoded(&back), 0);
    // The first screen decodes what it shows, and nothing else.
    for g in &back.guests()[..40] {
        assert!(!g.name().is_empty() || g.attendee.first_name.is_empty());
    }
    assert_eq!(decoded(&back), 40);
    // The same order list from Floktu moves nobody, so decodes nobody.
    let mut back = back;
    back.set_order_list(list.order_list().unwrap().to_vec());
    assert_eq!(decoded(&back), 40);
    assert_eq!(back.guests(), list.guests());
}

#[test]
fn a_list_opened_from_the_cache_then_changed_finds_what_a_list_never_saved_finds() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let mut list = demo_list(60);
    cache.save(&list).unwrap();
    let mut back = cache.load(list.event_id()).expect("cached");
    // A refreshed order with a new attendee, and a new order: the text read
    // from the file becomes the list's own and changes in step.
    let data = Dataset::generate(7, 1, 60);
    let mut refreshed = data.events[0].orders[3].to_order();
    let mut extra = refreshed.attendees[0].clone();
    extra.attendee_id = 9_900_001;
    extra.first_name = "Zebedee".into();
    refreshed.attendees.push(extra);
    let mut new = order_of(9_900_002, Status::Confirmed);
    new.name = "Quentin Blake".into();
    let now = Utc::now();
    for l in [&mut list, &mut back] {
        l.add_order_fetched(refreshed.clone(), now);
        l.add_order_fetched(new.clone(), now);
    }
    assert_eq!(back.search_text(), list.search_text());
    assert_eq!(back.search_starts(), list.search_starts());
    assert_eq!(back.search("zebedee"), list.search("zebedee"));
    assert_eq!(back.search("zebedee").len(), 1);
    assert_eq!(back.search("mar"), list.search("mar"));
    assert_eq!(back.lookup_id(9_900_001), list.lookup_id(9_900_001));
    assert!(back.guests() == list.guests());
}

#[test]
fn a_list_opened_from_the_cache_then_reordered_finds_what_a_list_never_saved_finds() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(60);
    cache.save(&list).unwrap();
    let mut back = cache.load(list.event_id()).expect("cached");
    // Floktu lists the orders the other way round: every guest moves.
    let mut reversed = list.order_list().unwrap().to_vec();
    reversed.reverse();
    back.set_order_list(reversed.clone());
    // The same orders put in that order one by one, never saved nor moved.
    let mut fresh = GuestList::new(list.event_id());
    fresh.set_order_list(reversed);
    for (p, guests) in list.orders() {
        let mut order = order_of(p.id, p.status);
        (order.name, order.email) = (p.name.clone(), p.email.clone());
        (order.order_amount, order.amount_paid, order.voucher) =
            (p.order_amount, p.amount_paid, p.voucher.clone());
        order.attendees = guests.iter().map(|g| (*g.attendee).clone()).collect();
        fresh.add_order_fetched(order, p.fetched_at);
    }
    assert_eq!(back.search_text(), fresh.search_text());
    assert_eq!(back.search_starts(), fresh.search_starts());
    assert_eq!(back.search("mar"), fresh.search("mar"));
    assert!(back.guests() == fresh.guests());
}

#[test]
fn a_list_opened_before_its_file_was_saved_again_still_reads_its_own_guests() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(80);
    cache.save(&list).unwrap();
    let back = cache.load(list.event_id()).expect("cached");
    // Another save (another floktu, or this one's next refresh) replaces the
    // file while `back` still holds its attendees undecoded in the old one.
    let mut other = GuestList::new(list.event_id());
    let mut o = order_of(1, Status::Confirmed);
    o.attendees = list.guests()[..1].iter().map(|g| (*g.attendee).clone()).collect();
    other.add_order(o);
    cache.save(&other).unwrap();
    assert!(back.guests().iter().all(|g| !g.attendee.is_decoded()));
    assert_eq!(back.guests(), list.guests());
    assert_eq!(cache.load(list.event_id()).expect("the new copy").len(), 1);
}

#[test]
fn a_list_large_enough_to_be_put_together_on_two_cores_reads_back_the_same() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(5_000);
    assert!(list.len() > 10_000, "{} guests", list.len());
    cache.save(&list).unwrap();
    let back = cache.load(list.event_id()).expect("cached");
    assert_eq!(back.counts(), list.counts());
    for g in list.guests().iter().step_by(997) {
        let id = g.attendee.attendee_id;
        assert_eq!(back.lookup_id(id), list.lookup_id(id), "attendee {id}");
        assert_eq!(back.lookup_id(g.order.id), list.lookup_id(g.order.id), "order {}", g.order.id);
    }
    assert_eq!(back.search("mar"), list.search("mar"));
    assert_eq!(back.guests(), list.guests());
}

#[test]
fn a_crash_mid_write_leaves_the_previous_copy() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(30);
    let path = cache.save(&list).unwrap();
    // A save that died before its rename leaves a half-written temporary file beside it.
    let half = fs::read(&path).unwrap();
    let tmp = cache.dir().join(format!(".event-{}.guests.4242.00000000deadbeef.tmp", list.event_id()));
    fs::write(&tmp, &half[..half.len() / 2]).unwrap();
    let back = cache.load(list.event_id()).expect("the previous copy");
    assert_eq!(back.guests(), list.guests());
    assert_eq!(cache.events().len(), 1, "the temporary file is not an event");
    cache.save(&list).unwrap();
    assert!(cache.load(list.event_id()).is_some());
}

#[test]
fn a_search_of_the_file_finds_what_the_list_finds() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let list = demo_list(400);
    cache.save(&list).unwrap();
    for query in
        ["mar", "e", "ZOË", "example.", "100007", "", "no such guest", "muler", "jhon", "'mar !e", "^ma"]
    {
        let found = cache.search(list.event_id(), query).unwrap();
        let expected: Vec<_> = list.search(query).into_iter().map(|i| &list.guests()[i]).collect();
        assert_eq!(found.list.len(), expected.len(), "{query:?}");
        assert_eq!(found.ranked.len(), expected.len(), "{query:?}");
        let ranked = found.ranked.iter().map(|&i| &found.list.guests()[i]);
        for (g, want) in ranked.zip(expected) {
            assert_eq!(g.attendee, want.attendee, "{query:?}");
            let (p, q) = (&g.order, &want.order);
            assert_eq!((p.id, &p.name, &p.email, p.status), (q.id, &q.name, &q.email, q.status));
            assert_eq!(
                (p.order_amount, p.amount_paid, &p.voucher),
                (q.order_amount, q.amount_paid, &q.voucher)
            );
            assert_eq!(p.fetched_at, q.fetched_at);
        }
        assert_eq!(
            found.list.search(query).len(),
            found.list.len(),
            "{query:?}: the found list searches too"
        );
    }
    let found = cache.search(list.event_id(), "mar").unwrap();
    assert_eq!(found.list.event_name(), list.event_name());
    assert_eq!(found.list.fetched_at(), list.fetched_at());
}

#[test]
fn a_search_of_the_file_says_what_the_list_lacks() {
    let dir = TempDir::new().unwrap();
    let cache = cache_of(&dir, "token-a");
    let mut list = demo_list(10);
    let ids = list.order_list().unwrap().to_vec();
    list.add_failure(ids[1], "timed out");
    list.set_order_list(ids.iter().copied().chain([999_001, 999_002]).collect());
    list.add_failure(999_001, "not found on Floktu");
    cache.save(&list).unwrap();
    let gaps = cache.search(list.event_id(), "zzzz-nobody").unwrap().gaps;
    assert_eq!(gaps, Gaps::of(&list));
    assert_eq!(gaps.failed.len(), 2);
    assert!(gaps.failed[0].1.is_some(), "details kept for the stale order");
    assert_eq!(gaps.failed[1].1, None);
    assert_eq!(gaps.unfetched, vec![999_002]);
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
    assert_eq!(files, vec![format!("event-{}.guests", list.event_id())]);
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
