//! Where the access token (and the client secret) live.
//!
//! Found in this order: `FLOKTU_TOKEN` (never stored) → the OS keyring (service
//! `floktu`, account = api host + client id; every call bounded in time and run
//! off the caller's thread) → a 0600 credentials file, written atomically, used
//! where no keyring works (SSH, containers) or when asked (`--insecure-storage`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::api::{AccessToken, ApiBase};

/// The keyring service name.
pub const SERVICE: &str = "floktu";
/// How long one keyring call may take before the keyring counts as unavailable.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

/// Where a token was found, for `floktu status` (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `FLOKTU_TOKEN`.
    Env,
    /// The OS keyring.
    Keyring,
    /// The credentials file.
    File(PathBuf),
    /// The embedded demo server's token.
    Demo,
}

impl TokenSource {
    /// A word for people.
    pub fn describe(&self) -> String {
        match self {
            TokenSource::Env => "env (FLOKTU_TOKEN)".to_string(),
            TokenSource::Keyring => "keyring (OS credential store)".to_string(),
            TokenSource::File(p) => format!("file ({})", p.display()),
            TokenSource::Demo => "demo (built-in demo server)".to_string(),
        }
    }
}

/// The token from `FLOKTU_TOKEN`, if set and not blank.
pub fn token_from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<(AccessToken, TokenSource)> {
    env("FLOKTU_TOKEN").filter(|t| !t.trim().is_empty()).map(|t| (AccessToken::new(t), TokenSource::Env))
}

/// The token to use, first found: `FLOKTU_TOKEN`, then the keyring, then the file.
pub async fn find_token(
    env: &dyn Fn(&str) -> Option<String>,
    store: &TokenStore,
) -> Option<(AccessToken, TokenSource)> {
    match token_from_env(env) {
        Some(found) => Some(found),
        None => store.find().await,
    }
}

/// A place for secrets keyed by account: the OS keyring, or a test double.
pub trait SecretStore: Send + Sync {
    /// The secret stored for `key`, if any.
    fn get(&self, key: &str) -> Result<Option<String>, String>;
    /// Stores `secret` for `key`.
    fn set(&self, key: &str, secret: &str) -> Result<(), String>;
    /// Removes `key`; removing what is not there is fine.
    fn delete(&self, key: &str) -> Result<(), String>;
}

/// The OS keyring (Secret Service, Keychain, Credential Manager).
pub struct OsKeyring;

impl SecretStore for OsKeyring {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        entry.set_password(secret).map_err(|e| e.to_string())
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// No keyring at all (`FLOKTU_KEYRING=none`, and tests): every call fails.
pub struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: &str) -> Result<Option<String>, String> {
        Err("the keyring is turned off (FLOKTU_KEYRING=none)".into())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), String> {
        Err("the keyring is turned off (FLOKTU_KEYRING=none)".into())
    }
    fn delete(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

/// An in-memory keyring: the test double.
#[derive(Default)]
pub struct MemoryKeyring(Mutex<BTreeMap<String, String>>);

impl SecretStore for MemoryKeyring {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().map_err(|_| "poisoned")?.get(key).cloned())
    }
    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        self.0.lock().map_err(|_| "poisoned")?.insert(key.to_string(), secret.to_string());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.0.lock().map_err(|_| "poisoned")?.remove(key);
        Ok(())
    }
}

/// The keyring to use here: the OS one unless `FLOKTU_KEYRING=none`.
pub fn os_keyring(env: &dyn Fn(&str) -> Option<String>) -> Arc<dyn SecretStore> {
    if env("FLOKTU_KEYRING").is_some_and(|v| v.eq_ignore_ascii_case("none")) {
        Arc::new(NoKeyring)
    } else {
        Arc::new(OsKeyring)
    }
}

/// Where a saved secret went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Saved {
    /// The OS keyring.
    Keyring,
    /// The credentials file; `fallback` says why the keyring was not used, if it was tried.
    File {
        /// The file.
        path: PathBuf,
        /// The keyring's failure, when the file is a fallback rather than a choice.
        fallback: Option<String>,
    },
}

impl Saved {
    /// What to tell the user.
    pub fn describe(&self) -> String {
        match self {
            Saved::Keyring => "in the OS keyring".to_string(),
            Saved::File { path, fallback: None } => {
                format!("in {} (readable only by you; not encrypted)", path.display())
            }
            Saved::File { path, fallback: Some(why) } => format!(
                "in {} (readable only by you; not encrypted) because no keyring works here: {why}",
                path.display()
            ),
        }
    }
}

/// The credentials file: tokens and client secrets by account.
#[derive(Default, Serialize, Deserialize)]
struct CredentialsFile {
    #[serde(default)]
    tokens: BTreeMap<String, String>,
    #[serde(default)]
    client_secrets: BTreeMap<String, String>,
}

/// The token and client secret of one account (api host + client id).
#[derive(Clone)]
pub struct TokenStore {
    keyring: Arc<dyn SecretStore>,
    file: PathBuf,
    account: String,
    insecure: bool,
    timeout: Duration,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore").field("account", &self.account).field("file", &self.file).finish()
    }
}

impl TokenStore {
    /// The store of the account `base` + `client_id`, with its file in `state_dir`.
    /// `insecure` chooses the file over the keyring.
    pub fn new(
        keyring: Arc<dyn SecretStore>,
        state_dir: &Path,
        base: &ApiBase,
        client_id: Option<&str>,
        insecure: bool,
    ) -> TokenStore {
        let account = match client_id.map(str::trim).filter(|c| !c.is_empty()) {
            Some(id) => format!("{}/{id}", base.host_label()),
            None => base.host_label(),
        };
        TokenStore {
            keyring,
            file: state_dir.join("credentials.json"),
            account,
            insecure,
            timeout: KEYRING_TIMEOUT,
        }
    }

    /// The keyring account name: "floktu.com/CLIENT_ID".
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The credentials file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The stored token: keyring first (unless `insecure`), then the file.
    pub async fn find(&self) -> Option<(AccessToken, TokenSource)> {
        let key = format!("token:{}", self.account);
        if !self.insecure
            && let Ok(Some(token)) = self.keyring_call(move |k| k.get(&key)).await
            && !token.trim().is_empty()
        {
            return Some((AccessToken::new(token), TokenSource::Keyring));
        }
        let file = read_file(&self.file).ok()?;
        let token = file.tokens.get(&self.account)?;
        Some((AccessToken::new(token.clone()), TokenSource::File(self.file.clone())))
    }

    /// Stores the token: in the keyring, or in the file when asked or when no keyring works.
    pub async fn save(&self, token: &AccessToken) -> Result<Saved, String> {
        let key = format!("token:{}", self.account);
        let secret = token.expose().to_string();
        self.save_secret(key, secret, |f, account, s| {
            f.tokens.insert(account, s);
        })
        .await
    }

    /// The stored client secret, if any (keyring, then file).
    pub async fn find_client_secret(&self) -> Option<String> {
        let key = format!("client-secret:{}", self.account);
        if !self.insecure
            && let Ok(Some(secret)) = self.keyring_call(move |k| k.get(&key)).await
        {
            return Some(secret);
        }
        read_file(&self.file).ok()?.client_secrets.get(&self.account).cloned()
    }

    /// Stores the client secret the same way as the token.
    pub async fn save_client_secret(&self, secret: &str) -> Result<Saved, String> {
        let key = format!("client-secret:{}", self.account);
        self.save_secret(key, secret.to_string(), |f, account, s| {
            f.client_secrets.insert(account, s);
        })
        .await
    }

    /// Forgets this account's token and client secret everywhere; says what was removed.
    pub async fn forget(&self) -> Result<Vec<String>, String> {
        let mut removed = Vec::new();
        for prefix in ["token", "client-secret"] {
            let key = format!("{prefix}:{}", self.account);
            let had = matches!(
                self.keyring_call({
                    let key = key.clone();
                    move |k| k.get(&key)
                })
                .await,
                Ok(Some(_))
            );
            if had && self.keyring_call(move |k| k.delete(&key)).await.is_ok() {
                removed.push(format!("{prefix} from the OS keyring"));
            }
        }
        if let Ok(mut file) = read_file(&self.file) {
            let had_token = file.tokens.remove(&self.account).is_some();
            let had_secret = file.client_secrets.remove(&self.account).is_some();
            if had_token || had_secret {
                if file.tokens.is_empty() && file.client_secrets.is_empty() {
                    std::fs::remove_file(&self.file)
                        .map_err(|e| format!("removing {}: {e}", self.file.display()))?;
                } else {
                    write_file(&self.file, &file)?;
                }
                removed.push(format!("credentials from {}", self.file.display()));
            }
        }
        Ok(removed)
    }

    async fn save_secret(
        &self,
        key: String,
        secret: String,
        put: impl FnOnce(&mut CredentialsFile, String, String),
    ) -> Result<Saved, String> {
        let fallback = if self.insecure {
            None
        } else {
            let value = secret.clone();
            match self.keyring_call(move |k| k.set(&key, &value)).await {
                Ok(()) => {
                    // The keyring cannot be listed: remember the account (not
                    // the secret) so that logging out of the host finds it.
                    let index = self.file.with_file_name(KEYRING_INDEX);
                    let mut accounts = read_index(&index);
                    if !accounts.contains(&self.account) {
                        accounts.push(self.account.clone());
                        let _ = write_private(&index, accounts.join("\n").as_bytes());
                    }
                    return Ok(Saved::Keyring);
                }
                Err(why) => Some(why),
            }
        };
        let mut file = read_file(&self.file).unwrap_or_default();
        put(&mut file, self.account.clone(), secret);
        write_file(&self.file, &file)?;
        Ok(Saved::File { path: self.file.clone(), fallback })
    }

    /// Runs one keyring call on a blocking thread, bounded in time: a keyring
    /// daemon that does not answer must not hang login or start-up.
    async fn keyring_call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let keyring = Arc::clone(&self.keyring);
        let task = tokio::task::spawn_blocking(move || call(keyring.as_ref()));
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the keyring call failed".into()),
            Err(_) => Err(format!("the keyring did not answer within {} s", self.timeout.as_secs())),
        }
    }

    /// Shortens the keyring time bound (tests of a hanging keyring).
    pub fn with_timeout(mut self, timeout: Duration) -> TokenStore {
        self.timeout = timeout;
        self
    }
}

/// The accounts floktu stored in the keyring, one per line (no secrets).
const KEYRING_INDEX: &str = "keyring-accounts";

fn read_index(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|text| text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
        .unwrap_or_default()
}

impl TokenStore {
    /// Every client id with a token or secret stored for `base`'s host, in the
    /// credentials file or (as far as floktu recorded) in the keyring.
    pub fn client_ids_of_host(state_dir: &Path, base: &ApiBase) -> Vec<String> {
        let prefix = format!("{}/", base.host_label());
        let file = read_file(&state_dir.join("credentials.json")).unwrap_or_default();
        let mut ids: Vec<String> = file
            .tokens
            .keys()
            .chain(file.client_secrets.keys())
            .cloned()
            .chain(read_index(&state_dir.join(KEYRING_INDEX)))
            .filter_map(|account| account.strip_prefix(&prefix).map(String::from))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Forgets the host's accounts in the list of keyring accounts (after
    /// their secrets were removed).
    pub fn forget_host_index(state_dir: &Path, base: &ApiBase) {
        let index = state_dir.join(KEYRING_INDEX);
        let host = base.host_label();
        let prefix = format!("{host}/");
        let all = read_index(&index);
        let kept: Vec<String> =
            all.iter().filter(|a| **a != host && !a.starts_with(&prefix)).cloned().collect();
        if kept.len() != all.len() {
            let _ = if kept.is_empty() {
                std::fs::remove_file(&index)
            } else {
                write_private(&index, kept.join("\n").as_bytes())
            };
        }
    }
}

fn read_file(path: &Path) -> Result<CredentialsFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{} is damaged ({e})", path.display()))
}

/// Writes `value` to `path` atomically, readable only by the user (0600, in a 0700 folder).
fn write_file(path: &Path, value: &CredentialsFile) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    write_private(path, text.as_bytes()).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Atomic private write: a temporary file in the same folder, created 0600,
/// synced, then renamed over the target.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("floktu"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `dir` (0700 when it is new).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ApiBase {
        ApiBase::parse("https://floktu.com/api/v2").unwrap()
    }

    fn store(keyring: Arc<dyn SecretStore>, dir: &Path, insecure: bool) -> TokenStore {
        TokenStore::new(keyring, dir, &base(), Some("client-1"), insecure)
    }

    #[tokio::test]
    async fn the_keyring_is_used_when_it_works() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        let s = store(keyring.clone(), dir.path(), false);
        assert_eq!(s.save(&AccessToken::new("tok")).await.unwrap(), Saved::Keyring);
        assert_eq!(keyring.get("token:floktu.com/client-1").unwrap().as_deref(), Some("tok"));
        assert!(!s.file().exists(), "nothing on disk");
        let (token, source) = s.find().await.unwrap();
        assert_eq!((token.expose(), source), ("tok", TokenSource::Keyring));
    }

    #[tokio::test]
    async fn without_a_keyring_the_file_is_used_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(Arc::new(NoKeyring), dir.path(), false);
        let saved = s.save(&AccessToken::new("tok")).await.unwrap();
        assert!(matches!(saved, Saved::File { fallback: Some(_), .. }), "{saved:?}");
        let (token, source) = s.find().await.unwrap();
        assert_eq!(token.expose(), "tok");
        assert!(matches!(source, TokenSource::File(_)));
    }

    #[tokio::test]
    async fn insecure_storage_chooses_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        let s = store(keyring.clone(), dir.path(), true);
        let saved = s.save(&AccessToken::new("tok")).await.unwrap();
        assert!(matches!(saved, Saved::File { fallback: None, .. }), "{saved:?}");
        assert_eq!(keyring.get("token:floktu.com/client-1").unwrap(), None);
    }

    #[tokio::test]
    async fn the_keyring_beats_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        store(keyring.clone(), dir.path(), true).save(&AccessToken::new("from-file")).await.unwrap();
        keyring.set("token:floktu.com/client-1", "from-keyring").unwrap();
        let (token, source) = store(keyring, dir.path(), false).find().await.unwrap();
        assert_eq!((token.expose(), source), ("from-keyring", TokenSource::Keyring));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_credentials_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let s = TokenStore::new(Arc::new(NoKeyring), &state, &base(), None, true);
        s.save(&AccessToken::new("tok")).await.unwrap();
        s.save_client_secret("shh").await.unwrap();
        let mode = std::fs::metadata(s.file()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
    }

    #[tokio::test]
    async fn accounts_do_not_see_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let a = TokenStore::new(Arc::new(NoKeyring), dir.path(), &base(), Some("a"), true);
        let b = TokenStore::new(Arc::new(NoKeyring), dir.path(), &base(), Some("b"), true);
        a.save(&AccessToken::new("token-a")).await.unwrap();
        assert!(b.find().await.is_none());
    }

    #[tokio::test]
    async fn forget_removes_token_and_secret_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        store(keyring.clone(), dir.path(), true).save(&AccessToken::new("f")).await.unwrap();
        let s = store(keyring.clone(), dir.path(), false);
        s.save(&AccessToken::new("k")).await.unwrap();
        s.save_client_secret("shh").await.unwrap();
        let removed = s.forget().await.unwrap();
        assert_eq!(removed.len(), 3, "{removed:?}");
        assert!(s.find().await.is_none());
        assert!(s.find_client_secret().await.is_none());
        assert!(!s.file().exists());
    }

    /// A keyring that does not answer until the test lets it go.
    struct HangingKeyring(Mutex<std::sync::mpsc::Receiver<()>>);
    impl SecretStore for HangingKeyring {
        fn get(&self, _: &str) -> Result<Option<String>, String> {
            let _ = self.0.lock().map(|rx| rx.recv());
            Ok(None)
        }
        fn set(&self, _: &str, _: &str) -> Result<(), String> {
            let _ = self.0.lock().map(|rx| rx.recv());
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<(), String> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_hanging_keyring_falls_back_to_the_file_in_bounded_time() {
        let dir = tempfile::tempdir().unwrap();
        let (release, hold) = std::sync::mpsc::channel();
        let keyring = Arc::new(HangingKeyring(Mutex::new(hold)));
        let s = store(keyring, dir.path(), false).with_timeout(Duration::from_millis(50));
        let saved = s.save(&AccessToken::new("tok")).await.unwrap();
        assert!(matches!(&saved, Saved::File { fallback: Some(why), .. } if why.contains("did not answer")));
        assert_eq!(s.find().await.unwrap().0.expose(), "tok");
        // The stuck calls must not keep the test's runtime from shutting down.
        drop(release);
    }

    #[tokio::test]
    async fn the_environment_beats_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        let s = store(keyring, dir.path(), false);
        s.save(&AccessToken::new("stored")).await.unwrap();
        let env = |k: &str| (k == "FLOKTU_TOKEN").then(|| "from-env".to_string());
        let (token, source) = find_token(&env, &s).await.unwrap();
        assert_eq!((token.expose(), source), ("from-env", TokenSource::Env));
        let (token, source) = find_token(&|_| None, &s).await.unwrap();
        assert_eq!((token.expose(), source), ("stored", TokenSource::Keyring));
    }

    #[test]
    fn env_token_comes_first_and_blank_counts_as_none() {
        assert!(token_from_env(&|_| Some("  ".into())).is_none());
        let (t, src) = token_from_env(&|_| Some("abc".into())).unwrap();
        assert_eq!((t.expose(), src), ("abc", TokenSource::Env));
    }
}
