//! `floktu login`, `login --with-token`, `token`, `logout` and `status`: the
//! account on the command line. (The data subcommands are in `cli/mod.rs`.)

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::api::oauth::ClientCredentials;
use crate::api::{AccessToken, Error, FloktuClient};
use crate::auth::login::{self, CALLBACK_TIMEOUT, Handoff};
use crate::auth::loopback::ListenError;
use crate::auth::store::{SecretStore, TokenSource, TokenStore};
use crate::cli::Exit;
use crate::config::Settings;
use crate::text::sanitize;

/// What `floktu login` was told.
#[derive(Clone, Debug, Default)]
pub struct LoginFlags {
    /// Don't try to open a browser.
    pub no_browser: bool,
    /// A demo run: the token is used for nothing and stored nowhere.
    pub demo: bool,
}

/// `floktu login`: the OAuth handoff without the TUI. Prints the URL, opens a
/// browser where one can show, and waits for the redirect while also reading a
/// pasted redirect URL or code from stdin.
pub async fn login(
    settings: &Settings,
    keyring: Arc<dyn SecretStore>,
    env: &dyn Fn(&str) -> Option<String>,
    flags: &LoginFlags,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let base = &settings.api_base;
    let Some(client_id) = settings.client_id.clone().or_else(|| prompt("Client id: ")) else {
        writeln!(
            err,
            "floktu: no client id. Pass --client-id, set FLOKTU_CLIENT_ID, or put client_id in {} \
             (Floktu issues client ids per organisation on request)",
            settings.paths.config_file().display()
        )?;
        return Ok(Exit::Usage);
    };
    let store = TokenStore::new(
        Arc::clone(&keyring),
        &settings.paths.state_dir,
        base,
        Some(&client_id),
        settings.insecure_storage,
    );
    let stored_secret = if flags.demo { None } else { store.find_client_secret().await };
    let Some(client_secret) = settings.client_secret.clone().or(stored_secret).or_else(secret_prompt) else {
        writeln!(
            err,
            "floktu: no client secret. Set FLOKTU_CLIENT_SECRET, put client_secret in {}, or run \
             `floktu login` in a terminal to be asked for it (there is no flag: it would show in `ps`)",
            settings.paths.config_file().display()
        )?;
        return Ok(Exit::Usage);
    };
    let mut handoff = Handoff::start_with(base, &client_id, &settings.redirect_uri, settings.pkce).await?;
    show_handoff(&handoff, env, flags, out, err)?;
    out.flush()?;
    let code = wait_for_code(handoff.listener.take(), &handoff.state, err).await?;
    let credentials =
        ClientCredentials { client_id: client_id.clone(), client_secret: client_secret.clone() };
    let token = handoff.exchange(base, &credentials, &code).await?;
    if flags.demo {
        writeln!(out, "Logged in to the demo server. (Demo runs never store a token.)")?;
        return Ok(Exit::Ok);
    }
    store_token(settings, keyring, &token, Some(&client_id), Some(&client_secret), out, err).await
}

/// Tells the user where to approve floktu's access and how the code can come
/// back (the redirect, a paste, an SSH tunnel), and opens a browser where one
/// can show.
fn show_handoff(
    handoff: &Handoff,
    env: &dyn Fn(&str) -> Option<String>,
    flags: &LoginFlags,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    writeln!(
        out,
        "Open this address in a browser and approve floktu's access:\n\n  {}\n",
        handoff.authorize_url
    )?;
    writeln!(
        out,
        "Waiting for the redirect on {} ({} s).",
        handoff.redirect_uri,
        CALLBACK_TIMEOUT.as_secs()
    )?;
    if login::over_ssh(env) {
        writeln!(out, "\n{}", login::ssh_ways(&handoff.redirect_uri))?;
    } else {
        writeln!(
            out,
            "If the browser is on another machine, paste the address it ends on (or just the code) \
             here and press Enter."
        )?;
    }
    if !flags.no_browser && login::browser_available(env) {
        match login::open_browser(handoff.authorize_url.as_str()) {
            Ok(()) => writeln!(out, "(Opened your browser.)")?,
            Err(e) => writeln!(err, "floktu: {e}")?,
        }
    }
    Ok(())
}

/// The code from the listener or from stdin, whichever comes first; a bad paste
/// is explained and reading goes on.
async fn wait_for_code(
    listener: Option<crate::auth::loopback::Listener>,
    state: &str,
    err: &mut dyn Write,
) -> Result<String> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut listening = std::pin::pin!(async move {
        match listener {
            Some(l) => l.wait(CALLBACK_TIMEOUT).await,
            None => std::future::pending().await,
        }
    });
    let mut listener_done = false;
    loop {
        tokio::select! {
            result = &mut listening, if !listener_done => match result {
                Ok(code) => return Ok(code),
                Err(ListenError::Callback(e)) => bail!("{e}"),
                Err(e) => {
                    listener_done = true;
                    writeln!(err, "floktu: {e} (Ctrl-C to give up)")?;
                }
            },
            line = lines.next_line() => match line.context("reading stdin")? {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => match crate::auth::loopback::read_pasted(&line, state) {
                    Ok(code) => return Ok(code),
                    Err(e) => writeln!(err, "floktu: {e}")?,
                },
                None if listener_done => bail!("no redirect came back and nothing was pasted"),
                None => {
                    // stdin closed (a script): only the redirect can finish the login now.
                    return match (&mut listening).await {
                        Ok(code) => Ok(code),
                        Err(e) => Err(e.into()),
                    };
                }
            },
            _ = tokio::signal::ctrl_c() => bail!("login cancelled"),
        }
    }
}

/// `floktu login --with-token`: one line from stdin (not echoed on a terminal),
/// checked with an events call, then stored like a token from the handoff. A
/// token Floktu refuses is not stored.
pub async fn login_with_token(
    settings: &Settings,
    keyring: Arc<dyn SecretStore>,
    demo: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let Some(token) = read_token_line()? else {
        writeln!(
            err,
            "floktu: no token on stdin. On a machine where you are logged in: \
             floktu token | ssh THIS-HOST floktu login --with-token"
        )?;
        return Ok(Exit::Usage);
    };
    let base = &settings.api_base;
    let client = FloktuClient::new(base.clone(), token.clone())?;
    match client.events().await {
        Ok(_) => {}
        Err(e @ Error::Unauthorized(_)) => {
            writeln!(err, "floktu: {} does not accept this token ({e}); nothing stored", base.host_label())?;
            return Ok(Exit::Usage);
        }
        Err(e) => {
            writeln!(
                err,
                "floktu: could not check the token with {} ({e}); nothing stored",
                base.host_label()
            )?;
            return Ok(Exit::Error);
        }
    }
    if demo {
        writeln!(out, "The demo server accepts this token. (Demo runs never store a token.)")?;
        return Ok(Exit::Ok);
    }
    store_token(settings, keyring, &token, settings.client_id.as_deref(), None, out, err).await
}

/// Stores a token through the account service and says where it went, with a
/// warning when it is in a plain file although nobody asked for that.
async fn store_token(
    settings: &Settings,
    keyring: Arc<dyn SecretStore>,
    token: &AccessToken,
    client_id: Option<&str>,
    client_secret: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit> {
    let saved = accounts(settings, keyring)
        .adopt(token, client_id, client_secret)
        .await
        .map_err(anyhow::Error::msg)
        .context("storing the token")?;
    writeln!(out, "Logged in to {}. Token stored {}.", settings.api_base.host_label(), saved.describe())?;
    if matches!(saved, crate::auth::store::Saved::File { .. }) && !settings.insecure_storage {
        writeln!(err, "floktu: warning: the token is in a plain file, protected only by its permissions")?;
    }
    Ok(Exit::Ok)
}

/// The longest line `--with-token` reads: tokens are short; anything longer is not one.
const MAX_TOKEN_LINE: u64 = 4096;

/// One line from stdin: without echo on a terminal, else read as it comes (a pipe).
fn read_token_line() -> Result<Option<AccessToken>> {
    use std::io::{BufRead, Read};
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Token (not shown): ").context("reading the token")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_TOKEN_LINE)
            .read_line(&mut line)
            .context("reading the token from stdin")?;
        line
    };
    let token = line.trim();
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Ok(None);
    }
    Ok(Some(AccessToken::new(token)))
}

/// `floktu token`: the token into a pipe or a file, never onto a terminal (where
/// it would stay in the scrollback, and on screen for whoever looks).
pub fn token(token: Option<&AccessToken>, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit> {
    if std::io::stdout().is_terminal() {
        writeln!(
            err,
            "floktu: refusing to print the token onto a terminal. Send it into a pipe or a file: \
             floktu token | ssh HOST floktu login --with-token"
        )?;
        return Ok(Exit::Usage);
    }
    let Some(token) = token else {
        writeln!(err, "floktu: not logged in; nothing to print. Run `floktu login` first")?;
        return Ok(Exit::Usage);
    };
    writeln!(out, "{}", token.expose())?;
    out.flush()?;
    Ok(Exit::Ok)
}

fn prompt(question: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    eprint!("{question}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok()?;
    Some(line.trim().to_string()).filter(|l| !l.is_empty())
}

fn secret_prompt() -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Client secret (not shown): ")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `floktu logout`: forgets the token and client secret of this account everywhere.
pub async fn logout(
    settings: &Settings,
    keyring: Arc<dyn SecretStore>,
    token: Option<&AccessToken>,
    out: &mut dyn Write,
) -> Result<Exit> {
    let client_ids: Vec<&str> = settings.client_id.as_deref().into_iter().collect();
    let removed =
        accounts(settings, keyring).log_out(token, &client_ids).await.map_err(anyhow::Error::msg)?;
    writeln!(out, "{}", crate::auth::account::describe_log_out(&settings.api_base, &removed))?;
    Ok(Exit::Ok)
}

/// The account service for these settings.
fn accounts(settings: &Settings, keyring: Arc<dyn SecretStore>) -> crate::auth::account::Accounts {
    crate::auth::account::Accounts {
        keyring,
        state_dir: settings.paths.state_dir.clone(),
        config_file: settings.paths.config_file(),
        cache_dir: (!settings.no_cache).then(|| settings.paths.cache_dir.clone()),
        base: settings.api_base.clone(),
        insecure_storage: settings.insecure_storage,
    }
}

/// Where admissions are recorded, without connecting and without any password.
fn ledger_label(settings: &Settings) -> String {
    use crate::ledger::LedgerSpec;
    match LedgerSpec::parse(settings.ledger.as_deref(), &settings.paths.data_dir) {
        Ok(LedgerSpec::Sqlite(path)) => format!("SQLite {}", path.display()),
        Ok(LedgerSpec::Postgres { url, queue }) => {
            let server = url::Url::parse(&url)
                .map(|u| {
                    let host = u.host_str().unwrap_or("localhost").to_string();
                    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                    format!("{host}{port}{}", u.path())
                })
                .unwrap_or_else(|_| "(an unreadable URL)".to_string());
            format!("PostgreSQL {} (queue while away: {})", sanitize(&server), queue.display())
        }
        Err(e) => format!("not usable: {}", sanitize(&e.to_string())),
    }
}

/// `floktu status`: where floktu talks to, where the token came from (never the
/// token), and where files are.
pub fn status(settings: &Settings, source: Option<&TokenSource>, out: &mut dyn Write) -> Result<Exit> {
    let paths = &settings.paths;
    writeln!(out, "api base     {}", settings.api_base)?;
    match source {
        Some(s) => writeln!(out, "token        {}", s.describe())?,
        None => writeln!(out, "token        none — run `floktu login`")?,
    }
    let client = settings.client_id.as_deref().map(|c| sanitize(c).into_owned());
    writeln!(out, "client id    {}", client.as_deref().unwrap_or("none"))?;
    writeln!(out, "config file  {}", paths.config_file().display())?;
    writeln!(out, "cache dir    {}", paths.cache_dir.display())?;
    writeln!(out, "ledger       {}", ledger_label(settings))?;
    writeln!(out, "log file     {}", paths.log_file().display())?;
    Ok(if source.is_some() { Exit::Ok } else { Exit::Usage })
}
