//! `floktu`: parse the command line, set up logging, dispatch.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use floktu_tui::api::{AccessToken, ApiBase, FloktuClient};
use floktu_tui::auth::store::{self, TokenSource};
use floktu_tui::cli::{self, Exit, Format};
use floktu_tui::config::{FileConfig, Overrides, Paths, Settings};
use floktu_tui::demo::{DemoOptions, DemoServer};
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
    /// Where floktu talks to and where it keeps things (never prints the token)
    Status,
    /// Run the embedded Floktu-compatible demo server on 127.0.0.1
    DemoServer(DemoArgs),
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
    /// Number of events
    #[arg(long, default_value_t = DemoOptions::default().events)]
    events: usize,
    /// Orders of the large event
    #[arg(long, default_value_t = DemoOptions::default().orders)]
    orders: usize,
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
    match runtime.block_on(run(cli, paths)) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // `floktu orders 12 | head`: the reader left; that is not an error worth a message.
    let broken_pipe = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let unauthorized = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<floktu_tui::api::Error>(),
            Some(floktu_tui::api::Error::Unauthorized(_))
        )
    });
    eprintln!("floktu: {}", sanitize(&format!("{e:#}")));
    ExitCode::from(if unauthorized { Exit::Usage } else { Exit::Error } as u8)
}

async fn run(cli: Cli, paths: Paths) -> Result<Exit> {
    if let Some(Command::DemoServer(args)) = &cli.command {
        return demo_server(args).await;
    }
    let env = |k: &str| std::env::var(k).ok();
    let file = FileConfig::load(&paths.config_file())?;
    let overrides = Overrides {
        api_base: cli.api_base.clone(),
        concurrency: cli.concurrency.map(usize::from),
        no_cache: cli.no_cache,
        ..Overrides::default()
    };
    let demo = if cli.demo {
        Some(
            DemoServer::start(DemoOptions::default())
                .await
                .context("starting the demo server")?,
        )
    } else {
        None
    };
    let mut settings = Settings::resolve(&overrides, &env, &file, paths)?;
    let token = match &demo {
        Some(server) => {
            settings.api_base = ApiBase::parse(&server.base_url())?;
            Some((AccessToken::new(DemoOptions::default().token), TokenSource::Demo))
        }
        None => store::token_from_env(&env),
    };
    let exit = dispatch(cli.command, &settings, token).await;
    if let Some(server) = demo {
        server.shutdown().await;
    }
    exit
}

async fn dispatch(
    command: Option<Command>,
    settings: &Settings,
    token: Option<(AccessToken, TokenSource)>,
) -> Result<Exit> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    if let Some(Command::Status) = command {
        return status(settings, token.map(|(_, s)| s), &mut out);
    }
    let Some((token, source)) = token else {
        eprintln!(
            "floktu: not logged in. Run `floktu login`, or set FLOKTU_TOKEN (try `floktu --demo` for demo data)"
        );
        return Ok(Exit::Usage);
    };
    let client = FloktuClient::new(settings.api_base.clone(), token)?;
    let Some(command) = command else {
        drop(out);
        floktu_tui::tui::run(client, source == TokenSource::Demo).await?;
        return Ok(Exit::Ok);
    };
    let exit = match command {
        Command::Events(f) => cli::events(&client, f.format(), &mut out, &mut err).await?,
        Command::Orders { event, format } => {
            cli::orders(&client, &event, format.format(), &mut out, &mut err).await?
        }
        Command::Order { event, order, json } => {
            let format = if json { Format::Json } else { Format::Table };
            cli::order(&client, &event, order, format, &mut out, &mut err).await?
        }
        Command::Status | Command::DemoServer(_) => Exit::Ok,
    };
    out.flush()?;
    Ok(exit)
}

fn status(settings: &Settings, source: Option<TokenSource>, out: &mut dyn Write) -> Result<Exit> {
    let paths = &settings.paths;
    writeln!(out, "api base     {}", settings.api_base)?;
    match source {
        Some(s) => writeln!(out, "token        {}", s.describe())?,
        None => writeln!(out, "token        none — run `floktu login`")?,
    }
    writeln!(out, "config file  {}", paths.config_file().display())?;
    writeln!(out, "cache dir    {}", paths.cache_dir.display())?;
    writeln!(out, "log file     {}", paths.log_file().display())?;
    Ok(if source.is_some() { Exit::Ok } else { Exit::Usage })
}

async fn demo_server(args: &DemoArgs) -> Result<Exit> {
    let opts = DemoOptions {
        port: args.port,
        latency_ms: args.latency_ms,
        fail_rate: args.fail_rate.clamp(0.0, 1.0),
        events: args.events,
        orders: args.orders,
        ..DemoOptions::default()
    };
    let (token, client_id, client_secret) = (
        opts.token.clone(),
        opts.client_id.clone(),
        opts.client_secret.clone(),
    );
    let server = DemoServer::start(opts)
        .await
        .with_context(|| format!("starting the demo server on 127.0.0.1:{}", args.port))?;
    let base = server.base_url();
    println!("Floktu demo server on {base}");
    println!("  demo client id / secret: {client_id} / {client_secret}");
    println!("  try: FLOKTU_API_BASE={base} FLOKTU_TOKEN={token} floktu events");
    println!("Ctrl-C to stop.");
    server.run_until_ctrl_c().await?;
    Ok(Exit::Ok)
}

/// Logs go to a file, never the terminal. Without a writable state dir there are no logs.
fn init_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    std::fs::create_dir_all(&paths.state_dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(paths.log_file())
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FLOKTU_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
