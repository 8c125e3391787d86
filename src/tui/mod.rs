//! The terminal UI: terminal setup and restore, and the loop.
//!
//! The loop never awaits I/O: it `select!`s over results from the worker,
//! terminal input and (only while something loads) a spinner tick; it applies
//! every pending message, then draws once.

pub mod app;
pub mod clipboard;
pub mod filter;
pub mod keymap;
pub mod msg;
pub mod update;
pub mod view;
pub mod worker;

use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::api::FloktuClient;
use app::App;
use msg::Msg;
use worker::Worker;

/// How often the spinner turns while something loads.
const SPIN: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits. The terminal is restored on every way out:
/// quit, Ctrl-C, SIGTERM, an error, or a panic (whose message is shown after).
pub async fn run(client: FloktuClient, demo: bool) -> Result<()> {
    let mut terminal = ratatui::try_init().context("setting up the terminal (is this a terminal?)")?;
    let result = run_loop(&mut terminal, client, demo).await;
    ratatui::restore();
    result
}

async fn run_loop(terminal: &mut DefaultTerminal, client: FloktuClient, demo: bool) -> Result<()> {
    let env = |k: &str| std::env::var(k).ok();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut app = App::new(client.base().host_label(), demo);
    app.color = env("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut worker = Worker::new(client, tx, clipboard::detect(&env));
    let size = terminal.size()?;
    update::update(
        &mut app,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    for command in update::init(&mut app) {
        worker.run(command);
    }
    let mut input = terminal_events();
    let mut ticker = tokio::time::interval(SPIN);
    let mut terminate = terminate_signal()?;
    terminal.draw(|f| view::render(&app, f))?;
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
            _ = terminate.recv() => return Ok(()),
        };
        let mut pending: Vec<Msg> = first.into_iter().collect();
        // Everything already waiting is applied before the next frame. Keys are
        // mapped one at a time, against the model as the previous key left it.
        loop {
            while let Ok(msg) = rx.try_recv() {
                pending.push(msg);
            }
            for msg in pending.drain(..) {
                for command in update::update(&mut app, msg) {
                    worker.run(command);
                }
            }
            match input.try_recv() {
                Ok(Ok(event)) => pending.extend(from_terminal(&app, event)),
                Ok(Err(e)) => return Err(e).context("reading the terminal"),
                Err(_) => {}
            }
            if pending.is_empty() && rx.is_empty() {
                break;
            }
        }
        if app.quit {
            return Ok(());
        }
        terminal.draw(|f| view::render(&app, f))?;
    }
}

/// Terminal input, read by a task of its own and forwarded: crossterm's stream
/// must only ever be polled by one task with a real waker.
fn terminal_events() -> mpsc::UnboundedReceiver<std::io::Result<TermEvent>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(event) = stream.next().await {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    rx
}

fn from_terminal(app: &App, event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) => keymap::action_for(app, key).map(Msg::Action),
        TermEvent::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

/// SIGTERM and SIGHUP end the loop like `q` does, so the terminal is restored.
#[cfg(unix)]
fn terminate_signal() -> Result<mpsc::UnboundedReceiver<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = mpsc::unbounded_channel();
    for kind in [SignalKind::terminate(), SignalKind::hangup()] {
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
