//! Guest lists saved on disk, one file per event (DESIGN.md §5), so that a list
//! opens at once and can be used with no network at all (`--offline`).
//!
//! - Under `$XDG_CACHE_HOME/floktu/` (directories `0700`, files `0600`), one
//!   directory per account: the API host and a fingerprint of the token, so
//!   another account never sees this one's guests. Demo runs use one fixed `demo`
//!   directory, whatever port the demo server got.
//! - Each file is written to a temporary file in the same directory, synced, then
//!   renamed over the old one: a crash leaves the old file or the new, never half.
//! - Files say which format `version` they are; a file of another version (an
//!   older or newer floktu) is ignored, as if there were none.
//! - Files hold the host and the token's fingerprint, never the token.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::api::{AccessToken, ApiBase, Attendee, Money, Order, Skipped, Status};
use crate::guestlist::{FailedOrder, Guest, GuestList, Purchase};

/// The format written now. Bump it whenever the layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

/// The name of the demo account's directory.
const DEMO_ACCOUNT: &str = "demo";

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
        self.dir.join(format!("event-{event_id}.json"))
    }

    /// Saves `list` (complete or partial: its failures are kept with it),
    /// replacing the event's earlier copy atomically. Returns the file written.
    pub fn save(&self, list: &GuestList) -> Result<PathBuf, CacheError> {
        self.make_dirs()?;
        let orders = list.orders();
        let file = FileOut {
            version: FORMAT_VERSION,
            api_host: &self.host,
            account: &self.account,
            event_id: list.event_id(),
            event_name: list.event_name(),
            fetched_at: list.fetched_at(),
            order_list: list.order_list(),
            orders: OrdersOut(&orders),
            failed: list.failed(),
            skipped_orders: list.skipped_orders(),
        };
        let path = self.file(list.event_id());
        let bytes = serde_json::to_vec(&file)
            .map_err(|e| CacheError { path: path.clone(), source: io::Error::other(e) })?;
        write_atomic(&path, &bytes).map_err(|source| CacheError { path: path.clone(), source })?;
        Ok(path)
    }

    /// The cached list of `event_id`, with the time it was fetched; `None` when
    /// there is none this account can use (see [`Cache::read`] for why not).
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
        let path = self.file(event_id);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Miss::Absent),
            Err(e) => return Err(Miss::Unreadable(e.to_string())),
        };
        // The orders go into the list as they are parsed, not into a Vec first:
        // half the peak memory, and the parser's scratch space is reused.
        let mut list = GuestList::new(event_id);
        let mut meta = Meta::default();
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let parsed =
            FileSeed { list: &mut list, meta: &mut meta }.deserialize(&mut de).and_then(|()| de.end());
        let ours = u64::from(FORMAT_VERSION);
        match (meta.version, parsed) {
            (Some(v), _) if v != ours => return Err(Miss::OtherVersion(v)),
            (Some(_), Ok(())) => {}
            (_, parsed) => {
                // No version before the error: another layout may put it elsewhere.
                return Err(match serde_json::from_slice::<Head>(&bytes) {
                    Ok(head) if head.version != ours => Miss::OtherVersion(head.version),
                    _ => Miss::Unreadable(match parsed {
                        Err(e) => e.to_string(),
                        Ok(()) => "no format version".to_string(),
                    }),
                });
            }
        }
        let Meta {
            api_host,
            account,
            event_id: file_event,
            event_name,
            fetched_at,
            failed,
            skipped_orders,
            ..
        } = meta;
        if api_host.as_deref() != Some(self.host.as_str())
            || account.as_deref() != Some(self.account.as_str())
            || file_event != Some(event_id)
        {
            return Err(Miss::NotOurs);
        }
        let Some(fetched_at) = fetched_at else {
            return Err(Miss::Unreadable("no fetched_at".to_string()));
        };
        list.set_event_name(event_name);
        for f in failed {
            list.add_failure(f.order_id, f.error);
        }
        list.set_skipped_orders(skipped_orders);
        list.set_fetched_at(fetched_at);
        list.mark_done();
        Ok(list)
    }

    /// The events cached for this account, newest first (reads every file: for
    /// finding an event by name offline, not for a hot path).
    pub fn events(&self) -> Vec<CachedEvent> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<CachedEvent> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name();
                let id = name.to_str()?.strip_prefix("event-")?.strip_suffix(".json")?;
                let bytes = fs::read(entry.path()).ok()?;
                let head: Head = serde_json::from_slice(&bytes).ok()?;
                let ours = head.version == u64::from(FORMAT_VERSION)
                    && head.api_host.as_deref() == Some(self.host.as_str())
                    && head.account.as_deref() == Some(self.account.as_str())
                    && head.event_id.is_some_and(|e| e.to_string() == id);
                Some(CachedEvent {
                    event_id: head.event_id?,
                    event_name: head.event_name,
                    fetched_at: head.fetched_at?,
                })
                .filter(|_| ours)
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

    /// Creates the cache directory and the account's, both private (`0700`).
    fn make_dirs(&self) -> Result<(), CacheError> {
        let parent = self.dir.parent().unwrap_or(&self.dir);
        for dir in [parent, self.dir.as_path()] {
            make_private_dir(dir).map_err(|source| CacheError { path: dir.to_path_buf(), source })?;
        }
        Ok(())
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

/// Writes `bytes` to `path` atomically: a `0600` temporary file in the same
/// directory, synced, renamed over `path`, then the directory synced.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
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
        file.write_all(bytes)?;
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

/// What every version's file starts with, enough to tell the version and whose it is.
#[derive(Deserialize)]
struct Head {
    version: u64,
    api_host: Option<String>,
    account: Option<String>,
    event_id: Option<u64>,
    event_name: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
}

/// Format 1, as written.
#[derive(Serialize)]
struct FileOut<'a> {
    version: u32,
    api_host: &'a str,
    account: &'a str,
    event_id: u64,
    event_name: Option<&'a str>,
    fetched_at: DateTime<Utc>,
    order_list: Option<&'a [u64]>,
    orders: OrdersOut<'a>,
    failed: &'a [FailedOrder],
    skipped_orders: &'a [Skipped],
}

/// Format 1, as read: everything but the orders, which [`FileSeed`] adds to
/// the list as it meets them.
#[derive(Default)]
struct Meta {
    version: Option<u64>,
    api_host: Option<String>,
    account: Option<String>,
    event_id: Option<u64>,
    event_name: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
    failed: Vec<FailedOrder>,
    skipped_orders: Vec<Skipped>,
}

/// The fields of format 1; anything else is skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Version,
    ApiHost,
    Account,
    EventId,
    EventName,
    FetchedAt,
    OrderList,
    Orders,
    Failed,
    SkippedOrders,
    #[serde(other)]
    Other,
}

/// Reads a format 1 file into `list` and `meta`. Stops at a version other than
/// this one, before reading what follows it.
struct FileSeed<'a> {
    list: &'a mut GuestList,
    meta: &'a mut Meta,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a floktu guest list cache file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Version => {
                    let version: u64 = map.next_value()?;
                    self.meta.version = Some(version);
                    if version != u64::from(FORMAT_VERSION) {
                        return Err(de::Error::custom("another format version"));
                    }
                }
                Field::ApiHost => self.meta.api_host = Some(map.next_value()?),
                Field::Account => self.meta.account = Some(map.next_value()?),
                Field::EventId => self.meta.event_id = Some(map.next_value()?),
                Field::EventName => self.meta.event_name = map.next_value()?,
                Field::FetchedAt => self.meta.fetched_at = Some(map.next_value()?),
                Field::OrderList => {
                    if let Some(ids) = map.next_value::<Option<Vec<u64>>>()? {
                        self.list.set_order_list(ids);
                    }
                }
                Field::Orders => map.next_value_seed(OrdersSeed(&mut *self.list))?,
                Field::Failed => self.meta.failed = map.next_value()?,
                Field::SkippedOrders => self.meta.skipped_orders = map.next_value()?,
                Field::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Adds each order of a JSON array to the list as soon as it is parsed.
struct OrdersSeed<'a>(&'a mut GuestList);

impl<'de> DeserializeSeed<'de> for OrdersSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for OrdersSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of orders")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(order) = seq.next_element::<Order>()? {
            self.0.add_order(order);
        }
        Ok(())
    }
}

/// The list's orders written in [`Order`]'s shape, without copying them.
struct OrdersOut<'a>(&'a [(&'a Arc<Purchase>, &'a [Guest])]);

impl Serialize for OrdersOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(p, guests)| OrderOut {
            id: p.id,
            name: &p.name,
            email: &p.email,
            order_amount: p.order_amount,
            amount_paid: p.amount_paid,
            voucher: p.voucher.as_deref(),
            status: p.status,
            attendees: AttendeesOut(guests),
            skipped_attendees: &p.skipped_attendees,
        }))
    }
}

/// One order, field for field as [`Order`] serializes.
#[derive(Serialize)]
struct OrderOut<'a> {
    id: u64,
    name: &'a str,
    email: &'a str,
    order_amount: Option<Money>,
    amount_paid: Option<Money>,
    voucher: Option<&'a str>,
    status: Status,
    attendees: AttendeesOut<'a>,
    skipped_attendees: &'a [Skipped],
}

struct AttendeesOut<'a>(&'a [Guest]);

impl Serialize for AttendeesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|g| -> &Attendee { &g.attendee }))
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
}
