//! floktu's folders and files are the user's alone: every folder
//! under XDG 0700, every file 0600 — the log, the cache, the ledger, the token
//! file and the config alike.
//!
//! Two parts: the process's umask is set to 077 before anything is created, so
//! whatever any part of floktu (or SQLite, or the log writer) creates is private
//! from the start; and what an older floktu left readable is tightened.

use std::io;
use std::path::Path;

use crate::config::Paths;

/// Makes everything floktu creates from now on private, and tightens what its
/// XDG folders hold already. Call first thing, before any thread starts (the
/// umask is the process's).
pub fn make_private(paths: &Paths) -> io::Result<()> {
    restrict_umask();
    for dir in [&paths.config_dir, &paths.cache_dir, &paths.data_dir, &paths.state_dir] {
        tighten(dir)?;
    }
    Ok(())
}

/// Folders 0700 and files 0600, all the way down; symbolic links are left alone
/// (their targets are not floktu's to change). A missing folder is fine.
pub fn tighten(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::symlink_metadata(dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if !meta.is_dir() {
            return Ok(());
        }
        set_mode(dir, &meta, 0o700)?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            let path = entry.path();
            if meta.is_dir() {
                tighten(&path)?;
            } else if meta.is_file() {
                set_mode(&path, &meta, 0o600)?;
            }
        }
        fn set_mode(path: &Path, meta: &std::fs::Metadata, mode: u32) -> io::Result<()> {
            if meta.permissions().mode() & 0o777 != mode {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            }
            Ok(())
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// umask 077: new folders 0700, new files 0600. Children floktu starts (tmux,
/// the browser opener) inherit it, which keeps what they write private too.
fn restrict_umask() {
    #[cfg(unix)]
    {
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        type Mode = u16;
        #[cfg(not(any(target_os = "macos", target_os = "ios", target_os = "freebsd")))]
        type Mode = u32;
        unsafe extern "C" {
            fn umask(mask: Mode) -> Mode;
        }
        // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
        unsafe {
            umask(0o077);
        }
    }
}
