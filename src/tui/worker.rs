//! Runs commands on tokio tasks and sends the results back as messages, tagged
//! with the request id they answer. Workers never touch the model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::FloktuClient;

use super::app::ReqId;
use super::clipboard::Clipboard;
use super::msg::{Command, Msg};

/// Carries out commands for the loop.
pub struct Worker {
    client: FloktuClient,
    tx: UnboundedSender<Msg>,
    tasks: HashMap<ReqId, AbortHandle>,
    clipboard: Arc<Mutex<Box<dyn Clipboard>>>,
}

impl Worker {
    /// A worker sending its results to `tx`.
    pub fn new(client: FloktuClient, tx: UnboundedSender<Msg>, clipboard: Box<dyn Clipboard>) -> Worker {
        Worker {
            client,
            tx,
            tasks: HashMap::new(),
            clipboard: Arc::new(Mutex::new(clipboard)),
        }
    }

    /// Starts `command`; returns at once (except an OSC 52 copy, a short terminal write).
    pub fn run(&mut self, command: Command) {
        self.tasks.retain(|_, task| !task.is_finished());
        match command {
            Command::FetchEvents { req } => {
                let client = self.client.clone();
                self.spawn(req, async move {
                    Msg::EventsLoaded {
                        req,
                        result: client.events().await,
                    }
                });
            }
            Command::FetchOrders { req, event_id } => {
                let client = self.client.clone();
                self.spawn(req, async move {
                    Msg::OrdersLoaded {
                        req,
                        event_id,
                        result: client.orders(event_id).await,
                    }
                });
            }
            Command::FetchOrder {
                req,
                event_id,
                order_id,
            } => {
                let client = self.client.clone();
                self.spawn(req, async move {
                    Msg::OrderLoaded {
                        req,
                        event_id,
                        order_id,
                        result: client.order(event_id, order_id).await,
                    }
                });
            }
            Command::Cancel(req) => {
                if let Some(task) = self.tasks.remove(&req) {
                    task.abort();
                }
            }
            Command::DetailAfter { seq, after } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::DetailDue { seq });
                });
            }
            Command::Copy { text, what } => self.copy(text, what),
        }
    }

    fn spawn(&mut self, req: ReqId, work: impl Future<Output = Msg> + Send + 'static) {
        let tx = self.tx.clone();
        let handle = tokio::spawn(async move {
            // The loop may be gone when the answer comes; nothing to do then.
            let _ = tx.send(work.await);
        });
        self.tasks.insert(req, handle.abort_handle());
    }

    fn copy(&mut self, text: String, what: String) {
        let clipboard = Arc::clone(&self.clipboard);
        let attempt = move || -> Msg {
            let result = match clipboard.lock() {
                Ok(mut cb) => cb.copy(&text).map(|()| format!("Copied {what} ({})", cb.name())),
                Err(_) => Err("the clipboard is unavailable".to_string()),
            };
            Msg::Copied {
                result: result.map_err(|e| format!("Could not copy: {e}")),
            }
        };
        let on_terminal = self
            .clipboard
            .lock()
            .map(|cb| cb.writes_to_terminal())
            .unwrap_or(false);
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
