//! The terminal UI: terminal setup and restore, and the loop.
//!
//! The loop never awaits I/O: it `select!`s over results from the worker,
//! terminal input and (only while something loads) a spinner tick; it applies
//! every pending message, then draws once.

pub mod app;
pub mod clipboard;
pub mod door;
pub mod guests;
mod input;
pub mod keyconfig;
pub mod keymap;
pub mod list;
pub mod msg;
pub mod position;
mod sorting;
pub mod stats;
pub mod theme;
pub mod update;
pub mod view;
pub mod worker;

use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

use crate::api::{AccessToken, ApiBase, ClientOptions, FloktuClient};
use crate::auth::store::SecretStore;
use app::{App, LoginForm, Screen};
use msg::Msg;
use worker::{Session, Worker};

/// What the TUI starts with.
pub struct Startup {
    /// The API base.
    pub base: ApiBase,
    /// The token, if one was found; without one the login screen opens.
    pub token: Option<AccessToken>,
    /// A demo run (title marker; nothing stored).
    pub demo: bool,
    /// Prefills the login screen.
    pub client_id: Option<String>,
    /// Prefills the login screen.
    pub client_secret: Option<String>,
    /// Where the browser is sent back to.
    pub redirect_uri: String,
    /// Where new tokens are stored; `None` for demo runs.
    pub keyring: Option<std::sync::Arc<dyn SecretStore>>,
    /// The state directory (credentials file).
    pub state_dir: std::path::PathBuf,
    /// The config file (the client id is remembered there).
    pub config_file: std::path::PathBuf,
    /// Token in a file rather than the keyring.
    pub insecure_storage: bool,
    /// Where guest lists are cached; `None` with `--no-cache`.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Order details fetched at once.
    pub concurrency: usize,
    /// How an open guest list keeps fresh.
    pub refresh: crate::config::Refresh,
    /// Send PKCE S256 with a login (`[oauth] pkce`).
    pub pkce: bool,
    /// Opening an event loads its guest list at once (`eager_details`).
    pub eager_details: bool,
    /// Where the last position is kept for this account (`None`: not kept).
    pub position_file: Option<std::path::PathBuf>,
    /// `--fresh`: start on the events list, whatever was left last time.
    pub fresh: bool,
    /// The door: its ledger, gate and settings, and the event to open it for.
    pub door: door::DoorStart,
    /// `[keys]`: remappings of the binding table.
    pub keys: Vec<crate::config::KeyEntry>,
    /// `theme` (already `none` under `NO_COLOR`).
    pub theme: crate::config::ThemeName,
    /// `[colors]`: the theme's colours overridden.
    pub colors: Vec<crate::config::ColorEntry>,
    /// `mouse = true`: capture the mouse (wheel, clicks).
    pub mouse: bool,
}

/// The keys and colours config.toml asked for, and what of it could not be applied.
struct Look {
    keys: keymap::Keymap,
    theme: theme::Theme,
    problems: Vec<crate::config::ConfigProblem>,
}

impl Look {
    fn of(startup: &Startup) -> Look {
        let (keys, mut problems) = keymap::Keymap::configured(&startup.keys);
        let (theme, colors) = theme::Theme::configured(startup.theme, &startup.colors);
        problems.extend(colors);
        Look { keys, theme, problems }
    }

    /// The status bar's notice: the first problem, and how many more.
    fn notice(&self) -> Option<app::Notice> {
        let first = self.problems.first()?;
        let more = match self.problems.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more, on stderr after quitting)"),
        };
        let applied = if first.text.starts_with("[keys]") { "; [keys] not applied" } else { "" };
        Some(app::Notice { text: format!("{first}{applied}{more}"), is_error: true })
    }
}

/// How often the spinner turns while something loads.
const SPIN: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits. The terminal is restored on every way out:
/// quit, Ctrl-C, SIGTERM, an error, or a panic (whose message is shown after).
pub async fn run(startup: Startup) -> Result<()> {
    // What config.toml asked for and floktu could not do is said before the
    // screen opens (it stays on the terminal after quitting) and in the status bar.
    let look = Look::of(&startup);
    for problem in &look.problems {
        eprintln!("floktu: {}", crate::text::sanitize(&problem.to_string()));
        tracing::warn!("{problem}");
    }
    let mouse = startup.mouse;
    let mut terminal = ratatui::try_init().context("setting up the terminal (is this a terminal?)")?;
    // Pasting a redirect URL must arrive as one paste, not as keys.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        release_terminal(mouse);
        previous(info);
    }));
    let result = run_loop(&mut terminal, startup, look).await;
    release_terminal(mouse);
    ratatui::restore();
    result
}

/// Saves where the user is, for the next start (after the loop: the one
/// write at the end of a session). Nothing open: the next start is a fresh one.
fn remember(app: &App, file: Option<&std::path::Path>) {
    let Some(file) = file else { return };
    let saved = match position::Position::of(app) {
        Some(p) => p.save(file),
        None => std::fs::remove_file(file)
            .or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) }),
    };
    if let Err(e) = saved {
        tracing::warn!("could not save the position to {}: {e}", file.display());
    }
}

/// Gives back what floktu turned on beyond ratatui's raw mode and alternate
/// screen: bracketed paste, and mouse capture (else the shell gets mouse codes).
fn release_terminal(mouse: bool) {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
}

async fn run_loop(terminal: &mut DefaultTerminal, startup: Startup, look: Look) -> Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let position_file = startup.position_file.clone();
    let (mut app, mut worker) = start(terminal, startup, look, tx)?;
    let mut input = terminal_events();
    let mut ticker = tokio::time::interval(SPIN);
    // "as of 12 min ago" must move on even when nothing else does.
    let mut clock = tokio::time::interval(Duration::from_secs(15));
    let mut terminate = terminate_signal()?;
    let mut shown = terminal.draw(|f| view::render(&app, f))?.buffer.clone();
    let mut last_layout = (app.screen, app.focus, app.orders_view, app.help);
    loop {
        let busy = app.is_busy();
        let first = tokio::select! {
            Some(msg) = rx.recv() => Some(msg),
            event = input.recv() => match event {
                Some(Ok(event)) => from_terminal(&app, event),
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => return Ok(()),
            },
            _ = ticker.tick(), if busy => Some(Msg::Tick),
            _ = clock.tick(), if app.guests.is_some() => None,
            _ = terminate.recv() => {
                remember(&app, position_file.as_deref());
                return Ok(());
            }
        };
        app.now = chrono::Utc::now();
        apply_batch(&mut app, &mut worker, first, &mut rx, &mut input)?;
        if app.quit {
            remember(&app, position_file.as_deref());
            return Ok(());
        }
        update::settle(&mut app);
        // A screen change redraws every cell, as Ctrl-L does: a terminal that
        // placed a multi-code-point wide cluster other than ratatui counted it
        // keeps fragments that ratatui's diff does not know to overwrite.
        let layout = (app.screen, app.focus, app.orders_view, app.help);
        if std::mem::take(&mut app.redraw) || layout != last_layout {
            redraw_all(terminal)?;
        }
        last_layout = layout;
        let frame = terminal.draw(|f| view::render(&app, f))?.buffer.clone();
        mend_rows(terminal, &shown, &frame)?;
        shown = frame;
        if std::mem::take(&mut app.bell) {
            ring(&app);
        }
    }
}

/// The model and the worker as the TUI starts: logged in or on the login
/// screen, the door opened straight away for `floktu door EVENT`, and the
/// first commands (the events list, the ledger) under way.
fn start(
    terminal: &mut DefaultTerminal,
    startup: Startup,
    look: Look,
    tx: mpsc::UnboundedSender<Msg>,
) -> Result<(App, Worker)> {
    let env = |k: &str| std::env::var(k).ok();
    let mut app = App::new(startup.base.host_label(), startup.demo);
    app.notice = look.notice();
    app.color = look.theme.has_color() && env("NO_COLOR").is_none_or(|v| v.is_empty());
    app.theme = look.theme;
    app.keys = look.keys;
    app.mouse = startup.mouse;
    app.login = LoginForm::new(startup.client_id.clone(), startup.client_secret.clone());
    let client = match &startup.token {
        Some(token) => {
            Some(FloktuClient::with_options(startup.base.clone(), token.clone(), ClientOptions::default())?)
        }
        None => None,
    };
    if client.is_none() {
        app.screen = Screen::Login;
    }
    let session = Session {
        base: startup.base.clone(),
        keyring: startup.keyring.clone(),
        state_dir: startup.state_dir.clone(),
        config_file: startup.config_file.clone(),
        insecure_storage: startup.insecure_storage,
        redirect_uri: startup.redirect_uri.clone(),
        browser: crate::auth::login::browser_available(&env),
        cache_dir: startup.cache_dir.clone(),
        demo: startup.demo,
        concurrency: startup.concurrency,
        refresh: startup.refresh,
        pkce: startup.pkce,
    };
    let mut worker = Worker::new(client, session, tx, clipboard::detect(&env));
    app.station = startup.door.station();
    app.eager_details = startup.eager_details;
    if !startup.fresh && startup.door.event.is_none() {
        app.resume = startup.position_file.as_deref().and_then(position::Position::load);
    }
    if let Some(spec) = startup.door.ledger.clone() {
        worker.open_ledger(spec);
    }
    let size = terminal.size()?;
    update::update(&mut app, Msg::Resize { width: size.width, height: size.height });
    app.now = chrono::Utc::now();
    for command in update::init(&mut app) {
        worker.run(command);
    }
    if let Some(event) = startup.door.event.clone() {
        for command in update::open_door_at(&mut app, event) {
            worker.run(command);
        }
    }
    Ok((app, worker))
}

/// Applies `first` and everything already waiting (results and keys) before
/// the next frame. Keys are mapped one at a time, against the model as the
/// previous key left it.
fn apply_batch(
    app: &mut App,
    worker: &mut Worker,
    first: Option<Msg>,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    input: &mut mpsc::UnboundedReceiver<std::io::Result<TermEvent>>,
) -> Result<()> {
    let mut pending: Vec<Msg> = first.into_iter().collect();
    loop {
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
        for msg in pending.drain(..) {
            for command in update::update(app, msg) {
                worker.run(command);
            }
        }
        match input.try_recv() {
            Ok(Ok(event)) => pending.extend(from_terminal(app, event)),
            Ok(Err(e)) => return Err(e).context("reading the terminal"),
            Err(_) => {}
        }
        if pending.is_empty() && rx.is_empty() {
            return Ok(());
        }
    }
}

/// The door's bell pattern, between frames, never inside one's escape sequences.
fn ring(app: &App) {
    use std::io::Write;
    let mut out = std::io::stdout();
    let bells = "\x07".repeat(door::bells(app));
    let _ = out.write_all(bells.as_bytes()).and_then(|()| out.flush());
}

/// Writes again, whole, each row that held a multi-code-point cluster in the
/// last frame (`before`) and shows something else now (`after`), after erasing
/// the line. A terminal may place such a cluster ("र्जु") over more cells than
/// ratatui counts; when the row changes, ratatui rewrites only the cells it
/// thinks changed, and the spilled fragments stay (a filter that hides those
/// names leaves "जु" in blank rows). Rows without such clusters cost nothing.
fn mend_rows(terminal: &mut DefaultTerminal, before: &Buffer, after: &Buffer) -> Result<()> {
    use crossterm::cursor::MoveTo;
    use crossterm::terminal::{Clear, ClearType};
    use ratatui::backend::Backend;
    let area = after.area;
    if before.area != area {
        return Ok(());
    }
    let risky =
        |y: u16| (area.left()..area.right()).any(|x| before[(x, y)].symbol().chars().nth(1).is_some());
    let differs = |y: u16| (area.left()..area.right()).any(|x| before[(x, y)] != after[(x, y)]);
    let changed: Vec<u16> = (area.top()..area.bottom()).filter(|&y| risky(y) && differs(y)).collect();
    if changed.is_empty() {
        return Ok(());
    }
    // The rows as ratatui's own diff writes them (wide symbols, skipped
    // cells), against a row that matches nothing.
    let mut unknown = after.clone();
    for &y in &changed {
        for x in area.left()..area.right() {
            unknown[(x, y)].set_symbol("\u{E000}");
        }
    }
    let backend = terminal.backend_mut();
    for &y in &changed {
        crossterm::queue!(backend, MoveTo(area.left(), y), Clear(ClearType::CurrentLine))?;
    }
    backend.draw(unknown.diff(after).into_iter())?;
    Backend::flush(backend)?;
    Ok(())
}

/// Makes the next frame write every cell: the screen is cleared and ratatui's
/// record of what it shows is reset. Not `Terminal::clear`, which asks the
/// terminal where its cursor is and so races the input task for the answer.
fn redraw_all(terminal: &mut DefaultTerminal) -> Result<()> {
    use ratatui::backend::Backend;
    terminal.backend_mut().clear()?;
    // At rest the current buffer is blank and the other holds the last frame:
    // one swap blanks that one too, so the next diff is against nothing.
    terminal.swap_buffers();
    Ok(())
}

/// Terminal input, read by a task of its own and forwarded: crossterm's stream
/// must only ever be polled by one task with a real waker.
fn terminal_events() -> mpsc::UnboundedReceiver<std::io::Result<TermEvent>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(event) = stream.next().await {
            // The rest of the same read is parsed already: ready at once.
            let mut batch = vec![event];
            while batch.len() < 1024
                && let std::task::Poll::Ready(Some(event)) = futures::poll!(stream.next())
            {
                batch.push(event);
            }
            for event in input::mend(batch) {
                if tx.send(event).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

fn from_terminal(app: &App, event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) => keymap::action_for(app, key).map(Msg::Action),
        TermEvent::Resize(width, height) => Some(Msg::Resize { width, height }),
        TermEvent::Paste(text) => Some(Msg::Action(msg::Action::Paste(text))),
        TermEvent::Mouse(mouse) if app.mouse => Some(Msg::Mouse(mouse)),
        _ => None,
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT from outside end the loop like `q` does
/// (exit 0), so the terminal is restored: raw mode off, the alternate screen left,
/// bracketed paste off. (In raw mode Ctrl-C is a key, not a SIGINT: this is for
/// `kill -INT`, a closed SSH session, a service manager; mouse capture off too.)
#[cfg(unix)]
fn terminate_signal() -> Result<mpsc::UnboundedReceiver<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = mpsc::unbounded_channel();
    let kinds = [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup(), SignalKind::quit()];
    for kind in kinds {
        let mut sig = signal(kind).context("listening for signals")?;
        let tx = tx.clone();
        tokio::spawn(async move {
            if sig.recv().await.is_some() {
                let _ = tx.send(());
            }
        });
    }
    Ok(rx)
}

#[cfg(not(unix))]
fn terminate_signal() -> Result<mpsc::UnboundedReceiver<()>> {
    let (_tx, rx) = mpsc::unbounded_channel();
    std::mem::forget(_tx);
    Ok(rx)
}
