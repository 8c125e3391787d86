//! `floktu`: parse the command line, set up logging, dispatch.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use floktu_tui::api::{AccessToken, ApiBase, FloktuClient};
use floktu_tui::auth::store::{self, TokenSource, TokenStore};
use floktu_tui::cli::account::{self as cli_account, LoginFlags};
use floktu_tui::cli::{self, Exit, Format};
use floktu_tui::config::{FileConfig, Overrides, Paths, Settings};
use floktu_tui::demo::{CONTROL_ENDPOINTS, DemoOptions, DemoServer, Shape};
use floktu_tui::text::sanitize;

/// A fast, keyboard-driven terminal explorer for the Floktu ticketing API.
#[derive(Parser, Debug)]
#[command(name = "floktu", version, about, propagate_version = true)]
struct Cli {
    /// API base URL [env: FLOKTU_API_BASE] [default: https://floktu.com/api/v2]
    #[arg(long, global = true, value_name = "URL")]
    api_base: Option<String>,
    /// Run against the built-in demo server, already logged in
    #[arg(long, global = true)]
    demo: bool,
    /// Order details fetched at once [default: 8]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: Option<u16>,
    /// Don't read or write the on-disk cache
    #[arg(long, global = true)]
    no_cache: bool,
    /// The admissions ledger: postgres://USER@HOST/DB for gates on several
    /// machines, or sqlite:PATH [env: FLOKTU_LEDGER] [default: the SQLite file in
    /// $XDG_DATA_HOME/floktu]
    #[arg(long, global = true, value_name = "URL")]
    ledger: Option<String>,
    /// Start on the events list instead of where the last session was left
    #[arg(long, global = true)]
    fresh: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List events
    Events(FormatArgs),
    /// List an event's orders (EVENT is an id or a name)
    Orders {
        /// Event id or name
        event: String,
        /// Only orders matching Q, as the orders pane's filter matches (fuzzy; 'exact ^prefix !not; is:due, ticket:…)
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Show one order's details and attendees
    Order {
        /// Event id or name
        event: String,
        /// Order id
        order: u64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Every attendee of an event (fetches every order's details)
    Attendees {
        /// Event id or name
        event: String,
        #[command(flatten)]
        guests: GuestArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Distinct emails of an event's attendees, one per line
    Emails {
        /// Event id or name
        event: String,
        #[command(flatten)]
        guests: GuestArgs,
        /// Guests of cancelled orders too
        #[arg(long)]
        all: bool,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// An event's numbers: per ticket sold, in, cancelled and money; arrivals
    /// per 15 minutes, per gate (the TUI's `s`)
    Stats {
        /// Event id or name
        event: String,
        /// Use only the cached copy of the guest list; no network
        #[arg(long)]
        offline: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The TUI straight into door mode for EVENT
    Door {
        /// Event id or name
        event: String,
        /// This gate's name [default: the host name]
        #[arg(long, value_name = "NAME")]
        gate: Option<String>,
        /// A kiosk: the door cannot be left (Ctrl-C asks first), emails and amounts hidden
        #[arg(long)]
        kiosk: bool,
    },
    /// The door without a screen: judge a ticket (or every guest of an order),
    /// admit if valid; exit 0 when admitted, 4 when refused
    Admit {
        /// Event id or name
        event: String,
        /// Attendee or order id
        ticket: String,
        /// This gate's name [default: the host name]
        #[arg(long, value_name = "NAME")]
        gate: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Who was admitted, where and when (undone ones marked)
    Admissions {
        /// Event id or name
        event: String,
        /// Only this gate's admissions
        #[arg(long, value_name = "NAME")]
        gate: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Log in: the OAuth handoff in a browser (over SSH: a forwarded port, a
    /// pasted redirect, or a token moved with --with-token)
    Login(LoginArgs),
    /// Print the stored token into a pipe or file (never onto a terminal):
    /// `floktu token | ssh HOST floktu login --with-token`
    Token,
    /// Forget the stored token and client secret (and this account's cache)
    Logout,
    /// Where floktu talks to and where it keeps things (never prints the token)
    Status,
    /// Run the embedded Floktu-compatible demo server on 127.0.0.1
    DemoServer(DemoArgs),
    /// Check config.toml ([keys] conflicts, colours), each problem with its line
    Config {
        /// Print a commented config.toml with every key at its default
        #[arg(long)]
        print_defaults: bool,
    },
}

#[derive(Args, Debug, Default)]
struct LoginArgs {
    /// Don't open a browser; print the address only
    #[arg(long)]
    no_browser: bool,
    /// Keep the token in a 0600 file instead of the OS keyring
    #[arg(long)]
    insecure_storage: bool,
    /// OAuth client id [env: FLOKTU_CLIENT_ID]. The client secret has no flag (it
    /// would show in `ps`): FLOKTU_CLIENT_SECRET, `client_secret` in config.toml,
    /// or a prompt that does not echo
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Where the browser is sent back to [default: http://127.0.0.1:8765/callback]
    #[arg(long, value_name = "URI")]
    redirect_uri: Option<String>,
    /// Read a token from stdin (one line), check it with Floktu and store it,
    /// instead of the browser handoff: `floktu token | ssh HOST floktu login --with-token`
    #[arg(long, conflicts_with_all = ["no_browser", "redirect_uri"])]
    with_token: bool,
}

#[derive(Args, Debug)]
struct GuestArgs {
    /// Only attendees matching Q in name, email, company, order or attendee id, as the TUI filter matches (fuzzy; 'exact ^prefix !not)
    #[arg(long, value_name = "Q")]
    search: Option<String>,
    /// Use only the cached copy; no network
    #[arg(long)]
    offline: bool,
}

#[derive(Args, Debug)]
struct FormatArgs {
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
}

impl FormatArgs {
    fn format(&self) -> Format {
        match (self.json, self.csv) {
            (true, _) => Format::Json,
            (_, true) => Format::Csv,
            _ => Format::Table,
        }
    }
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// Port to listen on (0 = any free port)
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Added to every API request
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of API requests that fail (5xx, 429, dropped connections)
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Rate limit: API requests a second on average (a token bucket); past it, 429 with Retry-After
    #[arg(long, value_name = "R", value_parser = positive_rate)]
    rate: Option<f64>,
    /// With --rate, how many requests may come at once
    #[arg(long, value_name = "B", default_value_t = DemoOptions::default().burst, requires = "rate",
          value_parser = clap::value_parser!(u32).range(1..))]
    burst: u32,
    /// Number of events
    #[arg(long, default_value_t = DemoOptions::default().events)]
    events: usize,
    /// Orders of the large event
    #[arg(long, default_value_t = DemoOptions::default().orders)]
    orders: usize,
    /// JSON layout: as documented, or everything real servers get wrong
    #[arg(long, default_value = "documented", value_parser = ["documented", "tolerant"])]
    shape: String,
    /// Put terminal escapes, control and bidi characters, spreadsheet formulas
    /// and other hostile text into every text field
    #[arg(long)]
    hostile: bool,
    /// Adds a random 0..=J ms to every API request, on top of --latency-ms
    #[arg(long, value_name = "J", default_value_t = 0)]
    jitter_ms: u64,
}

/// `--rate`: a positive number of requests a second.
fn positive_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("{s:?} is not a positive number of requests a second")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |k: &str| std::env::var(k).ok();
    let paths = Paths::from_env(&env);
    let _log_guard = init_logging(&paths);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::anyhow!(e).context("starting the async runtime")),
    };
    let result = runtime.block_on(run(cli, paths));
    // A keyring call stuck on a blocking thread must not keep floktu from exiting.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // `floktu orders 12 | head`: the reader left; that is not an error worth a message.
    if floktu_tui::output::closed_pipe(e) {
        return ExitCode::SUCCESS;
    }
    let unauthorized = e.chain().any(|c| {
        matches!(c.downcast_ref::<floktu_tui::api::Error>(), Some(floktu_tui::api::Error::Unauthorized(_)))
    });
    eprintln!("floktu: {}", sanitize(&format!("{e:#}")));
    ExitCode::from(if unauthorized { Exit::Usage } else { Exit::Error } as u8)
}

async fn run(cli: Cli, paths: Paths) -> Result<Exit> {
    if let Some(Command::DemoServer(args)) = &cli.command {
        return demo_server(args).await;
    }
    if let Some(Command::Config { print_defaults: true }) = &cli.command {
        return Ok(cli::config::print_defaults(&mut std::io::stdout().lock())?);
    }
    let env = |k: &str| std::env::var(k).ok();
    let file = FileConfig::load(&paths.config_file())?;
    let login = match &cli.command {
        Some(Command::Login(args)) => Some(args),
        _ => None,
    };
    let overrides = Overrides {
        api_base: cli.api_base.clone(),
        concurrency: cli.concurrency.map(usize::from),
        no_cache: cli.no_cache,
        client_id: login.and_then(|l| l.client_id.clone()),
        redirect_uri: login.and_then(|l| l.redirect_uri.clone()),
        insecure_storage: login.is_some_and(|l| l.insecure_storage),
        ledger: cli.ledger.clone(),
        fresh: cli.fresh,
    };
    let mut settings = Settings::resolve(&overrides, &env, &file, paths)?;
    let demo = if cli.demo {
        let opts = DemoOptions::default();
        let server = DemoServer::start(opts.clone()).await.context("starting the demo server")?;
        // Demo runs talk to the demo server with its credentials, and never touch
        // the real token store.
        settings.api_base = ApiBase::parse(&server.base_url())?;
        settings.client_id = Some(opts.client_id);
        settings.client_secret = Some(opts.client_secret);
        if overrides.redirect_uri.is_none() {
            settings.redirect_uri = "http://127.0.0.1:0/callback".into();
        }
        Some(server)
    } else {
        None
    };
    // Demo runs keep a ledger of their own, unless --ledger names one.
    if demo.is_some() {
        settings.paths.data_dir = settings.paths.data_dir.join("demo");
        settings.ledger = cli.ledger.clone();
    }
    if let Some(Command::Config { .. }) = &cli.command {
        return cli::config::check(&settings.paths.config_file(), &settings, &mut std::io::stdout().lock());
    }
    let exit = dispatch(cli.command, &settings, demo.is_some(), &env).await;
    if let Some(server) = demo {
        server.shutdown().await;
    }
    exit
}

/// The TUI's door: the ledger the settings name, the gate, and for `floktu door
/// EVENT` the event to open it for (looked up now, so a wrong name is said before
/// the screen opens).
async fn door_start(
    command: Option<Command>,
    settings: &Settings,
    token: Option<&AccessToken>,
) -> Result<floktu_tui::tui::door::DoorStart> {
    let ledger = Some(floktu_tui::cli::door::ledger_spec(settings)?);
    let settings_door = settings.door.clone();
    let Some(Command::Door { event, gate, kiosk }) = command else {
        let gate = floktu_tui::cli::door::gate(None)?;
        return Ok(floktu_tui::tui::door::DoorStart {
            ledger,
            gate,
            kiosk: false,
            settings: settings_door,
            event: None,
        });
    };
    let Some(token) = token else {
        anyhow::bail!("not logged in: run `floktu login` first (or try `floktu --demo door EVENT`)");
    };
    let client = FloktuClient::new(settings.api_base.clone(), token.clone())?;
    let event = floktu_tui::cli::door::door_event(&client, &event).await?;
    let gate = floktu_tui::cli::door::gate(gate.as_deref())?;
    Ok(floktu_tui::tui::door::DoorStart { ledger, gate, kiosk, settings: settings_door, event: Some(event) })
}

async fn dispatch(
    command: Option<Command>,
    settings: &Settings,
    demo: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Exit> {
    let keyring = store::os_keyring(env);
    let token_store = TokenStore::new(
        keyring.clone(),
        &settings.paths.state_dir,
        &settings.api_base,
        settings.client_id.as_deref(),
        settings.insecure_storage,
    );
    let token = if demo {
        Some((AccessToken::new(DemoOptions::default().token), TokenSource::Demo))
    } else {
        store::find_token(env, &token_store).await
    };
    let account = Account { settings, demo, env, keyring, token };
    match command {
        Some(command @ (Command::Status | Command::Token | Command::Login(_) | Command::Logout)) => {
            account_command(command, &account).await
        }
        command @ (None | Some(Command::Door { .. })) => run_tui(command, account, &token_store).await,
        Some(command) => {
            let Some((token, _)) = account.token else {
                eprintln!(
                    "floktu: not logged in. Run `floktu login`, or set FLOKTU_TOKEN (try `floktu --demo` for demo data)"
                );
                return Ok(Exit::Usage);
            };
            let client = FloktuClient::new(settings.api_base.clone(), token)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let exit = api_command(command, &client, settings, demo, &mut out).await?;
            out.flush()?;
            Ok(exit)
        }
    }
}

/// Who runs floktu: the settings, and the token found (and where).
struct Account<'a> {
    settings: &'a Settings,
    demo: bool,
    env: &'a dyn Fn(&str) -> Option<String>,
    keyring: std::sync::Arc<dyn floktu_tui::auth::store::SecretStore>,
    token: Option<(AccessToken, TokenSource)>,
}

/// `status`, `token`, `login`, `logout`: the commands about the token itself.
async fn account_command(command: Command, account: &Account<'_>) -> Result<Exit> {
    let Account { settings, demo, env, keyring, token } = account;
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr());
    match command {
        Command::Status => cli_account::status(settings, token.as_ref().map(|(_, s)| s), &mut out),
        Command::Token => cli_account::token(token.as_ref().map(|(t, _)| t), &mut out, &mut err),
        Command::Login(args) if args.with_token => {
            cli_account::login_with_token(settings, keyring.clone(), *demo, &mut out, &mut err).await
        }
        Command::Login(args) => {
            let flags = LoginFlags { no_browser: args.no_browser, demo: *demo };
            cli_account::login(settings, keyring.clone(), *env, &flags, &mut out, &mut err).await
        }
        Command::Logout if *demo => {
            writeln!(out, "Demo runs store no token; nothing to forget.")?;
            Ok(Exit::Ok)
        }
        Command::Logout => {
            cli_account::logout(settings, keyring.clone(), token.as_ref().map(|(t, _)| t), &mut out).await
        }
        _ => Ok(Exit::Ok),
    }
}

/// The TUI: the browser, or straight into the door (`floktu door`).
async fn run_tui(command: Option<Command>, account: Account<'_>, token_store: &TokenStore) -> Result<Exit> {
    let Account { settings, demo, keyring, token, .. } = account;
    let door = door_start(command, settings, token.as_ref().map(|(t, _)| t)).await?;
    let position_file = token.as_ref().map(|(t, _)| {
        floktu_tui::tui::position::file_for(&settings.paths.state_dir, &settings.api_base, t, demo)
    });
    let startup = floktu_tui::tui::Startup {
        base: settings.api_base.clone(),
        token: token.map(|(t, _)| t),
        demo,
        client_id: settings.client_id.clone(),
        client_secret: match &settings.client_secret {
            Some(s) => Some(s.clone()),
            None if !demo => token_store.find_client_secret().await,
            None => None,
        },
        redirect_uri: settings.redirect_uri.clone(),
        keyring: (!demo).then_some(keyring),
        state_dir: settings.paths.state_dir.clone(),
        config_file: settings.paths.config_file(),
        insecure_storage: settings.insecure_storage,
        cache_dir: (!settings.no_cache).then(|| settings.paths.cache_dir.clone()),
        concurrency: settings.concurrency,
        refresh: settings.refresh,
        pkce: settings.pkce,
        eager_details: settings.eager_details,
        position_file,
        fresh: settings.fresh,
        door,
        keys: settings.keys.clone(),
        theme: settings.theme,
        colors: settings.colors.clone(),
        mouse: settings.mouse,
    };
    floktu_tui::tui::run(startup).await?;
    Ok(Exit::Ok)
}

/// The commands that read Floktu (and the ledger), printing to `out`.
async fn api_command(
    command: Command,
    client: &FloktuClient,
    settings: &Settings,
    demo: bool,
    out: &mut dyn Write,
) -> Result<Exit> {
    use floktu_tui::cli::door;
    let mut err = std::io::stderr();
    let source = |offline| cli::GuestSource::new(client, settings, demo, offline);
    Ok(match command {
        Command::Events(f) => cli::events(client, f.format(), out, &mut err).await?,
        Command::Orders { event, search, format } => {
            cli::orders(&source(false), &event, search.as_deref(), format.format(), out, &mut err).await?
        }
        Command::Order { event, order, json } => {
            let format = if json { Format::Json } else { Format::Table };
            cli::order(client, &event, order, format, out, &mut err).await?
        }
        Command::Attendees { event, guests, format } => {
            let search = guests.search.as_deref();
            cli::attendees(&source(guests.offline), &event, search, format.format(), out, &mut err).await?
        }
        Command::Emails { event, guests, all, json } => {
            let format = if json { Format::Json } else { Format::Table };
            let search = guests.search.as_deref();
            cli::emails(&source(guests.offline), &event, search, all, format, out, &mut err).await?
        }
        Command::Stats { event, offline, json } => {
            let ledger = door::ledger_spec(settings)?.open().await?;
            let format = if json { Format::Json } else { Format::Table };
            cli::stats(&source(offline), &*ledger, &event, format, out, &mut err).await?
        }
        Command::Admit { event, ticket, gate, json } => {
            let ledger = door::ledger_spec(settings)?.open().await?;
            let scan = door::Scan { event, ticket, gate: door::gate(gate.as_deref())? };
            let format = if json { Format::Json } else { Format::Table };
            door::admit(&source(false), &*ledger, &scan, format, out, &mut err).await?
        }
        Command::Admissions { event, gate, format } => {
            let ledger = door::ledger_spec(settings)?.open().await?;
            let gate = gate.as_deref().map(|g| door::gate(Some(g))).transpose()?;
            door::admissions(&source(false), &*ledger, &event, gate.as_ref(), format.format(), out, &mut err)
                .await?
        }
        _ => Exit::Ok,
    })
}

async fn demo_server(args: &DemoArgs) -> Result<Exit> {
    let shape: Shape = args.shape.parse().map_err(anyhow::Error::msg)?;
    let opts = DemoOptions {
        port: args.port,
        latency_ms: args.latency_ms,
        fail_rate: args.fail_rate.clamp(0.0, 1.0),
        rate: args.rate,
        burst: args.burst,
        events: args.events,
        orders: args.orders,
        ..DemoOptions::default()
    };
    let (token, client_id, client_secret) =
        (opts.token.clone(), opts.client_id.clone(), opts.client_secret.clone());
    let fail_rate = opts.fail_rate;
    let server = DemoServer::start(opts)
        .await
        .with_context(|| format!("starting the demo server on 127.0.0.1:{}", args.port))?;
    server.knobs().set_shape(shape);
    server.knobs().set_hostile(args.hostile);
    server.knobs().set_jitter_ms(args.jitter_ms);
    let base = server.base_url();
    println!("Floktu demo server on {base}");
    println!("  demo client id / secret: {client_id} / {client_secret}");
    let mut on = vec![format!("{shape} JSON shape")];
    if args.hostile {
        on.push("hostile text in every text field".into());
    }
    if args.latency_ms > 0 {
        on.push(format!("latency {} ms", args.latency_ms));
    }
    if args.jitter_ms > 0 {
        on.push(format!("jitter 0-{} ms", args.jitter_ms));
    }
    if fail_rate > 0.0 {
        on.push(format!("{:.0}% of requests fail", fail_rate * 100.0));
    }
    if let Some(rate) = args.rate {
        on.push(format!("rate limit {rate}/s, bursts of {}", args.burst));
    }
    println!("  on: {}", on.join(", "));
    println!("  try: FLOKTU_API_BASE={base} FLOKTU_TOKEN={token} floktu events");
    let origin = format!("http://{}", server.addr());
    println!("  control (curl -X POST {origin}/demo/...):");
    let width = CONTROL_ENDPOINTS.iter().map(|(path, _)| path.len()).max().unwrap_or(0);
    for (path, what) in CONTROL_ENDPOINTS {
        println!("    {path:<width$}  {what}");
    }
    println!("Ctrl-C to stop.");
    server.run_until_ctrl_c().await?;
    Ok(Exit::Ok)
}

/// Logs go to a file, never the terminal. Without a writable state dir there are no logs.
/// Before the log file exists, floktu's folders are made private (0700, files 0600):
/// the log is created 0600 in a 0700 folder, and so is everything after it.
fn init_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let private = floktu_tui::private::make_private(paths);
    std::fs::create_dir_all(&paths.state_dir).ok()?;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(paths.log_file()).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLOKTU_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    if let Err(e) = private {
        tracing::warn!("could not make floktu's folders private: {e}");
    }
    Some(guard)
}
