//! One account service for the CLI and the TUI alike: adopt a token (store it,
//! and the client secret, and remember the client id) and log out (forget every
//! token and secret of the host, for every client id, and the account's cached
//! guest lists, saying what went). Written once so that the two sides cannot
//! drift apart again (the TUI's log-out once kept the cache the CLI's removed).

use std::path::PathBuf;
use std::sync::Arc;

use crate::api::{AccessToken, ApiBase};
use crate::cache::Cache;

use super::store::{Saved, SecretStore, TokenStore};

/// Where an account's secrets and cache live.
#[derive(Clone)]
pub struct Accounts {
    /// The keyring (or a test double).
    pub keyring: Arc<dyn SecretStore>,
    /// `$XDG_STATE_HOME/floktu`: the credentials file and the list of accounts.
    pub state_dir: PathBuf,
    /// `config.toml`, where the client id is remembered.
    pub config_file: PathBuf,
    /// `$XDG_CACHE_HOME/floktu`, or `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    /// The API base the account belongs to.
    pub base: ApiBase,
    /// The token in a file rather than the keyring.
    pub insecure_storage: bool,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").field("base", &self.base).field("state_dir", &self.state_dir).finish()
    }
}

impl Accounts {
    fn store(&self, client_id: Option<&str>) -> TokenStore {
        TokenStore::new(
            Arc::clone(&self.keyring),
            &self.state_dir,
            &self.base,
            client_id,
            self.insecure_storage,
        )
    }

    /// Stores `token` (and the client secret, when given) for `client_id` and
    /// remembers the client id in the config file. Returns where it went.
    pub async fn adopt(
        &self,
        token: &AccessToken,
        client_id: Option<&str>,
        client_secret: Option<&str>,
    ) -> Result<Saved, String> {
        let client_id = client_id.map(str::trim).filter(|c| !c.is_empty());
        let store = self.store(client_id);
        let saved = store.save(token).await?;
        if let Some(secret) = client_secret {
            store.save_client_secret(secret).await?;
        }
        if let Some(id) = client_id {
            crate::config::remember_client_id(&self.config_file, id).map_err(|e| format!("{e:#}"))?;
        }
        Ok(saved)
    }

    /// Forgets every token and client secret of the host — for the client ids
    /// given, every one the credentials file has, and every one floktu stored
    /// in the keyring — and, when `token` is known, the account's cached guest
    /// lists. Returns what was removed, as a person reads it.
    pub async fn log_out(
        &self,
        token: Option<&AccessToken>,
        client_ids: &[&str],
    ) -> Result<Vec<String>, String> {
        let mut ids: Vec<Option<String>> = vec![None];
        ids.extend(
            client_ids.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).map(|c| Some(c.to_string())),
        );
        ids.extend(TokenStore::client_ids_of_host(&self.state_dir, &self.base).into_iter().map(Some));
        ids.sort();
        ids.dedup();
        let mut removed = Vec::new();
        for id in &ids {
            for what in self.store(id.as_deref()).forget().await? {
                let whose = id.as_deref().map(|i| format!(" (client id {i})")).unwrap_or_default();
                removed.push(format!("{what}{whose}"));
            }
        }
        TokenStore::forget_host_index(&self.state_dir, &self.base);
        if let (Some(dir), Some(token)) = (&self.cache_dir, token) {
            let cache = Cache::for_account(dir, &self.base, token);
            let existed = cache.dir().exists();
            match cache.remove_account() {
                Ok(()) if existed => removed.push(format!("cached guest lists in {}", cache.dir().display())),
                Ok(()) => {}
                Err(e) => {
                    return Err(format!(
                        "could not remove the cached guest lists {}: {e}",
                        cache.dir().display()
                    ));
                }
            }
        }
        Ok(removed)
    }
}

/// "Logged out of HOST. Removed: …", or that there was nothing to forget.
pub fn describe_log_out(base: &ApiBase, removed: &[String]) -> String {
    if removed.is_empty() {
        format!("Nothing to forget for {}.", base.host_label())
    } else {
        format!("Logged out of {}. Removed: {}.", base.host_label(), removed.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::store::MemoryKeyring;

    fn accounts(dir: &std::path::Path, keyring: Arc<MemoryKeyring>, insecure: bool) -> Accounts {
        Accounts {
            keyring,
            state_dir: dir.join("state"),
            config_file: dir.join("config.toml"),
            cache_dir: Some(dir.join("cache")),
            base: ApiBase::parse("https://floktu.com/api/v2").unwrap(),
            insecure_storage: insecure,
        }
    }

    #[tokio::test]
    async fn log_out_forgets_every_client_ids_token_and_secret_of_the_host_and_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        let a = accounts(dir.path(), Arc::clone(&keyring), false);
        a.adopt(&AccessToken::new("t-one"), Some("one"), Some("s-one")).await.unwrap();
        a.adopt(&AccessToken::new("t-two"), Some("two"), Some("s-two")).await.unwrap();
        let file = accounts(dir.path(), Arc::clone(&keyring), true);
        file.adopt(&AccessToken::new("t-three"), Some("three"), None).await.unwrap();
        let cache = Cache::for_account(&dir.path().join("cache"), &a.base, &AccessToken::new("t-two"));
        std::fs::create_dir_all(cache.dir()).unwrap();

        // Logged in as "two" now; "one" and "three" were earlier client ids.
        let removed = a.log_out(Some(&AccessToken::new("t-two")), &["two"]).await.unwrap();
        let said = removed.join("; ");
        for id in ["one", "two", "three"] {
            assert!(said.contains(&format!("client id {id}")), "{said}");
            let store = TokenStore::new(
                Arc::clone(&keyring) as Arc<dyn SecretStore>,
                &a.state_dir,
                &a.base,
                Some(id),
                false,
            );
            assert!(store.find().await.is_none(), "token of {id} left");
            assert!(store.find_client_secret().await.is_none(), "secret of {id} left");
        }
        assert!(!cache.dir().exists(), "the cached guest lists went too");
        assert!(said.contains("cached guest lists"), "{said}");
    }

    #[tokio::test]
    async fn log_out_leaves_another_hosts_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(MemoryKeyring::default());
        let mut other = accounts(dir.path(), Arc::clone(&keyring), false);
        other.base = ApiBase::parse("https://eu.floktu.com/api/v2").unwrap();
        other.adopt(&AccessToken::new("t-eu"), Some("one"), None).await.unwrap();
        accounts(dir.path(), Arc::clone(&keyring), false).log_out(None, &["one"]).await.unwrap();
        let store = TokenStore::new(
            keyring as Arc<dyn SecretStore>,
            &other.state_dir,
            &other.base,
            Some("one"),
            false,
        );
        assert!(store.find().await.is_some());
    }
}
