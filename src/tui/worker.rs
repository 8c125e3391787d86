//! Runs commands on tokio tasks and sends the results back as messages, tagged
//! with the request id they answer. Workers never touch the model.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::oauth::ClientCredentials;
use crate::api::{AccessToken, ApiBase, FloktuClient};
use crate::auth::login::{self, CALLBACK_TIMEOUT, Handoff};
use crate::auth::store::SecretStore;
use crate::cache::Cache;
use crate::guestlist;

use super::app::ReqId;
use super::clipboard::Clipboard;
use super::msg::{Command, Copied, CopyFailed, LoginFailed, LoginStart, LogoutFailed, Msg, Snapshot, Stored};

/// What logging in and out needs to know.
#[derive(Clone)]
pub struct Session {
    /// The API base.
    pub base: ApiBase,
    /// Where tokens are stored; `None` for demo runs, which store nothing.
    pub keyring: Option<Arc<dyn SecretStore>>,
    /// Where the credentials file and logs live.
    pub state_dir: PathBuf,
    /// Where the config file lives (the client id is remembered there).
    pub config_file: PathBuf,
    /// Token in a file rather than the keyring.
    pub insecure_storage: bool,
    /// The redirect URI to listen on.
    pub redirect_uri: String,
    /// True where a browser can show.
    pub browser: bool,
    /// Where guest lists are cached; `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    /// A demo run: the cache lives under the fixed demo key.
    pub demo: bool,
    /// Order details fetched at once.
    pub concurrency: usize,
    /// How a live guest list keeps fresh.
    pub refresh: crate::config::Refresh,
    /// Send PKCE S256 with a login.
    pub pkce: bool,
}

impl Session {
    /// The guest-list cache of the account `token` logs into.
    fn cache(&self, token: &AccessToken) -> Option<Cache> {
        let dir = self.cache_dir.as_deref()?;
        Some(if self.demo { Cache::demo(dir) } else { Cache::for_account(dir, &self.base, token) })
    }
}

/// Carries out commands for the loop.
pub struct Worker {
    client: Arc<RwLock<Option<FloktuClient>>>,
    session: Session,
    tx: UnboundedSender<Msg>,
    tasks: HashMap<ReqId, AbortHandle>,
    /// Where to send what the user asks of each live guest-list load.
    live: HashMap<ReqId, UnboundedSender<guestlist::Request>>,
    login: Option<AbortHandle>,
    clipboard: Arc<Mutex<Box<dyn Clipboard>>>,
    /// The door's ledger jobs, run one after another (see [`Worker::open_ledger`]).
    ledger: Option<UnboundedSender<Command>>,
}

impl Worker {
    /// A worker sending its results to `tx`; `client` is `None` until logged in.
    pub fn new(
        client: Option<FloktuClient>,
        session: Session,
        tx: UnboundedSender<Msg>,
        clipboard: Box<dyn Clipboard>,
    ) -> Worker {
        Worker {
            client: Arc::new(RwLock::new(client)),
            session,
            tx,
            tasks: HashMap::new(),
            live: HashMap::new(),
            login: None,
            clipboard: Arc::new(Mutex::new(clipboard)),
            ledger: None,
        }
    }

    /// Starts `command`; returns at once (except an OSC 52 copy, a short terminal write).
    pub fn run(&mut self, command: Command) {
        self.tasks.retain(|_, task| !task.is_finished());
        let tasks = &self.tasks;
        self.live.retain(|req, _| tasks.contains_key(req));
        match command {
            Command::FetchEvents { req } => self.fetch_events(req),
            Command::FetchOrders { req, event_id } => self.fetch_orders(req, event_id),
            Command::FetchOrder { req, event_id, order_id } => self.fetch_order(req, event_id, order_id),
            Command::Cancel(req) => self.cancel(req),
            Command::DetailAfter { seq, after } => self.detail_after(seq, after),
            Command::StatsAfter { seq, after } => self.stats_after(seq, after),
            Command::Copy { text, what } => self.copy(text, what),
            Command::LoadAdmissions { .. } | Command::Admit { .. } | Command::UndoLast { .. } => {
                self.ledger_job(command)
            }
            Command::FindElsewhere { event_id, asked, id } => self.find_elsewhere(event_id, asked, id),
            Command::StartLogin { attempt, client_id } => self.start_login(attempt, client_id),
            Command::StopLogin => self.stop_login(),
            Command::ExchangeCode { attempt, credentials, code, redirect_uri } => {
                self.exchange_code(attempt, credentials, code, redirect_uri)
            }
            Command::UseToken { attempt, token, client_id } => self.use_token(attempt, token, client_id),
            Command::LoadGuests { req, event_id, event_name, cache_first } => {
                self.load_guests(req, event_id, event_name, cache_first)
            }
            Command::AskGuests { req, request } => self.ask_guests(req, request),
            Command::SaveGuests(snapshot) => self.save_guests(snapshot),
            Command::Export { name, what } => self.export(name, what),
            Command::Logout { client_id } => self.logout(client_id),
        }
    }

    /// The events; offline, the events whose guest lists are cached.
    fn fetch_events(&mut self, req: ReqId) {
        let (client, cache) = (self.client(), self.cache());
        self.spawn(req, async move {
            let result = match client {
                Some(c) => c.events().await,
                None => Err(not_logged_in()),
            };
            match result {
                // Offline: the events whose guest lists are cached keep the door working.
                Err(error) if error.is_transient() => match cached_events(cache).await {
                    events if !events.is_empty() => Msg::EventsOffline { req, events, error },
                    _ => Msg::EventsLoaded { req, result: Err(error) },
                },
                result => Msg::EventsLoaded { req, result },
            }
        });
    }

    /// An event's orders.
    fn fetch_orders(&mut self, req: ReqId, event_id: u64) {
        let client = self.client();
        self.spawn(req, async move {
            let result = match client {
                Some(c) => c.orders(event_id).await,
                None => Err(not_logged_in()),
            };
            Msg::OrdersLoaded { req, event_id, result }
        });
    }

    /// An order's details.
    fn fetch_order(&mut self, req: ReqId, event_id: u64, order_id: u64) {
        let client = self.client();
        self.spawn(req, async move {
            let result = match client {
                Some(c) => c.order(event_id, order_id).await,
                None => Err(not_logged_in()),
            };
            Msg::OrderLoaded { req, event_id, order_id, result }
        });
    }

    /// Stops the task of `req` (a load the screen no longer shows).
    fn cancel(&mut self, req: ReqId) {
        if let Some(task) = self.tasks.remove(&req) {
            task.abort();
        }
        self.live.remove(&req);
    }

    /// Tells the loop when the cursor has rested on an order long enough.
    fn detail_after(&mut self, seq: u64, after: Duration) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = tx.send(Msg::DetailDue { seq });
        });
    }

    /// Sends `StatsDue { seq }` after `after`.
    fn stats_after(&mut self, seq: u64, after: Duration) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = tx.send(Msg::StatsDue { seq });
        });
    }

    /// Stops waiting for a login redirect.
    fn stop_login(&mut self) {
        if let Some(task) = self.login.take() {
            task.abort();
        }
    }

    /// Trades the redirect's code for a token, and adopts it.
    fn exchange_code(
        &mut self,
        attempt: u64,
        credentials: ClientCredentials,
        code: String,
        redirect_uri: String,
    ) {
        let (session, tx, slot) = (self.session.clone(), self.tx.clone(), Arc::clone(&self.client));
        tokio::spawn(async move {
            let result = match login::exchange(&session.base, &credentials, &code, &redirect_uri).await {
                Ok(token) => adopt(&session, &slot, token, &credentials.client_id, Some(&credentials)).await,
                Err(e) => Err(LoginFailed::from(e)),
            };
            let _ = tx.send(Msg::LoggedIn { attempt, result });
        });
    }

    /// Checks a pasted token with Floktu, and adopts it.
    fn use_token(&mut self, attempt: u64, token: AccessToken, client_id: String) {
        let (session, tx, slot) = (self.session.clone(), self.tx.clone(), Arc::clone(&self.client));
        tokio::spawn(async move {
            let result = check_token(&session.base, &token).await;
            let result = match result {
                Ok(()) => adopt(&session, &slot, token, &client_id, None).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::LoggedIn { attempt, result });
        });
    }

    /// Passes the user's request (a re-check, new orders) to a live load.
    fn ask_guests(&mut self, req: ReqId, request: guestlist::Request) {
        // A load that has ended (cancelled, or never started) has nobody to ask.
        if let Some(live) = self.live.get(&req) {
            let _ = live.send(request);
        }
    }

    /// Writes the guest list to the cache, off the loop.
    fn save_guests(&mut self, snapshot: Snapshot) {
        if let Some(cache) = self.cache() {
            tokio::task::spawn_blocking(move || {
                if let Err(e) = cache.save(&snapshot.0) {
                    tracing::warn!(error = %e, "could not cache the guest list");
                }
            });
        }
    }

    /// Writes an export into the working directory, off the loop.
    fn export(&mut self, name: String, what: crate::output::Export) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = std::env::current_dir()
                .map_err(ExportError::NoDirectory)
                .and_then(|dir| export_in(&dir, &name, &what));
            let _ = tx.send(Msg::Exported { result });
        });
    }

    /// Forgets the token (and the cache), and says what was removed.
    fn logout(&mut self, client_id: String) {
        let token = self.client().map(|c| c.token().clone());
        if let Ok(mut slot) = self.client.write() {
            *slot = None;
        }
        let (session, tx) = (self.session.clone(), self.tx.clone());
        tokio::spawn(async move {
            let result = forget(&session, token.as_ref(), &client_id).await;
            let _ = tx.send(Msg::LoggedOut { result });
        });
    }

    /// The cached list first (when asked), then a live load that keeps it
    /// fresh until the request is cancelled.
    fn load_guests(&mut self, req: ReqId, event_id: u64, event_name: String, cache_first: bool) {
        let (client, cache, tx) = (self.client(), self.cache(), self.tx.clone());
        let (ask, requests) = tokio::sync::mpsc::unbounded_channel();
        let mut options = guestlist::LiveOptions {
            concurrency: self.session.concurrency,
            orders_every: self.session.refresh.orders_every,
            max_age: self.session.refresh.max_age,
            known: Vec::new(),
        };
        let task = tokio::spawn(async move {
            if cache_first {
                let list = match cache {
                    Some(cache) => {
                        tokio::task::spawn_blocking(move || cache.load(event_id)).await.ok().flatten()
                    }
                    None => None,
                };
                let list = list.map(|mut l| {
                    if l.event_name().is_none() {
                        l.set_event_name(Some(event_name.clone()));
                    }
                    Box::new(l)
                });
                if let Some(list) = &list {
                    options.known = list.orders().iter().map(|(p, _)| (p.id, p.fetched_at)).collect();
                }
                let _ = tx.send(Msg::GuestsCached { req, list });
            }
            let Some(client) = client else {
                let event = guestlist::LoadEvent::ListFailed(not_logged_in());
                let _ = tx.send(Msg::GuestEvent { req, event });
                return;
            };
            forward(req, &tx, |etx| async move {
                guestlist::live(&client, event_id, options, requests, etx).await
            })
            .await;
        });
        self.tasks.insert(req, task.abort_handle());
        self.live.insert(req, ask);
    }

    fn client(&self) -> Option<FloktuClient> {
        self.client.read().ok().and_then(|c| c.clone())
    }

    fn cache(&self) -> Option<Cache> {
        let client = self.client()?;
        self.session.cache(client.token())
    }

    fn spawn(&mut self, req: ReqId, work: impl Future<Output = Msg> + Send + 'static) {
        let tx = self.tx.clone();
        let handle = tokio::spawn(async move {
            // The loop may be gone when the answer comes; nothing to do then.
            let _ = tx.send(work.await);
        });
        self.tasks.insert(req, handle.abort_handle());
    }

    /// State, listener, authorize URL, browser; then waits for the redirect.
    fn start_login(&mut self, attempt: u64, client_id: String) {
        if let Some(task) = self.login.take() {
            task.abort();
        }
        let (session, tx) = (self.session.clone(), self.tx.clone());
        let task = tokio::spawn(async move {
            let handoff =
                match Handoff::start_with(&session.base, &client_id, &session.redirect_uri, session.pkce)
                    .await
                {
                    Ok(h) => h,
                    Err(e) => {
                        let _ = tx.send(Msg::LoginStarted { attempt, result: Err(e) });
                        return;
                    }
                };
            let browser_opened =
                session.browser && login::open_browser(handoff.authorize_url.as_str()).is_ok();
            let start = LoginStart {
                url: handoff.authorize_url.to_string(),
                state: handoff.state.clone(),
                redirect_uri: handoff.redirect_uri.clone(),
                not_listening: handoff.listen_error.as_ref().map(ToString::to_string),
                browser_opened,
            };
            let _ = tx.send(Msg::LoginStarted { attempt, result: Ok(start) });
            if let Some(listener) = handoff.listener {
                let result = listener.wait(CALLBACK_TIMEOUT).await;
                let _ = tx.send(Msg::LoginCode { attempt, result });
            }
        });
        self.login = Some(task.abort_handle());
    }

    fn copy(&mut self, text: String, what: String) {
        let clipboard = Arc::clone(&self.clipboard);
        let attempt = move || -> Msg {
            let result = match clipboard.lock() {
                Ok(mut cb) => {
                    let via = cb.name();
                    cb.copy(&text).map(|()| Copied { what, via }).map_err(CopyFailed::Refused)
                }
                Err(_) => Err(CopyFailed::Unavailable),
            };
            Msg::Copied { result }
        };
        let on_terminal = self.clipboard.lock().map(|cb| cb.writes_to_terminal()).unwrap_or(false);
        if on_terminal {
            // Between two frames, on this thread: never inside a frame's escape sequences.
            let _ = self.tx.send(attempt());
        } else {
            let tx = self.tx.clone();
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(attempt());
            });
        }
    }
}

/// The events that have a cached guest list, newest first.
async fn cached_events(cache: Option<Cache>) -> Vec<crate::api::Event> {
    let Some(cache) = cache else { return Vec::new() };
    let events = tokio::task::spawn_blocking(move || cache.events()).await.unwrap_or_default();
    events
        .into_iter()
        .map(|e| crate::api::Event {
            id: e.event_id,
            name: e.event_name.unwrap_or_else(|| format!("Event {}", e.event_id)),
        })
        .collect()
}

/// Runs a guest-list fetch, forwarding each of its events to the loop as it happens.
async fn forward<F, Fut>(req: ReqId, tx: &UnboundedSender<Msg>, fetch: F)
where
    F: FnOnce(UnboundedSender<guestlist::LoadEvent>) -> Fut,
    Fut: Future<Output = ()>,
{
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    let relay = async {
        while let Some(event) = erx.recv().await {
            if tx.send(Msg::GuestEvent { req, event }).is_err() {
                break;
            }
        }
    };
    tokio::join!(fetch(etx), relay);
}

/// Writes `what` as CSV to a new file `floktu-NAME-STAMP.csv` in `dir` (the
/// TUI passes where floktu was started), readable only by the user (it holds
/// names and emails); returns its path.
pub fn export_in(
    dir: &std::path::Path,
    name: &str,
    what: &crate::output::Export,
) -> Result<PathBuf, ExportError> {
    let (path, file) = new_export_file(dir, name, &chrono::Local::now().format("%Y%m%d-%H%M%S").to_string())?;
    let mut out = std::io::BufWriter::new(file);
    let written = what.write_csv(&mut out).and_then(|()| std::io::Write::flush(&mut out));
    match written {
        Ok(()) => Ok(path),
        Err(source) => Err(ExportError::Write { path, source }),
    }
}

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The working directory, where exports go, cannot be known.
    #[error("the working directory cannot be read: {0}")]
    NoDirectory(std::io::Error),
    /// The file could not be created or written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Every name for this export in this second is taken.
    #[error("{}: too many exports named {name}", dir.display())]
    NoName {
        /// The directory.
        dir: PathBuf,
        /// The name's pattern.
        name: String,
    },
}

/// A new private file `floktu-NAME-STAMP.csv` in `dir`; when one of that name
/// exists (two exports in the same second), `…-STAMP-2.csv` and so on: an export
/// never overwrites another.
pub fn new_export_file(
    dir: &std::path::Path,
    name: &str,
    stamp: &str,
) -> Result<(PathBuf, std::fs::File), ExportError> {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    for n in 1..1000 {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let path = dir.join(format!("floktu-{safe}-{stamp}{suffix}.csv"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(ExportError::Write { path, source }),
        }
    }
    Err(ExportError::NoName { dir: dir.to_path_buf(), name: format!("floktu-{safe}-{stamp}") })
}

fn not_logged_in() -> crate::api::Error {
    crate::api::Error::Unauthorized("not logged in".into())
}

/// A pasted token is tried once before it is kept, so a typo is caught here.
async fn check_token(base: &ApiBase, token: &AccessToken) -> Result<(), LoginFailed> {
    let client =
        FloktuClient::new(base.clone(), token.clone()).map_err(|e| LoginFailed::Floktu(e.to_string()))?;
    match client.events().await {
        Ok(_) => Ok(()),
        Err(crate::api::Error::Unauthorized(_)) => Err(LoginFailed::TokenRefused),
        Err(e) => Err(LoginFailed::Floktu(e.to_string())),
    }
}

/// Stores the new token (and client secret, and id), then uses it from now on.
/// The account service of this session; `None` for demo runs, which store nothing.
fn accounts(session: &Session) -> Option<crate::auth::account::Accounts> {
    let keyring = session.keyring.as_ref()?;
    Some(crate::auth::account::Accounts {
        keyring: Arc::clone(keyring),
        state_dir: session.state_dir.clone(),
        config_file: session.config_file.clone(),
        cache_dir: session.cache_dir.clone(),
        base: session.base.clone(),
        insecure_storage: session.insecure_storage,
    })
}

/// Stores the new token (and client secret, and id), then uses it from now on.
async fn adopt(
    session: &Session,
    slot: &RwLock<Option<FloktuClient>>,
    token: AccessToken,
    client_id: &str,
    credentials: Option<&ClientCredentials>,
) -> Result<Stored, LoginFailed> {
    let client = FloktuClient::new(session.base.clone(), token.clone())
        .map_err(|e| LoginFailed::Floktu(e.to_string()))?;
    let stored = match accounts(session) {
        None => Stored::Demo,
        Some(accounts) => {
            let secret = credentials.map(|c| c.client_secret.as_str());
            Stored::In(accounts.adopt(&token, Some(client_id), secret).await.map_err(LoginFailed::NotStored)?)
        }
    };
    if let Ok(mut slot) = slot.write() {
        *slot = Some(client);
    }
    Ok(stored)
}

/// Logs out through the account service, as `floktu logout` does: every token
/// and secret of the host, and the account's cached guest lists.
async fn forget(
    session: &Session,
    token: Option<&AccessToken>,
    client_id: &str,
) -> Result<String, LogoutFailed> {
    let Some(accounts) = accounts(session) else {
        return Ok("Logged out (demo runs store no token).".into());
    };
    let removed = accounts.log_out(token, &[client_id]).await.map_err(LogoutFailed)?;
    Ok(crate::auth::account::describe_log_out(&session.base, &removed))
}

/// The door's side of the worker: the admissions ledger and the other events'
/// cached lists (WRONG EVENT).
impl Worker {
    /// Opens the ledger `spec` names, now, on a task of its own; the door's
    /// ledger commands then run on it one after another, in the order asked, so
    /// that an undo never overtakes the admission it undoes. The SQLite ledger
    /// works on blocking threads: the loop never waits for the disk.
    pub fn open_ledger(&mut self, spec: crate::ledger::LedgerSpec) {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Command>();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let ledger = spec.open().await;
            while let Some(job) = queue.recv().await {
                let msg = match &ledger {
                    Ok(ledger) => ledger_answer(&**ledger, job).await,
                    Err(why) => ledger_failed(job, why),
                };
                if let Some(msg) = msg
                    && tx.send(msg).is_err()
                {
                    break;
                }
                // A queue replayed by that job may have had admissions refused.
                if let Ok(ledger) = &ledger
                    && let Ok(refusals) = ledger.take_refusals().await
                    && !refusals.is_empty()
                    && tx.send(Msg::ReplayRefused { refusals }).is_err()
                {
                    break;
                }
            }
        });
        self.ledger = Some(jobs);
    }

    fn ledger_job(&mut self, job: Command) {
        let job = match &self.ledger {
            Some(jobs) => match jobs.send(job) {
                Ok(()) => return,
                Err(e) => e.0,
            },
            None => job,
        };
        let closed = crate::ledger::LedgerError::Failed {
            at: "this door".into(),
            reason: "no admissions ledger is open".into(),
        };
        if let Some(msg) = ledger_failed(job, &closed) {
            let _ = self.tx.send(msg);
        }
    }

    /// Which other cached event's list has ticket `id`, for a NOT FOUND.
    fn find_elsewhere(&mut self, event_id: u64, asked: String, id: u64) {
        let (cache, tx) = (self.cache(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let event = cache.and_then(|cache| {
                cache.events().into_iter().filter(|e| e.event_id != event_id).find_map(|e| {
                    let list = cache.load(e.event_id)?;
                    let name = list
                        .event_name()
                        .map_or_else(|| format!("event {}", e.event_id), |n| format!("{n} ({})", e.event_id));
                    (!list.lookup_id(id).is_empty()).then_some(name)
                })
            });
            let _ = tx.send(Msg::FoundElsewhere { event_id, asked, event });
        });
    }
}

/// Carries out one ledger command (the door's: `LoadAdmissions`, `Admit`,
/// `UndoLast`) and answers it with the `Msg` the loop gets; `None` for any other
/// command. Public so that the ledger benchmark runs the worker's own code.
pub async fn ledger_answer(ledger: &dyn crate::ledger::Ledger, job: Command) -> Option<Msg> {
    use super::door::AdmitAnswer;
    use crate::ledger::{Admitted, NewAdmission};
    let msg = match job {
        Command::LoadAdmissions { event_id } => {
            let result = ledger.of_event(event_id).await;
            Msg::DoorAdmissions { event_id, result, health: ledger.health().await }
        }
        Command::Admit { token, event_id, attendee_id, order_id, gate } => {
            let admission = NewAdmission::now(event_id, attendee_id, order_id, &gate);
            let answer = match ledger.admit(admission).await {
                Ok(Admitted::New(admission)) => AdmitAnswer::In { admission, queued: false },
                Ok(Admitted::Queued { admission, .. }) => AdmitAnswer::In { admission, queued: true },
                Ok(Admitted::Already(winner)) => AdmitAnswer::Already(winner),
                Err(e) => AdmitAnswer::Failed(e),
            };
            Msg::Admitted { token, event_id, attendee_id, answer, health: ledger.health().await }
        }
        Command::UndoLast { event_id, gate } => {
            let result = ledger.undo_last(event_id, &gate).await;
            Msg::Undone { event_id, result, health: ledger.health().await }
        }
        _ => return None,
    };
    Some(msg)
}

/// The answer to a ledger command when there is no ledger to ask.
fn ledger_failed(job: Command, why: &crate::ledger::LedgerError) -> Option<Msg> {
    let health = crate::ledger::Health { unreachable: Some(why.to_string()), queued: 0 };
    let why = why.clone();
    Some(match job {
        Command::LoadAdmissions { event_id } => Msg::DoorAdmissions { event_id, result: Err(why), health },
        Command::Admit { token, event_id, attendee_id, .. } => Msg::Admitted {
            token,
            event_id,
            attendee_id,
            answer: super::door::AdmitAnswer::Failed(why),
            health,
        },
        Command::UndoLast { event_id, .. } => Msg::Undone { event_id, result: Err(why), health },
        _ => return None,
    })
}
