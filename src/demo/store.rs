//! The data a demo server serves, changeable while it serves.
//!
//! Requests read under a shared lock that they hold only while they write
//! their JSON (no await inside), so thousands of order details a second do
//! not queue behind one another. A change takes the lock for writing, and
//! changes the data in place unless someone holds a snapshot
//! ([`Store::snapshot`]): then it changes a copy, and the snapshot stays as it
//! was (`Arc::make_mut`).
//!
//! The hostile-text variant is derived from the plain data on the first
//! request that wants it, and forgotten on every change, to be derived again
//! when next wanted. Deriving it again, rather than applying each change to
//! both, is what keeps them in step: hostile text is handed out by position
//! (see `hostile.rs`), so one added order moves the text of the whole event.

use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use super::data::Dataset;

/// The served data and its hostile-text variant.
#[derive(Debug)]
pub(crate) struct Store(RwLock<Served>);

#[derive(Debug)]
struct Served {
    plain: Arc<Dataset>,
    /// `plain` with hostile text, made when first wanted after each change.
    hostile: OnceLock<Dataset>,
}

impl Store {
    pub(crate) fn new(data: Dataset) -> Store {
        Store(RwLock::new(Served { plain: Arc::new(data), hostile: OnceLock::new() }))
    }

    /// Runs `f` on the data as served now: with hostile text or without.
    pub(crate) fn read<R>(&self, hostile: bool, f: impl FnOnce(&Dataset) -> R) -> R {
        // A panic while holding the lock cannot leave the data half-changed:
        // every change is made by one call that either completes or does nothing.
        let served = self.0.read().unwrap_or_else(PoisonError::into_inner);
        if hostile {
            f(served.hostile.get_or_init(|| served.plain.with_hostile_text()))
        } else {
            f(&served.plain)
        }
    }

    /// The data as it is now, without hostile text; later changes do not show in it.
    pub(crate) fn snapshot(&self) -> Arc<Dataset> {
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner).plain)
    }

    /// Changes the data with `f`; on success the hostile variant is made again
    /// when next wanted.
    pub(crate) fn change<R, E>(&self, f: impl FnOnce(&mut Dataset) -> Result<R, E>) -> Result<R, E> {
        let mut served = self.0.write().unwrap_or_else(PoisonError::into_inner);
        let result = f(Arc::make_mut(&mut served.plain));
        if result.is_ok() {
            served.hostile = OnceLock::new();
        }
        result
    }
}
