//! Junk costs little in the model the TUI keeps: a list of millions of unusable
//! items decodes, in bounded memory, to a count and the first few named.
//! Memory is counted by this test binary's allocator.

#[path = "support/junk.rs"]
mod junk;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use floktu_tui::api::model::NAMED_SKIPS;
use floktu_tui::api::{AccessToken, ApiBase, FloktuClient};

/// Counts the bytes allocated now and at the most since the last [`reset_peak`].
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// One test at a time: each counts every allocation of the process.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn reset_peak() -> usize {
    let now = NOW.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

/// What the client may hold at once for one junk answer: the body, and little else.
const MAX_EXTRA: usize = 200 * 1024 * 1024;
/// What the decoded list may hold once the body is gone.
const MAX_KEPT: usize = 64 * 1024;

#[tokio::test]
async fn a_junk_list_decodes_to_a_count_and_a_few_names_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let junk = junk::start();
    let client = FloktuClient::new(ApiBase::parse(&junk.base).unwrap(), AccessToken::new("t")).unwrap();
    let before = reset_peak();
    let events = client.events().await.unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let kept = NOW.load(Ordering::Relaxed).saturating_sub(before);
    assert!(peak <= MAX_EXTRA, "peak {} MB while decoding", peak / (1024 * 1024));
    assert!(kept <= MAX_KEPT, "{kept} bytes kept after decoding");
    assert!(events.items.is_empty());
    assert_eq!(events.skipped.len(), NAMED_SKIPS + 1, "{:?}", &events.skipped[..3]);
    assert_eq!(events.skipped_count(), junk.list_items);
    assert_eq!(events.skipped[0].describe(), "#0: not an object");
    assert_eq!(
        events.skipped[NAMED_SKIPS].describe(),
        format!("… and {} more", junk.list_items - NAMED_SKIPS)
    );
}

#[tokio::test]
async fn an_order_of_junk_attendees_decodes_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let junk = junk::start();
    let client = FloktuClient::new(ApiBase::parse(&junk.base).unwrap(), AccessToken::new("t")).unwrap();
    let before = reset_peak();
    let order = client.order(1, 2).await.unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert!(peak <= MAX_EXTRA, "peak {} MB while decoding", peak / (1024 * 1024));
    assert!(order.attendees.is_empty());
    assert_eq!(order.skipped_attendees.len(), NAMED_SKIPS + 1);
    assert_eq!(floktu_tui::api::model::skipped_count(&order.skipped_attendees), junk.order_items);
}
