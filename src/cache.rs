//! Guest lists saved on disk, one file per event, so that a list
//! opens at once and can be searched with no network at all (`--offline`).
//!
//! - Under `$XDG_CACHE_HOME/floktu/` (directories `0700`, files `0600`), one
//!   directory per account: the API host and a fingerprint of the token, so
//!   another account never sees this one's guests. Demo runs use one fixed `demo`
//!   directory, whatever port the demo server got.
//! - Each file is written to a temporary file in the same directory, synced,
//!   renamed over the old one, and the directory synced: a crash leaves the old
//!   file or the new, never half of one.
//! - Files hold the host and the token's fingerprint, never the token; both, and
//!   the event, are checked on reading.
//!
//! # Format 3: `event-<id>.guests`
//!
//! A compact binary snapshot, written by hand (little-endian; "varint" is
//! LEB128, strings are a varint length and UTF-8; an optional string is its
//! length + 1, 0 for none):
//!
//! ```text
//! "FLOKTU-G" · version u32 · header length u32 · header · header CRC-32
//! header: host, account, event id, event name, fetched at, guests, orders,
//!         the lengths of meta, text, records and strings, body CRC-32
//! body:   meta     order list, failed orders (with when their kept details were
//!                  fetched), unfetched orders, skipped orders and attendees, done
//!         text     the folded search text, exactly as `GuestList` builds it
//!         guests   per guest: text start, record offset, string offset, order
//!                  number (4 × u32)
//!         orders   per order: record offset, string offset (2 × u32)
//!         records  per order: its record (with when it was fetched), then its
//!                  attendees' records; a string here is only its length
//!         strings  the bytes of the records' strings, one after another, in the
//!                  order the records give their lengths
//! ```
//!
//! The records' strings are kept apart (format 3): records of fixed-size
//! numbers and lengths, their bytes one after another. Opening a list decodes
//! only the orders' records (the order index says where each is) and reads each
//! attendee's id (the guest index says where its record is); the attendees are
//! decoded, and their strings checked as UTF-8, when the list first reads them.
//!
//! Why this and not SQLite or JSON: the two things done with a cached list are
//! "open it all" (the TUI) and "search it once" (`attendees --offline --search`).
//! Opening needs no parsing of text and no folding: the search text is stored as
//! the list had it, and records are read in one pass. Searching reads the file,
//! runs the list's own search over the text, and decodes only the guests it
//! matched (the fixed-size guest index says where each one is) — the same
//! matches as the TUI, by construction. `Cache::events` reads only headers.
//! SQLite would give random access too, but not the list's folded search, and a
//! second storage engine in the cache for what one buffer of bytes does.
//!
//! A file is mapped into memory, not read ([`whole_file`]): nothing is copied,
//! and an opened list keeps its search text and its undecoded attendees in the
//! mapping (the search text until the list first changes it).
//!
//! The stored search text is only right for the folding rules that built it:
//! bump [`FORMAT_VERSION`] whenever `guestlist::fold` or the search text changes,
//! as for any change of layout. A file of another version (format 1 was
//! `event-<id>.json`, one JSON document) is ignored, as if there were none, and
//! replaced at the next save. A damaged file (checked by CRC-32, then decoded
//! with every length checked) is a [`Miss`], never a panic.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::api::{AccessToken, Answer, ApiBase, Attendee, CheckIn, Money, Order, Skipped, Status};
use crate::guestlist::{
    AttendeeSource, DeferredAttendees, FailedOrder, GuestList, ListParts, OrderPart, SearchText,
    check_search_text,
};

/// The format written now. Bump it whenever the layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 4;

/// The name of the demo account's directory.
const DEMO_ACCOUNT: &str = "demo";

/// What every file of format 2 and later starts with.
const MAGIC: &[u8; 8] = b"FLOKTU-G";

/// Magic, version and header length.
const PREFIX_LEN: usize = 16;

/// A header longer than this is not one floktu wrote (it holds a host, an
/// account and an event name).
const MAX_HEADER: usize = 1 << 20;

/// Bytes per guest in the guest index: text start, record offset, string
/// offset, order number.
const GUEST_ENTRY: usize = 16;

/// Bytes per order in the order index: record offset, string offset.
const ORDER_ENTRY: usize = 8;

/// The guest-list cache of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    /// `cache_dir/<account>`.
    dir: PathBuf,
    /// The API host, written into each file and checked on reading.
    host: String,
    /// The token's fingerprint (or `demo`), written into each file and checked on reading.
    account: String,
}

/// Why there is no usable cached list. Not an error: the list is fetched instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// Nothing cached for this event.
    Absent,
    /// A file written by another version of floktu (its format version).
    OtherVersion(u64),
    /// A file that belongs to another account or event (it was copied or renamed).
    NotOurs,
    /// A file that could not be read (with why).
    Unreadable(String),
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Absent => f.write_str("nothing is cached for it"),
            Miss::OtherVersion(v) => write!(
                f,
                "the cached copy was written by another version of floktu (format {v}) and is ignored"
            ),
            Miss::NotOurs => f.write_str("the cached copy belongs to another account and is ignored"),
            Miss::Unreadable(why) => write!(f, "the cached copy could not be read ({why})"),
        }
    }
}

/// A cached event, as [`Cache::events`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedEvent {
    /// The event's id.
    pub event_id: u64,
    /// Its name, when it was known at saving.
    pub event_name: Option<String>,
    /// When the list was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// What a cached list lacks, stored with it so that a search can say so
/// without reading every order ([`Cache::search`]); [`Gaps::of`] a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gaps {
    /// Orders whose last fetch failed, in list order, with why, and when the
    /// details kept for them were fetched (`None`: nothing is kept, their
    /// attendees are left out).
    pub failed: Vec<(FailedOrder, Option<DateTime<Utc>>)>,
    /// Listed orders with no details and no failure recorded (a load cut short).
    pub unfetched: Vec<u64>,
    /// Items of the order list that could not be read.
    pub skipped_orders: Vec<Skipped>,
    /// Orders some of whose attendees could not be read, with those items.
    pub skipped_attendees: Vec<(u64, Vec<Skipped>)>,
}

impl Gaps {
    /// What `list` lacks.
    pub fn of(list: &GuestList) -> Gaps {
        let failed: Vec<(FailedOrder, Option<DateTime<Utc>>)> = list
            .failed()
            .iter()
            .map(|f| (f.clone(), list.purchase(f.order_id).map(|p| p.fetched_at)))
            .collect();
        let failed_ids: std::collections::HashSet<u64> = failed.iter().map(|(f, _)| f.order_id).collect();
        let unfetched = list.missing().iter().copied().filter(|id| !failed_ids.contains(id)).collect();
        let skipped_attendees = list
            .orders()
            .into_iter()
            .filter(|(p, _)| !p.skipped_attendees.is_empty())
            .map(|(p, _)| (p.id, p.skipped_attendees.clone()))
            .collect();
        Gaps { failed, unfetched, skipped_orders: list.skipped_orders().to_vec(), skipped_attendees }
    }
}

/// The answer of [`Cache::search`].
#[derive(Clone, Debug)]
pub struct Found {
    /// The matching guests, in list order, each with its order's details (and
    /// only the matching attendees of each order); the event's name and
    /// `fetched_at` as cached.
    pub list: GuestList,
    /// The same guests best match first, as [`GuestList::search`] ranks
    /// them: indices into `list`'s guests.
    pub ranked: Vec<usize>,
    /// What the whole cached list lacks.
    pub gaps: Gaps,
}

/// Writing the cache failed.
#[derive(Debug, thiserror::Error)]
#[error("could not write the cache file {}: {source}", path.display())]
pub struct CacheError {
    /// The file or directory.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: io::Error,
}

impl Cache {
    /// The cache of the account that `token` logs into at `base`, under
    /// `cache_dir` (`Settings.paths.cache_dir`).
    pub fn for_account(cache_dir: &Path, base: &ApiBase, token: &AccessToken) -> Cache {
        let host = base.host_label();
        let account = token.fingerprint();
        let name = format!("{}-{account}", safe_file_name(&host));
        Cache { dir: cache_dir.join(name), host, account }
    }

    /// The cache of demo runs: one fixed place, whatever port the demo server got.
    pub fn demo(cache_dir: &Path) -> Cache {
        Cache {
            dir: cache_dir.join(DEMO_ACCOUNT),
            host: DEMO_ACCOUNT.to_string(),
            account: DEMO_ACCOUNT.to_string(),
        }
    }

    /// The account's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `event_id`'s list.
    pub fn file(&self, event_id: u64) -> PathBuf {
        self.dir.join(format!("event-{event_id}.guests"))
    }

    /// Where format 1 kept `event_id`'s list (ignored, removed at the next save).
    fn old_file(&self, event_id: u64) -> PathBuf {
        self.dir.join(format!("event-{event_id}.json"))
    }

    /// Saves `list` (complete or partial: its failures and each order's
    /// fetch time are kept with it), replacing the event's earlier copy
    /// atomically. Returns the file written.
    pub fn save(&self, list: &GuestList) -> Result<PathBuf, CacheError> {
        self.make_dirs()?;
        let path = self.file(list.event_id());
        let bytes = encode(list, &self.host, &self.account)
            .map_err(|source| CacheError { path: path.clone(), source })?;
        write_atomic(&path, |file| file.write_all(&bytes))
            .map_err(|source| CacheError { path: path.clone(), source })?;
        // A format 1 copy is now only in the way.
        let _ = fs::remove_file(self.old_file(list.event_id()));
        Ok(path)
    }

    /// The cached list of `event_id`; `None` when there is none this account
    /// can use (see [`Cache::read`] for why not).
    pub fn load(&self, event_id: u64) -> Option<GuestList> {
        match self.read(event_id) {
            Ok(list) => Some(list),
            Err(Miss::Absent) => None,
            Err(miss) => {
                tracing::info!(event_id, "guest list cache not used: {miss}");
                None
            }
        }
    }

    /// The cached list of `event_id`, or why there is none.
    pub fn read(&self, event_id: u64) -> Result<GuestList, Miss> {
        let bytes = self.read_file(event_id)?;
        decode(bytes, &self.host, &self.account, event_id)
    }

    /// The cached guests of `event_id` that match `query` (as
    /// [`GuestList::search`] matches and ranks them), decoding only those, and
    /// what the whole list lacks; or why there is no cached list.
    pub fn search(&self, event_id: u64, query: &str) -> Result<Found, Miss> {
        let bytes = self.read_file(event_id)?;
        let file = Snapshot::parse(&bytes, &self.host, &self.account, event_id)?;
        file.search(query).map_err(Miss::from)
    }

    /// The events cached for this account, newest first. Reads only each
    /// file's header.
    pub fn events(&self) -> Vec<CachedEvent> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<CachedEvent> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name();
                let id: u64 = name.to_str()?.strip_prefix("event-")?.strip_suffix(".guests")?.parse().ok()?;
                let head = read_header(&entry.path()).ok()?;
                let ours = head.host == self.host && head.account == self.account && head.event_id == id;
                ours.then_some(CachedEvent {
                    event_id: head.event_id,
                    event_name: head.event_name,
                    fetched_at: head.fetched_at,
                })
            })
            .collect();
        out.sort_by_key(|e| std::cmp::Reverse(e.fetched_at));
        out
    }

    /// Deletes everything cached for this account (`floktu logout`). Nothing
    /// cached is not an error.
    pub fn remove_account(&self) -> io::Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// The bytes of `event_id`'s file; a format 1 file in its stead is another version.
    fn read_file(&self, event_id: u64) -> Result<Bytes, Miss> {
        match File::open(self.file(event_id)).and_then(whole_file) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.old_file(event_id).exists() {
                    Err(Miss::OtherVersion(1))
                } else {
                    Err(Miss::Absent)
                }
            }
            Err(e) => Err(Miss::Unreadable(e.to_string())),
        }
    }

    /// Creates the cache directory and the account's, both private (`0700`).
    fn make_dirs(&self) -> Result<(), CacheError> {
        let parent = self.dir.parent().unwrap_or(&self.dir);
        for dir in [parent, self.dir.as_path()] {
            make_private_dir(dir).map_err(|source| CacheError { path: dir.to_path_buf(), source })?;
        }
        Ok(())
    }
}

/// The bytes of `file`, mapped into memory where the system can, else read.
///
/// Mapped, the pages are the system's file cache: nothing is copied, and a
/// list opens without first faulting in and filling 38 MB of fresh memory for
/// 100,000 guests (a read took 25–30 ms of a first open in a fresh process,
/// a mapping and the checksum over it 5 ms).
fn whole_file(file: File) -> io::Result<Bytes> {
    // SAFETY: a mapping is only sound while nothing changes the file under it.
    // floktu never writes into a cache file: `write_atomic` writes a new file
    // and renames it over the old, so a mapped file keeps its bytes (its inode
    // lives on, unlinked, until the list is dropped), and `logout` only unlinks.
    // The files are this user's, 0600 in 0700 directories; only another program
    // of this user writing into one in place could change it: the trade git
    // makes for its pack files.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => Ok(Bytes::from_owner(map)),
        Err(_) => {
            let mut bytes = Vec::new();
            (&file).read_to_end(&mut bytes)?;
            Ok(Bytes::from(bytes))
        }
    }
}

/// A host label as a file name: "127.0.0.1:8080" → "127.0.0.1_8080".
fn safe_file_name(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
}

/// Creates `dir` (and its parents) and makes it `0700`.
fn make_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        // It may have existed already, made by something less careful.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Writes `path` atomically with `write`: into a `0600` temporary file in the
/// same directory, synced, renamed over `path`, then the directory synced. If
/// anything fails, the temporary file goes and `path` is as it was.
fn write_atomic(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
    let nonce: u64 = rand::random();
    let tmp = dir.join(format!(".{name}.{}.{nonce:016x}.tmp", std::process::id()));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // The rename is durable once the directory is synced; not all systems allow it.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Why a file's content could not be used, before it becomes a [`Miss`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Bad {
    Version(u64),
    NotOurs,
    Damaged(&'static str),
}

impl From<Bad> for Miss {
    fn from(bad: Bad) -> Miss {
        match bad {
            Bad::Version(v) => Miss::OtherVersion(v),
            Bad::NotOurs => Miss::NotOurs,
            Bad::Damaged(why) => Miss::Unreadable(why.to_string()),
        }
    }
}

impl From<crate::guestlist::PartsMismatch> for Bad {
    fn from(e: crate::guestlist::PartsMismatch) -> Bad {
        Bad::Damaged(e.0)
    }
}

/// A file's header: whose it is, and how long each section is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Header {
    host: String,
    account: String,
    event_id: u64,
    event_name: Option<String>,
    fetched_at: DateTime<Utc>,
    guests: usize,
    orders: usize,
    meta_len: usize,
    text_len: usize,
    records_len: usize,
    strings_len: usize,
    body_crc: u32,
}

/// Reads only the header of the file at `path` (for [`Cache::events`]).
fn read_header(path: &Path) -> Result<Header, Bad> {
    let mut file = File::open(path).map_err(|_| Bad::Damaged("cannot open"))?;
    let mut prefix = [0u8; PREFIX_LEN];
    file.read_exact(&mut prefix).map_err(|_| Bad::Damaged("too short"))?;
    let header_len = check_prefix(&prefix)?;
    let mut rest = vec![0u8; header_len + 4];
    file.read_exact(&mut rest).map_err(|_| Bad::Damaged("too short"))?;
    let mut all = prefix.to_vec();
    all.extend_from_slice(&rest);
    parse_header(&all).map(|(head, _)| head)
}

/// Checks the magic and the version; returns the header's length.
fn check_prefix(prefix: &[u8]) -> Result<usize, Bad> {
    let mut r = Reader::new(prefix);
    if r.bytes(MAGIC.len())? != MAGIC {
        return Err(Bad::Damaged("not a floktu cache file"));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(Bad::Version(u64::from(version)));
    }
    let header_len = r.u32()? as usize;
    if header_len > MAX_HEADER {
        return Err(Bad::Damaged("header too long"));
    }
    Ok(header_len)
}

/// The header at the start of `bytes`, and where the body starts.
fn parse_header(bytes: &[u8]) -> Result<(Header, usize), Bad> {
    let header_len = check_prefix(bytes.get(..PREFIX_LEN).ok_or(Bad::Damaged("too short"))?)?;
    let end = PREFIX_LEN + header_len;
    let sealed = bytes.get(..end).ok_or(Bad::Damaged("header cut short"))?;
    let crc = Reader::new(bytes.get(end..end + 4).ok_or(Bad::Damaged("header cut short"))?).u32()?;
    if crc32fast::hash(sealed) != crc {
        return Err(Bad::Damaged("header checksum does not match"));
    }
    let mut r = Reader::new(&sealed[PREFIX_LEN..]);
    let head = Header {
        host: r.string()?,
        account: r.string()?,
        event_id: r.varint()?,
        event_name: r.opt_string()?,
        fetched_at: r.time()?,
        guests: r.len()?,
        orders: r.len()?,
        meta_len: r.len()?,
        text_len: r.len()?,
        records_len: r.len()?,
        strings_len: r.len()?,
        body_crc: r.u32()?,
    };
    Ok((head, end + 4))
}

/// A file of this format, its header checked, cut into its sections.
struct Snapshot<'a> {
    head: Header,
    /// Where `guests`, `records` and `strings` are in the file's bytes.
    at: Sections,
    meta: &'a [u8],
    text: &'a [u8],
    guests: &'a [u8],
    orders: &'a [u8],
    records: &'a [u8],
    strings: &'a [u8],
}

impl<'a> Snapshot<'a> {
    /// Checks that `bytes` is a whole, undamaged file of `host`/`account` for `event_id`.
    fn parse(bytes: &'a [u8], host: &str, account: &str, event_id: u64) -> Result<Snapshot<'a>, Bad> {
        let (head, body_at) = parse_header(bytes)?;
        if head.host != host || head.account != account || head.event_id != event_id {
            return Err(Bad::NotOurs);
        }
        let body = &bytes[body_at..];
        let sizes = [
            head.meta_len,
            head.text_len,
            head.guests.checked_mul(GUEST_ENTRY).ok_or(Bad::Damaged("too many guests"))?,
            head.orders.checked_mul(ORDER_ENTRY).ok_or(Bad::Damaged("too many orders"))?,
            head.records_len,
            head.strings_len,
        ];
        let total = sizes.iter().try_fold(0usize, |sum, s| sum.checked_add(*s));
        match total {
            Some(total) if total == body.len() => {}
            Some(total) if total > body.len() => return Err(Bad::Damaged("cut short")),
            _ => return Err(Bad::Damaged("wrong length")),
        }
        if crc32fast::hash(body) != head.body_crc {
            return Err(Bad::Damaged("checksum does not match"));
        }
        let mut r = Reader::new(body);
        let [meta, text, guests, orders, records, strings] = sizes.map(|n| r.bytes(n).unwrap_or_default());
        let mut from = body_at;
        let [_, text_at, guests_at, _, records_at, strings_at] = sizes.map(|n| {
            from += n;
            from - n..from
        });
        let at = Sections { text: text_at, guests: guests_at, records: records_at, strings: strings_at };
        Ok(Snapshot { head, at, meta, text, guests, orders, records, strings })
    }

    /// Where order `order_no`'s record and its first string start.
    fn order_at(&self, order_no: usize) -> Result<(usize, usize), Bad> {
        let mut r = Reader::new(self.orders).skip(order_no.saturating_mul(ORDER_ENTRY))?;
        Ok((r.u32()? as usize, r.u32()? as usize))
    }

    /// The whole list, its attendees left in the file: each order decoded
    /// (where the order index says), and of each attendee only its id read
    /// (where the guest index says); `source` decodes an attendee when the list
    /// first reads it. The checksum vouches for the bytes, so the attendees'
    /// records are not walked here: one that still does not decode is read as
    /// an empty attendee, never a panic ([`FileAttendees`]).
    fn list(&self, file: &Bytes, source: Arc<dyn AttendeeSource>) -> Result<GuestList, Bad> {
        let meta = Meta::decode(self.meta)?;
        let text = SearchText::shared(file.slice(self.at.text.clone()))
            .ok_or(Bad::Damaged("search text not UTF-8"))?;
        let mut starts = Vec::with_capacity(self.head.guests);
        for entry in self.guests.chunks_exact(GUEST_ENTRY) {
            starts.push(Reader::new(entry).u32()?);
        }
        // Two halves of the orders decoded at once; the back half's first
        // guest is the first of its first order.
        let half = self.head.orders / 2;
        let back_guest = match half {
            0 => 0,
            _ => self.first_guest_of(half)?,
        };
        let front = Half { orders: 0..half, first_guest: 0 };
        let back = Half { orders: half..self.head.orders, first_guest: back_guest };
        let (front, back) = std::thread::scope(|s| {
            let back = s.spawn(|| back.walk(self));
            (front.walk(self), back.join())
        });
        let mut all = front?;
        let back = back.map_err(|_| Bad::Damaged("decoding failed"))??;
        if all.ids.len() != back_guest || back_guest + back.ids.len() != self.head.guests {
            return Err(Bad::Damaged("guest index"));
        }
        all.orders.extend(back.orders);
        all.per_order.extend(back.per_order);
        all.ids.extend(back.ids);
        Ok(GuestList::from_parts(ListParts {
            event_id: self.head.event_id,
            event_name: self.head.event_name.clone(),
            fetched_at: self.head.fetched_at,
            order_list: meta.order_list,
            orders: all.orders,
            failed: meta.gaps.failed.into_iter().map(|(f, _)| f).collect(),
            skipped_orders: meta.gaps.skipped_orders,
            done: meta.done,
            search_text: text,
            search_starts: starts,
            deferred: Some(DeferredAttendees { source, per_order: all.per_order, ids: all.ids }),
        })?)
    }

    /// The first guest of order `order_no` in the guest index (whose order
    /// numbers never decrease in a file floktu wrote; checked by the walk).
    fn first_guest_of(&self, order_no: usize) -> Result<usize, Bad> {
        let count = self.guests.len() / GUEST_ENTRY;
        let order_of = |i: usize| guest_entry(self.guests, i).map(|e| e.order_no as usize);
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if order_of(mid)? < order_no {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    /// The guests matching `query`, decoded alone, and the list's gaps.
    fn search(&self, query: &str) -> Result<Found, Bad> {
        let meta = Meta::decode(self.meta)?;
        let text =
            simdutf8::basic::from_utf8(self.text).map_err(|_| Bad::Damaged("search text not UTF-8"))?;
        let entries: Vec<GuestEntry> = self
            .guests
            .chunks_exact(GUEST_ENTRY)
            .map(|e| {
                let mut r = Reader::new(e);
                Ok(GuestEntry { text: r.u32()?, record: r.u32()?, strings: r.u32()?, order_no: r.u32()? })
            })
            .collect::<Result<_, Bad>>()?;
        let starts: Vec<u32> = entries.iter().map(|e| e.text).collect();
        check_search_text(text, &starts, entries.len())?;
        let mut orders: Vec<OrderPart> = Vec::new();
        let mut last_order = None;
        let mut found_text = String::new();
        let mut found_starts = Vec::new();
        // The list's own ranking over the stored rows (the one matcher,
        // `crate::search`): the same guests, in the same order, as
        // `GuestList::search` on the whole list.
        let ranked = GuestList::rank_in(text, &starts, query);
        let mut in_list = ranked.clone();
        in_list.sort_unstable();
        for &i in &in_list {
            let entry = entries.get(i).ok_or(Bad::Damaged("guest index"))?;
            if last_order != Some(entry.order_no) {
                let (record, strings) = self.order_at(entry.order_no as usize)?;
                let (part, _) = decode_order(&mut Records::at(self.records, record, self.strings, strings)?)?;
                orders.push(part);
                last_order = Some(entry.order_no);
            }
            let mut r =
                Records::at(self.records, entry.record as usize, self.strings, entry.strings as usize)?;
            let attendee = decode_attendee(&mut r)?;
            if let Some(last) = orders.last_mut() {
                last.attendees.push(attendee);
            }
            let end = starts.get(i + 1).map_or(text.len(), |&s| s as usize);
            found_starts.push(found_text.len() as u32);
            found_text.push_str(text.get(entry.text as usize..end).ok_or(Bad::Damaged("search text cut"))?);
        }
        let list = GuestList::from_parts(ListParts {
            event_id: self.head.event_id,
            event_name: self.head.event_name.clone(),
            fetched_at: self.head.fetched_at,
            order_list: None,
            orders,
            failed: Vec::new(),
            skipped_orders: Vec::new(),
            done: true,
            search_text: found_text.into(),
            search_starts: found_starts,
            deferred: None,
        })?;
        let ranked = ranked.iter().filter_map(|i| in_list.binary_search(i).ok()).collect();
        Ok(Found { list, ranked, gaps: meta.gaps })
    }
}

/// Where a [`Snapshot`]'s sections that stay in use are in the file's bytes.
#[derive(Clone, Debug)]
struct Sections {
    text: Range<usize>,
    guests: Range<usize>,
    records: Range<usize>,
    strings: Range<usize>,
}

/// Guest `i` of the guest index `guests`.
fn guest_entry(guests: &[u8], i: usize) -> Result<GuestEntry, Bad> {
    let from = i.checked_mul(GUEST_ENTRY).ok_or(Bad::Damaged("guest index"))?;
    let mut r = Reader::new(guests.get(from..).ok_or(Bad::Damaged("guest index"))?);
    Ok(GuestEntry { text: r.u32()?, record: r.u32()?, strings: r.u32()?, order_no: r.u32()? })
}

/// A run of orders of a file, decoded by [`Half::walk`].
struct Half {
    /// Their numbers in list order.
    orders: Range<usize>,
    /// The number of their first attendee.
    first_guest: usize,
}

/// What [`Half::walk`] found: the orders, how many attendees each has, and
/// their ids.
struct Walked {
    orders: Vec<OrderPart>,
    per_order: Vec<u32>,
    ids: Vec<u64>,
}

impl Half {
    /// Decodes each order and reads its attendees' ids, checking that the
    /// guest index gives each order as many guests as its record says.
    fn walk(&self, file: &Snapshot<'_>) -> Result<Walked, Bad> {
        let count = self.orders.len().min(file.orders.len() / ORDER_ENTRY);
        let mut out = Walked {
            orders: Vec::with_capacity(count),
            per_order: Vec::with_capacity(count),
            ids: Vec::new(),
        };
        for order_no in self.orders.clone() {
            let (record, strings) = file.order_at(order_no)?;
            let (part, attendees) =
                decode_order(&mut Records::at(file.records, record, file.strings, strings)?)?;
            out.per_order.push(u32::try_from(attendees).map_err(|_| Bad::Damaged("too many attendees"))?);
            for _ in 0..attendees {
                let e = guest_entry(file.guests, self.first_guest + out.ids.len())?;
                if e.order_no as usize != order_no {
                    return Err(Bad::Damaged("guest index"));
                }
                let mut r = Records::at(file.records, e.record as usize, file.strings, e.strings as usize)?;
                out.ids.push(r.fields.varint()?);
            }
            out.orders.push(part);
        }
        Ok(out)
    }
}

/// The attendees of a cached list's file, each decoded when the list first
/// reads it. Holds the file's bytes, checked whole when the list was opened.
struct FileAttendees {
    bytes: Bytes,
    at: Sections,
}

impl fmt::Debug for FileAttendees {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileAttendees({} bytes)", self.bytes.len())
    }
}

impl FileAttendees {
    fn section(&self, at: &Range<usize>) -> &[u8] {
        self.bytes.get(at.clone()).unwrap_or_default()
    }

    /// The records from attendee `key`'s on.
    fn records_of(&self, key: u32) -> Result<Records<'_>, Bad> {
        let e = guest_entry(self.section(&self.at.guests), key as usize)?;
        Records::at(
            self.section(&self.at.records),
            e.record as usize,
            self.section(&self.at.strings),
            e.strings as usize,
        )
    }
}

impl AttendeeSource for FileAttendees {
    fn attendee(&self, key: u32) -> Attendee {
        match self.records_of(key).and_then(|mut r| decode_attendee(&mut r)) {
            Ok(attendee) => attendee,
            Err(why) => {
                // Only for damage behind a valid checksum: an opened file is not walked record by record.
                tracing::warn!(key, ?why, "a cached attendee could not be decoded");
                let attendee_id = self.records_of(key).and_then(|mut r| r.fields.varint()).unwrap_or(0);
                Attendee {
                    attendee_id,
                    ticket_group: None,
                    ticket: String::new(),
                    check_in: None,
                    first_name: String::new(),
                    last_name: String::new(),
                    company: None,
                    answers: Vec::new(),
                }
            }
        }
    }

    fn counted_as(&self, key: u32) -> (Option<&str>, &str, bool) {
        let read = || -> Result<_, Bad> {
            let mut r = self.records_of(key)?;
            r.fields.varint()?;
            let group = r.opt_str()?;
            let ticket = r.str()?;
            Ok((group, ticket, r.fields.u8()? != 0))
        };
        read().unwrap_or((None, "", false))
    }
}

/// One guest of the guest index.
struct GuestEntry {
    /// Where the guest's search text starts.
    text: u32,
    /// Where the attendee's record starts.
    record: u32,
    /// Where its first string starts.
    strings: u32,
    /// Its order, in list order.
    order_no: u32,
}

/// The file's body before the search text: what the list lacks, and its order list.
struct Meta {
    order_list: Option<Vec<u64>>,
    gaps: Gaps,
    done: bool,
}

impl Meta {
    fn encode(list: &GuestList, w: &mut Writer) {
        let gaps = Gaps::of(list);
        match list.order_list() {
            None => w.u8(0),
            Some(ids) => {
                w.u8(1);
                w.varint(ids.len() as u64);
                ids.iter().for_each(|id| w.varint(*id));
            }
        }
        w.varint(gaps.failed.len() as u64);
        for (f, kept) in &gaps.failed {
            w.varint(f.order_id);
            w.str(&f.error);
            w.opt_time(*kept);
        }
        w.varint(gaps.unfetched.len() as u64);
        gaps.unfetched.iter().for_each(|id| w.varint(*id));
        w.skipped(&gaps.skipped_orders);
        w.varint(gaps.skipped_attendees.len() as u64);
        for (id, skipped) in &gaps.skipped_attendees {
            w.varint(*id);
            w.skipped(skipped);
        }
        w.u8(u8::from(list.is_done()));
    }

    fn decode(bytes: &[u8]) -> Result<Meta, Bad> {
        let mut r = Reader::new(bytes);
        let order_list = match r.u8()? {
            0 => None,
            1 => {
                let n = r.count(1)?;
                Some((0..n).map(|_| r.varint()).collect::<Result<_, _>>()?)
            }
            _ => return Err(Bad::Damaged("order list")),
        };
        let n = r.count(3)?;
        let failed = (0..n)
            .map(|_| Ok((FailedOrder { order_id: r.varint()?, error: r.string()? }, r.opt_time()?)))
            .collect::<Result<_, Bad>>()?;
        let n = r.count(1)?;
        let unfetched = (0..n).map(|_| r.varint()).collect::<Result<_, _>>()?;
        let skipped_orders = r.skipped()?;
        let n = r.count(2)?;
        let skipped_attendees =
            (0..n).map(|_| Ok((r.varint()?, r.skipped()?))).collect::<Result<_, Bad>>()?;
        let done = r.u8()? != 0;
        if r.remaining() != 0 {
            return Err(Bad::Damaged("meta left over"));
        }
        Ok(Meta { order_list, gaps: Gaps { failed, unfetched, skipped_orders, skipped_attendees }, done })
    }
}

/// The file for `list`, of `host`/`account`.
// Long on purpose: the format's sections written in file order, to be read
// beside `decode`, which reads them in the same order.
pub(crate) fn encode(list: &GuestList, host: &str, account: &str) -> io::Result<Vec<u8>> {
    let too_big = || io::Error::other("the guest list is too large for the cache format (4 GiB)");
    let offset = |n: usize| u32::try_from(n).map_err(|_| too_big());
    let mut meta = Writer::default();
    Meta::encode(list, &mut meta);
    let text = list.search_text().as_bytes();
    let mut guests = Writer::default();
    let mut orders = Writer::default();
    let mut records = RecordWriter::default();
    let starts = list.search_starts();
    let mut guest_no = 0usize;
    for (order_no, (p, attendees)) in list.orders().into_iter().enumerate() {
        let order_no = offset(order_no)?;
        orders.u32(offset(records.fields.0.len())?);
        orders.u32(offset(records.strings.len())?);
        records.fields.varint(p.id);
        records.fields.time(p.fetched_at);
        records.str(&p.name);
        records.str(&p.email);
        records.fields.money(p.order_amount);
        records.fields.money(p.amount_paid);
        records.opt_str(p.voucher.as_deref());
        records.fields.u8(status_code(p.status));
        records.skipped(&p.skipped_attendees);
        records.fields.varint(attendees.len() as u64);
        for g in attendees {
            let start = starts.get(guest_no).copied().ok_or_else(|| io::Error::other("index out of step"))?;
            guests.u32(start);
            guests.u32(offset(records.fields.0.len())?);
            guests.u32(offset(records.strings.len())?);
            guests.u32(order_no);
            encode_attendee(&g.attendee, &mut records);
            guest_no += 1;
        }
    }
    let RecordWriter { fields: records, strings } = records;
    let mut header = Writer::default();
    header.str(host);
    header.str(account);
    header.varint(list.event_id());
    header.opt_str(list.event_name());
    header.time(list.fetched_at());
    header.varint(guest_no as u64);
    header.varint(orders.0.len() as u64 / ORDER_ENTRY as u64);
    header.varint(meta.0.len() as u64);
    header.varint(text.len() as u64);
    header.varint(records.0.len() as u64);
    header.varint(strings.len() as u64);
    let body = [&meta.0[..], text, &guests.0, &orders.0, &records.0, &strings];
    let mut crc = crc32fast::Hasher::new();
    for section in body {
        crc.update(section);
    }
    header.u32(crc.finalize());
    let body_len: usize = body.iter().map(|s| s.len()).sum();
    let mut out = Writer(Vec::with_capacity(PREFIX_LEN + header.0.len() + 4 + body_len));
    out.0.extend_from_slice(MAGIC);
    out.u32(FORMAT_VERSION);
    out.u32(offset(header.0.len())?);
    out.0.extend_from_slice(&header.0);
    let header_crc = crc32fast::hash(&out.0);
    out.u32(header_crc);
    for section in body {
        out.0.extend_from_slice(section);
    }
    Ok(out.0)
}

/// The list in `bytes`, if they are a whole file of `host`/`account` for
/// `event_id`; its attendees stay in `bytes` until read.
pub(crate) fn decode(bytes: Bytes, host: &str, account: &str, event_id: u64) -> Result<GuestList, Miss> {
    let file = Snapshot::parse(&bytes, host, account, event_id)?;
    let source = Arc::new(FileAttendees { bytes: bytes.clone(), at: file.at.clone() });
    Ok(file.list(&bytes, source)?)
}

fn status_code(status: Status) -> u8 {
    match status {
        Status::Unconfirmed => 0,
        Status::Confirmed => 1,
        Status::Cancelled => 2,
        Status::Other => 3,
    }
}

fn status_of(code: u8) -> Result<Status, Bad> {
    Ok(match code {
        0 => Status::Unconfirmed,
        1 => Status::Confirmed,
        2 => Status::Cancelled,
        3 => Status::Other,
        _ => return Err(Bad::Damaged("order status")),
    })
}

/// An order's record (its attendees follow it), and how many attendees follow.
fn decode_order(r: &mut Records<'_>) -> Result<(OrderPart, usize), Bad> {
    let id = r.fields.varint()?;
    let fetched_at = r.fields.time()?;
    let order = Order {
        id,
        name: r.string()?,
        email: r.string()?,
        order_amount: r.fields.money()?,
        amount_paid: r.fields.money()?,
        voucher: r.opt_string()?,
        status: status_of(r.fields.u8()?)?,
        skipped_attendees: r.skipped()?,
        attendees: Vec::new(),
    };
    let attendees = r.fields.count(4)?;
    Ok((OrderPart::new(order, fetched_at), attendees))
}

fn encode_attendee(a: &Attendee, w: &mut RecordWriter) {
    w.fields.varint(a.attendee_id);
    w.opt_str(a.ticket_group.as_deref());
    w.str(&a.ticket);
    match &a.check_in {
        None => w.fields.u8(0),
        Some(CheckIn { raw, at: None }) => {
            w.fields.u8(1);
            w.str(raw);
        }
        Some(CheckIn { raw, at: Some(at) }) => {
            w.fields.u8(2);
            w.str(raw);
            w.fields.time(at.and_utc());
        }
    }
    w.str(&a.first_name);
    w.str(&a.last_name);
    w.opt_str(a.company.as_deref());
    w.fields.varint(a.answers.len() as u64);
    for answer in &a.answers {
        w.str(&answer.question);
        w.opt_str(answer.answer.as_deref());
    }
}

fn decode_attendee(r: &mut Records<'_>) -> Result<Attendee, Bad> {
    let attendee_id = r.fields.varint()?;
    let ticket_group = r.opt_string()?;
    let ticket = r.string()?;
    let check_in = match r.fields.u8()? {
        0 => None,
        1 => Some(CheckIn { raw: r.string()?, at: None }),
        2 => Some(CheckIn { raw: r.string()?, at: Some(r.fields.time()?.naive_utc()) }),
        _ => return Err(Bad::Damaged("check-in")),
    };
    let first_name = r.string()?;
    let last_name = r.string()?;
    let company = r.opt_string()?;
    let n = r.fields.count(2)?;
    let mut answers = Vec::with_capacity(n);
    for _ in 0..n {
        answers.push(Answer { question: r.string()?, answer: r.opt_string()? });
    }
    Ok(Attendee { attendee_id, ticket_group, ticket, check_in, first_name, last_name, company, answers })
}

/// Writes records: numbers and lengths to `fields`, the strings' bytes to `strings`.
#[derive(Default)]
struct RecordWriter {
    fields: Writer,
    strings: Vec<u8>,
}

impl RecordWriter {
    fn str(&mut self, s: &str) {
        self.fields.varint(s.len() as u64);
        self.strings.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.fields.varint(0),
            Some(s) => {
                self.fields.varint(s.len() as u64 + 1);
                self.strings.extend_from_slice(s.as_bytes());
            }
        }
    }

    fn skipped(&mut self, items: &[Skipped]) {
        self.fields.varint(items.len() as u64);
        for s in items {
            self.str(&s.at);
            self.str(&s.reason);
        }
    }
}

/// Reads what [`RecordWriter`] wrote: the fields in order, each string's
/// bytes from the strings section.
struct Records<'a> {
    fields: Reader<'a>,
    strings: Strings<'a>,
}

impl<'a> Records<'a> {
    /// The records from byte `at` on, their strings from byte `strings_at` on,
    /// each string checked as UTF-8 as it is read.
    fn at(fields: &'a [u8], at: usize, strings: &'a [u8], strings_at: usize) -> Result<Records<'a>, Bad> {
        if strings_at > strings.len() {
            return Err(Bad::Damaged("cut short"));
        }
        Ok(Records {
            fields: Reader::new(fields).skip(at)?,
            strings: Strings { bytes: strings, pos: strings_at },
        })
    }

    fn str(&mut self) -> Result<&'a str, Bad> {
        let n = self.fields.len()?;
        self.strings.take(n)
    }

    fn string(&mut self) -> Result<String, Bad> {
        self.str().map(String::from)
    }

    fn opt_str(&mut self) -> Result<Option<&'a str>, Bad> {
        match self.fields.len()? {
            0 => Ok(None),
            n => self.strings.take(n - 1).map(Some),
        }
    }

    fn opt_string(&mut self) -> Result<Option<String>, Bad> {
        self.opt_str().map(|s| s.map(String::from))
    }

    fn skipped(&mut self) -> Result<Vec<Skipped>, Bad> {
        let n = self.fields.count(2)?;
        (0..n).map(|_| Ok(Skipped { at: self.string()?, reason: self.string()? })).collect()
    }
}

/// The strings section, read from front to back.
struct Strings<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Strings<'a> {
    /// The next `n` bytes, as text.
    fn take(&mut self, n: usize) -> Result<&'a str, Bad> {
        let end = self.pos.checked_add(n).ok_or(Bad::Damaged("cut short"))?;
        let bytes = self.bytes.get(self.pos..end).ok_or(Bad::Damaged("cut short"))?;
        let s = std::str::from_utf8(bytes).map_err(|_| Bad::Damaged("text not UTF-8"))?;
        self.pos = end;
        Ok(s)
    }
}

/// Appends the encodings of the format to a buffer.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, b: u8) {
        self.0.push(b);
    }

    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    /// A signed number, zigzag-encoded so that small negatives stay short.
    fn signed(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.varint(0),
            Some(s) => {
                self.varint(s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }

    /// Seconds since 1970 and nanoseconds: exactly the time given.
    fn time(&mut self, t: DateTime<Utc>) {
        self.signed(t.timestamp());
        self.varint(u64::from(t.timestamp_subsec_nanos()));
    }

    fn opt_time(&mut self, t: Option<DateTime<Utc>>) {
        match t {
            None => self.u8(0),
            Some(t) => {
                self.u8(1);
                self.time(t);
            }
        }
    }

    fn money(&mut self, m: Option<Money>) {
        match m {
            None => self.u8(0),
            Some(Money(minor)) => {
                self.u8(1);
                self.signed(minor);
            }
        }
    }

    fn skipped(&mut self, items: &[Skipped]) {
        self.varint(items.len() as u64);
        for s in items {
            self.str(&s.at);
            self.str(&s.reason);
        }
    }
}

/// Reads the encodings of [`Writer`], every length checked against what is left.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The reader `n` bytes further on.
    fn skip(mut self, n: usize) -> Result<Reader<'a>, Bad> {
        self.bytes(n)?;
        Ok(self)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        let end =
            self.pos.checked_add(n).filter(|&end| end <= self.buf.len()).ok_or(Bad::Damaged("cut short"))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, Bad> {
        Ok(self.bytes(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Bad> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn varint(&mut self) -> Result<u64, Bad> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                if shift == 63 && b > 1 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(Bad::Damaged("number too large"))
    }

    fn signed(&mut self) -> Result<i64, Bad> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn len(&mut self) -> Result<usize, Bad> {
        usize::try_from(self.varint()?).map_err(|_| Bad::Damaged("length too large"))
    }

    /// A count of items of at least `min_size` bytes each, which must fit in what is left.
    fn count(&mut self, min_size: usize) -> Result<usize, Bad> {
        let n = self.len()?;
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(Bad::Damaged("count larger than the file"));
        }
        Ok(n)
    }

    fn str(&mut self) -> Result<&'a str, Bad> {
        let n = self.len()?;
        std::str::from_utf8(self.bytes(n)?).map_err(|_| Bad::Damaged("text not UTF-8"))
    }

    fn string(&mut self) -> Result<String, Bad> {
        self.str().map(str::to_string)
    }

    fn opt_string(&mut self) -> Result<Option<String>, Bad> {
        match self.len()? {
            0 => Ok(None),
            n => {
                let bytes = self.bytes(n - 1)?;
                let s = std::str::from_utf8(bytes).map_err(|_| Bad::Damaged("text not UTF-8"))?;
                Ok(Some(s.to_string()))
            }
        }
    }

    fn time(&mut self) -> Result<DateTime<Utc>, Bad> {
        let secs = self.signed()?;
        let nanos = u32::try_from(self.varint()?).map_err(|_| Bad::Damaged("time"))?;
        DateTime::from_timestamp(secs, nanos).ok_or(Bad::Damaged("time"))
    }

    fn opt_time(&mut self) -> Result<Option<DateTime<Utc>>, Bad> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.time().map(Some),
            _ => Err(Bad::Damaged("time")),
        }
    }

    fn money(&mut self) -> Result<Option<Money>, Bad> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.signed().map(|m| Some(Money(m))),
            _ => Err(Bad::Damaged("amount")),
        }
    }

    fn skipped(&mut self) -> Result<Vec<Skipped>, Bad> {
        let n = self.count(2)?;
        (0..n).map(|_| Ok(Skipped { at: self.string()?, reason: self.string()? })).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_labels_become_safe_file_names() {
        assert_eq!(safe_file_name("127.0.0.1:8080"), "127.0.0.1_8080");
        assert_eq!(safe_file_name("floktu.com"), "floktu.com");
        assert_eq!(safe_file_name("../x/y"), ".._x_y");
    }

    #[test]
    fn accounts_differ_by_token_and_host_but_demo_is_fixed() {
        let dir = Path::new("/c");
        let base = ApiBase::parse("https://floktu.com/api/v2").unwrap();
        let other_base = ApiBase::parse("https://eu.floktu.com/api/v2").unwrap();
        let a = Cache::for_account(dir, &base, &AccessToken::new("one"));
        let b = Cache::for_account(dir, &base, &AccessToken::new("two"));
        let c = Cache::for_account(dir, &other_base, &AccessToken::new("one"));
        assert_ne!(a.dir(), b.dir());
        assert_ne!(a.dir(), c.dir());
        assert_eq!(Cache::demo(dir).dir(), Path::new("/c/demo"));
        assert!(!a.dir().to_string_lossy().contains("one"));
    }

    #[test]
    fn numbers_and_times_round_trip_at_their_limits() {
        let mut w = Writer::default();
        for v in [0, 1, 127, 128, u64::from(u32::MAX), u64::MAX] {
            w.varint(v);
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            w.signed(v);
        }
        let t = DateTime::from_timestamp(-86_400 * 365, 999_999_999).unwrap();
        w.time(t);
        let mut r = Reader::new(&w.0);
        for v in [0, 1, 127, 128, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(r.signed().unwrap(), v);
        }
        assert_eq!(r.time().unwrap(), t);
        assert_eq!(r.remaining(), 0);
        assert!(Reader::new(&[0xff; 11]).varint().is_err(), "more than 64 bits");
        assert!(Reader::new(&[0xff, 0xff]).varint().is_err(), "cut short");
    }

    #[test]
    fn a_write_that_fails_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("event-1.guests");
        write_atomic(&path, |f| f.write_all(b"old copy")).unwrap();
        let failed = write_atomic(&path, |f| {
            f.write_all(b"half of the new")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old copy");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary file is gone");
    }

    /// Rewrites both checksums of a file whose bytes were changed, so that the
    /// decoder itself meets the damage.
    fn reseal(bytes: &mut [u8]) {
        let Some(len) = bytes.get(12..16) else { return };
        let end = PREFIX_LEN + u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if end < PREFIX_LEN + 4 || bytes.len() < end + 4 {
            return;
        }
        // The body's checksum is the header's last field.
        let body = crc32fast::hash(&bytes[end + 4..]);
        bytes[end - 4..end].copy_from_slice(&body.to_le_bytes());
        let head = crc32fast::hash(&bytes[..end]);
        bytes[end..end + 4].copy_from_slice(&head.to_le_bytes());
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]
        #[test]
        fn damage_behind_valid_checksums_is_a_miss_never_a_panic(
            at in 0usize..100_000,
            xor in 1u8..=255,
            cut in proptest::option::of(0usize..100_000),
        ) {
            let list = crate::demo::Dataset::generate(3, 1, 12).guest_list(1000);
            let mut bytes = encode(&list, "h", "a").unwrap();
            let i = at % bytes.len();
            bytes[i] ^= xor;
            if let Some(cut) = cut {
                bytes.truncate(cut % bytes.len());
            }
            reseal(&mut bytes);
            if let Ok(back) = decode(bytes.clone().into(), "h", "a", list.event_id()) {
                // Every attendee reads, never panicking: damage in an attendee's
                // record is found when it is read, and it reads as an empty attendee.
                for g in back.guests() {
                    let _ = g.attendee.first_name.len();
                }
            }
            if let Ok(file) = Snapshot::parse(&bytes, "h", "a", list.event_id()) {
                let _ = file.search("a");
            }
        }
    }
}
