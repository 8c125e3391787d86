//! The real binary in a pseudo-terminal: keys in, screen (vt100) and raw bytes
//! out, and waits on what the screen shows, never on time.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Everything the program wrote: the screen it drew, and the raw bytes.
pub struct Output {
    pub parser: vt100::Parser,
    pub raw: Vec<u8>,
    pub closed: bool,
}

/// A program running in a pseudo-terminal.
pub struct Session {
    output: Arc<(Mutex<Output>, Condvar)>,
    keys: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _home: tempfile::TempDir,
}

const WAIT: Duration = Duration::from_secs(20);

impl Session {
    /// Starts `floktu ARGS` in a `cols`×`rows` terminal with no DISPLAY and no
    /// TMUX (so copying takes the OSC 52 path) and a private HOME.
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        Session::start_with(args, &[], cols, rows)
    }

    /// [`Session::start`] with extra environment variables.
    pub fn start_with(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        Session::launch(args, env, cols, rows, None)
    }

    /// [`Session::start_with`] in the working directory `cwd` (exports land there).
    pub fn start_in(
        cwd: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Session {
        Session::launch(args, env, cols, rows, Some(cwd))
    }

    fn launch(
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
        cwd: Option<&std::path::Path>,
    ) -> Session {
        let home = tempfile::TempDir::new().unwrap();
        let pty =
            native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_floktu"));
        cmd.args(args);
        if let Some(dir) = cwd {
            cmd.cwd(dir);
        }
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_CACHE_HOME", home.path().join("cache"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("FLOKTU_KEYRING", "none");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let keys = pty.master.take_writer().unwrap();
        let output = Arc::new((
            Mutex::new(Output {
                parser: vt100::Parser::new(
                    std::num::NonZeroU16::new(rows).unwrap(),
                    std::num::NonZeroU16::new(cols).unwrap(),
                    0,
                ),
                raw: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let shared = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cvar) = &*shared;
                let Ok(mut out) = lock.lock() else { return };
                if n == 0 {
                    out.closed = true;
                    cvar.notify_all();
                    return;
                }
                out.parser.process(&buf[..n]);
                out.raw.extend_from_slice(&buf[..n]);
                cvar.notify_all();
            }
        });
        // The master must outlive the session: keep it with the child's lifetime.
        std::mem::forget(pty.master);
        Session { output, keys, child, _home: home }
    }

    /// Waits until `done` holds for the output, or panics with the screen.
    pub fn wait(&self, what: &str, done: impl Fn(&Output) -> bool) -> String {
        let (lock, cvar) = &*self.output;
        let deadline = Instant::now() + WAIT;
        let mut out = lock.lock().unwrap();
        loop {
            if done(&out) {
                return out.parser.screen().contents();
            }
            let now = Instant::now();
            if now >= deadline || out.closed {
                panic!("waited for {what}; the screen shows:\n{}", out.parser.screen().contents());
            }
            out = cvar.wait_timeout(out, deadline - now).unwrap().0;
        }
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_all(&[text])
    }

    /// Waits until the screen shows every one of `texts` at once (a frame
    /// arrives in pieces, so one text on screen says nothing of the others).
    pub fn wait_for_all(&self, texts: &[&str]) -> String {
        self.wait(&format!("{texts:?} on screen"), |o| {
            let screen = o.parser.screen().contents();
            texts.iter().all(|t| screen.contains(t))
        })
    }

    /// Presses `keys` until the screen shows `text` (for keys a screen drops
    /// for a moment on purpose, such as the half second after leaving the
    /// door); waits for the screen between presses, never sleeps.
    pub fn press_until(&mut self, keys: &str, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            self.press(keys);
            let (lock, cvar) = &*self.output;
            let round = Instant::now() + Duration::from_millis(250);
            let mut out = lock.lock().unwrap();
            loop {
                let screen = out.parser.screen().contents();
                if screen.contains(text) {
                    return screen;
                }
                let now = Instant::now();
                if now >= deadline || out.closed {
                    panic!("pressed {keys:?} until {text:?} showed; the screen shows:\n{screen}");
                }
                if now >= round {
                    break;
                }
                out = cvar.wait_timeout(out, round - now).unwrap().0;
            }
        }
    }

    pub fn press(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    pub fn raw(&self) -> Vec<u8> {
        self.output.0.lock().unwrap().raw.clone()
    }

    /// The program's process id, to send it signals.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the program runs")
    }

    /// Waits for the program to exit and returns whether it succeeded.
    pub fn exit_ok(&mut self) -> bool {
        self.wait("the program to exit", |o| o.closed);
        self.child.wait().unwrap().success()
    }
}
