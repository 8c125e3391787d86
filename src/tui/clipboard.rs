//! Putting text on the clipboard: a tmux buffer inside tmux, OSC 52 over SSH or
//! without a display, the system clipboard otherwise. Tests use the recording fake.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use base64::Engine;

/// Somewhere to copy text to.
pub trait Clipboard: Send {
    /// Copies `text` (already sanitized).
    fn copy(&mut self, text: &str) -> Result<(), String>;
    /// How it copies, for the status bar: "OSC 52", "tmux", "system clipboard".
    fn name(&self) -> &'static str;
    /// True when copying writes to our own terminal, so it must happen on the UI
    /// thread between two frames rather than in the middle of one.
    fn writes_to_terminal(&self) -> bool {
        false
    }
}

/// Picks the clipboard that works here, from the environment.
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> Box<dyn Clipboard> {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("TMUX") {
        return Box::new(Tmux);
    }
    let over_ssh = set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT");
    let has_display = set("DISPLAY") || set("WAYLAND_DISPLAY") || cfg!(any(target_os = "macos", windows));
    if over_ssh || !has_display {
        return Box::new(Osc52::stdout());
    }
    match arboard::Clipboard::new() {
        Ok(cb) => Box::new(System(cb)),
        Err(_) => Box::new(Osc52::stdout()),
    }
}

/// OSC 52: the terminal itself sets the clipboard, wherever it runs (SSH included).
pub struct Osc52<W: Write + Send> {
    out: W,
}

impl Osc52<std::io::Stdout> {
    /// Writes to this process's terminal.
    pub fn stdout() -> Self {
        Osc52 { out: std::io::stdout() }
    }
}

impl<W: Write + Send> Osc52<W> {
    /// Writes to `out` (tests pass a buffer).
    pub fn new(out: W) -> Self {
        Osc52 { out }
    }
}

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{encoded}\u{7}")
}

impl<W: Write + Send> Clipboard for Osc52<W> {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        self.out
            .write_all(osc52_sequence(text).as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("could not write to the terminal ({e})"))
    }
    fn name(&self) -> &'static str {
        "OSC 52"
    }
    fn writes_to_terminal(&self) -> bool {
        true
    }
}

/// `tmux load-buffer -w -`: tmux keeps it, and passes it on to the outer terminal.
pub struct Tmux;

impl Clipboard for Tmux {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        let mut child = crate::child::scrub_secrets(&mut Command::new("tmux"))
            .args(["load-buffer", "-w", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not run tmux ({e})"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes()).map_err(|e| format!("could not talk to tmux ({e})"))?;
        }
        let status = child.wait().map_err(|e| format!("tmux failed ({e})"))?;
        if status.success() { Ok(()) } else { Err(format!("tmux load-buffer failed ({status})")) }
    }
    fn name(&self) -> &'static str {
        "tmux buffer"
    }
}

/// The desktop clipboard. Kept for the whole session: on X11 the text stays
/// pasteable only while its owner lives.
pub struct System(arboard::Clipboard);

impl Clipboard for System {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        self.0.set_text(text.to_string()).map_err(|e| format!("the system clipboard refused ({e})"))
    }
    fn name(&self) -> &'static str {
        "system clipboard"
    }
}

/// A clipboard that only remembers: for tests to assert what would be pasted.
#[derive(Clone, Default)]
pub struct Recording {
    /// Everything copied, in order.
    pub copied: Arc<Mutex<Vec<String>>>,
}

impl Clipboard for Recording {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        self.copied.lock().map_err(|_| "poisoned".to_string())?.push(text.to_string());
        Ok(())
    }
    fn name(&self) -> &'static str {
        "test clipboard"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_writes_base64_between_the_right_delimiters() {
        let mut buf = Vec::new();
        Osc52::new(&mut buf).copy("a@b.co\nc@d.co").unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "\u{1b}]52;c;YUBiLmNvCmNAZC5jbw==\u{7}");
    }

    #[test]
    fn ssh_and_headless_sessions_use_osc52() {
        let ssh = detect(&|k| (k == "SSH_CONNECTION").then(|| "1.2.3.4 5 6.7.8.9 22".to_string()));
        assert_eq!(ssh.name(), "OSC 52");
        let headless = detect(&|_| None);
        if !cfg!(any(target_os = "macos", windows)) {
            assert_eq!(headless.name(), "OSC 52");
        }
    }

    #[test]
    fn tmux_wins_over_ssh() {
        let env = |k: &str| matches!(k, "TMUX" | "SSH_TTY").then(|| "x".to_string());
        assert_eq!(detect(&env).name(), "tmux buffer");
    }
}
