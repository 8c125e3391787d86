//! Settings from flags > environment > config file > defaults, and where files live.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use toml::Spanned;

use crate::api::{ApiBase, DEFAULT_API_BASE};

/// The default redirect URI for the OAuth loopback listener.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
/// Order details fetched at once by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Where floktu keeps its files (XDG base directories).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/floktu`.
    pub config_dir: PathBuf,
    /// `$XDG_CACHE_HOME/floktu`.
    pub cache_dir: PathBuf,
    /// `$XDG_STATE_HOME/floktu`: logs, and the token file where no keyring works.
    pub state_dir: PathBuf,
    /// `$XDG_DATA_HOME/floktu`: the admissions ledger (never deleted by `logout`).
    pub data_dir: PathBuf,
}

impl Paths {
    /// Resolves the XDG variables through `env`, falling back to `~/.config` and friends.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Paths {
        let home =
            env("HOME").map(PathBuf::from).or_else(dirs::home_dir).unwrap_or_else(|| PathBuf::from("."));
        let xdg = |var: &str, fallback: &str| -> PathBuf {
            env(var)
                .filter(|v| Path::new(v).is_absolute())
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(fallback))
                .join("floktu")
        };
        Paths {
            config_dir: xdg("XDG_CONFIG_HOME", ".config"),
            cache_dir: xdg("XDG_CACHE_HOME", ".cache"),
            state_dir: xdg("XDG_STATE_HOME", ".local/state"),
            data_dir: xdg("XDG_DATA_HOME", ".local/share"),
        }
    }

    /// `config.toml` in the config directory.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The log file.
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("floktu.log")
    }
}

/// What `config.toml` may say. Unknown keys are an error, so a typo is noticed.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// API base URL.
    pub api_base: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret (better kept in the keyring; allowed here for headless setups).
    pub client_secret: Option<String>,
    /// OAuth redirect URI.
    pub redirect_uri: Option<String>,
    /// Order details fetched at once.
    pub concurrency: Option<usize>,
    /// Store the token in a 0600 file instead of the OS keyring.
    pub insecure_storage: Option<bool>,
    /// `[refresh]`: how an open guest list keeps fresh.
    pub refresh: Option<RefreshConfig>,
    /// `[oauth]`: how the login talks to the authorize and token endpoints.
    pub oauth: Option<OAuthConfig>,
    /// The admissions ledger: `postgres://…` or `sqlite:PATH` (default: the
    /// SQLite file in the data directory).
    pub ledger: Option<String>,
    /// `[door]`: what the door rings for and shows.
    pub door: Option<DoorConfig>,
    /// Opening an event loads every order's details in the background, so the
    /// orders pane shows status and money (default true; false for very large events).
    pub eager_details: Option<bool>,
    /// `[keys]`: a binding's name → a key or a list of keys (`tui::keyconfig`).
    pub keys: Option<BTreeMap<String, Spanned<KeyList>>>,
    /// The colours: `"dark"` (default), `"light"` or `"none"`.
    pub theme: Option<ThemeName>,
    /// `[colors]`: a tone's name → a colour, over the theme's (`tui::theme`).
    pub colors: Option<BTreeMap<String, Spanned<String>>>,
    /// Mouse: wheel scrolling, clicking a row or a pane (default off, so that
    /// the terminal's own text selection keeps working).
    pub mouse: Option<bool>,
    /// Line starts of the text this was read from, to name a value's line.
    #[serde(skip)]
    lines: Vec<usize>,
}

/// A key or a list of keys, as `[keys]` gives them.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    /// `quit = "x"`.
    One(String),
    /// `door = ["d", "F2"]`.
    Many(Vec<String>),
}

/// One line of `[keys]`, resolved: which binding, its keys as written, and the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    /// The binding's name (`quit`, `door_leave`).
    pub name: String,
    /// The keys as written (`"ctrl-q"`).
    pub keys: Vec<String>,
    /// The line of config.toml, when read from one.
    pub line: Option<usize>,
}

/// One `[colors]` override: the tone, the colour as written, and the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColorEntry {
    /// The tone (`dim`, `selected_bg`).
    pub tone: String,
    /// The colour as written (`"blue"`, `"#336699"`, `"244"`).
    pub color: String,
    /// The line of config.toml, when read from one.
    pub line: Option<usize>,
}

/// Something in config.toml that was not applied, and why; the TUI says it
/// on stderr before it starts and in its status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The line of config.toml it is on, when known.
    pub line: Option<usize>,
    /// What is wrong, and with what.
    pub text: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "config.toml line {line}: {}", self.text),
            None => write!(f, "config.toml: {}", self.text),
        }
    }
}

/// The colours the TUI uses.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ThemeName {
    /// For a dark background (the default).
    #[default]
    Dark,
    /// For a light background.
    Light,
    /// No colours: bold, dim, reverse and underline only (what `NO_COLOR` gives).
    None,
}

impl ThemeName {
    /// Every theme, by its name in config.toml.
    pub const ALL: [(ThemeName, &'static str); 3] =
        [(ThemeName::Dark, "dark"), (ThemeName::Light, "light"), (ThemeName::None, "none")];

    /// Its name in config.toml.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(t, _)| *t == self).map_or("dark", |(_, n)| n)
    }
}

/// `[door]` in config.toml.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DoorConfig {
    /// When the terminal bell rings: `"refusals"` (default), `"all"` or `"off"`.
    pub bell: Option<DoorBell>,
    /// The questions whose answers the verdict shows (default: every answer).
    pub show_answers: Option<Vec<String>>,
}

/// When the door rings the terminal bell (each verdict has its pattern).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DoorBell {
    /// On every refusal (the default).
    #[default]
    Refusals,
    /// On every verdict, VALID included.
    All,
    /// Never.
    Off,
}

impl DoorBell {
    /// Its name in config.toml.
    pub fn name(self) -> &'static str {
        match self {
            DoorBell::Refusals => "refusals",
            DoorBell::All => "all",
            DoorBell::Off => "off",
        }
    }
}

/// The door's settings, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Door {
    /// When the bell rings.
    pub bell: DoorBell,
    /// The questions whose answers the verdict shows; `None`: every answer.
    pub show_answers: Option<Vec<String>>,
}

/// `[oauth]` in config.toml.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// Send a PKCE S256 challenge with the login (default true; `false` for a
    /// server that refuses unknown parameters).
    pub pkce: Option<bool>,
}

/// `[refresh]` in config.toml.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RefreshConfig {
    /// Seconds between two looks for new orders (default 30).
    pub orders_every: Option<u64>,
    /// Seconds after which an order's details are re-read (default 300).
    pub max_age: Option<u64>,
}

/// How an open guest list (door, attendees view) keeps fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refresh {
    /// How often to look for new orders.
    pub orders_every: std::time::Duration,
    /// No order's details should be older than this.
    pub max_age: std::time::Duration,
}

impl Default for Refresh {
    fn default() -> Refresh {
        Refresh {
            orders_every: std::time::Duration::from_secs(30),
            max_age: std::time::Duration::from_secs(300),
        }
    }
}

impl Refresh {
    /// The defaults, with what `[refresh]` says (at least 1 s each).
    pub fn from_config(config: Option<&RefreshConfig>) -> Refresh {
        let d = Refresh::default();
        let secs = |v: Option<u64>, default: std::time::Duration| {
            v.map_or(default, |s| std::time::Duration::from_secs(s.max(1)))
        };
        Refresh {
            orders_every: secs(config.and_then(|c| c.orders_every), d.orders_every),
            max_age: secs(config.and_then(|c| c.max_age), d.max_age),
        }
    }
}

impl FileConfig {
    /// Reads the config file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<FileConfig> {
        match std::fs::read_to_string(path) {
            Ok(text) => FileConfig::parse(&text).with_context(|| format!("reading {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Reads config.toml's text, keeping where its lines start (so that a
    /// `[keys]` or `[colors]` problem can name its line).
    pub fn parse(text: &str) -> Result<FileConfig, toml::de::Error> {
        let mut file: FileConfig = toml::from_str(text)?;
        file.lines = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Ok(file)
    }

    /// The line (from 1) a value spanning `span` starts on, when read from text.
    fn line_of(&self, span: std::ops::Range<usize>) -> Option<usize> {
        (!self.lines.is_empty()).then(|| self.lines.partition_point(|&start| start <= span.start))
    }

    /// The keys this config leaves unset, `table.key` for those of a table
    /// (`--print-defaults` must write them all: a test reads it back). A new
    /// field does not compile here until it is listed.
    pub fn unset_keys(&self) -> Vec<&'static str> {
        let FileConfig {
            api_base,
            client_id,
            client_secret,
            redirect_uri,
            concurrency,
            insecure_storage,
            refresh,
            oauth,
            ledger,
            door,
            eager_details,
            keys,
            theme,
            colors,
            mouse,
            lines: _,
        } = self;
        let refresh = refresh.clone().unwrap_or_default();
        let RefreshConfig { orders_every, max_age } = &refresh;
        let door = door.clone().unwrap_or_default();
        let DoorConfig { bell, show_answers } = &door;
        let OAuthConfig { pkce } = oauth.clone().unwrap_or_default();
        [
            ("api_base", api_base.is_some()),
            ("client_id", client_id.is_some()),
            ("client_secret", client_secret.is_some()),
            ("redirect_uri", redirect_uri.is_some()),
            ("concurrency", concurrency.is_some()),
            ("insecure_storage", insecure_storage.is_some()),
            ("refresh.orders_every", orders_every.is_some()),
            ("refresh.max_age", max_age.is_some()),
            ("oauth.pkce", pkce.is_some()),
            ("ledger", ledger.is_some()),
            ("door.bell", bell.is_some()),
            ("door.show_answers", show_answers.is_some()),
            ("eager_details", eager_details.is_some()),
            ("keys", keys.as_ref().is_some_and(|k| !k.is_empty())),
            ("theme", theme.is_some()),
            ("colors", colors.as_ref().is_some_and(|c| !c.is_empty())),
            ("mouse", mouse.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| (!set).then_some(name))
        .collect()
    }

    /// `[keys]`, in the order of the file.
    pub fn key_entries(&self) -> Vec<KeyEntry> {
        let mut entries: Vec<KeyEntry> = self
            .keys
            .iter()
            .flatten()
            .map(|(name, keys)| KeyEntry {
                name: name.clone(),
                keys: match keys.get_ref() {
                    KeyList::One(k) => vec![k.clone()],
                    KeyList::Many(ks) => ks.clone(),
                },
                line: self.line_of(keys.span()),
            })
            .collect();
        entries.sort_by_key(|e| e.line);
        entries
    }

    /// `[colors]`, in the order of the file.
    pub fn color_entries(&self) -> Vec<ColorEntry> {
        let mut entries: Vec<ColorEntry> = self
            .colors
            .iter()
            .flatten()
            .map(|(tone, color)| ColorEntry {
                tone: tone.clone(),
                color: color.get_ref().clone(),
                line: self.line_of(color.span()),
            })
            .collect();
        entries.sort_by_key(|e| e.line);
        entries
    }
}

/// What the command line said (only what it said: `None` where a flag was absent).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--api-base`.
    pub api_base: Option<String>,
    /// `--concurrency`.
    pub concurrency: Option<usize>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--redirect-uri`.
    pub redirect_uri: Option<String>,
    /// `--insecure-storage`.
    pub insecure_storage: bool,
    /// `--ledger`.
    pub ledger: Option<String>,
    /// `--fresh`.
    pub fresh: bool,
}

/// Every setting, resolved.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The API base.
    pub api_base: ApiBase,
    /// Order details fetched at once (at least 1).
    pub concurrency: usize,
    /// Skip the on-disk cache.
    pub no_cache: bool,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret (`FLOKTU_CLIENT_SECRET` or the config file; never a flag).
    pub client_secret: Option<String>,
    /// OAuth redirect URI.
    pub redirect_uri: String,
    /// Send PKCE S256 with the login (`[oauth] pkce`, default true).
    pub pkce: bool,
    /// Token in a file rather than the keyring.
    pub insecure_storage: bool,
    /// How an open guest list keeps fresh (`[refresh]`).
    pub refresh: Refresh,
    /// The admissions ledger (`--ledger`, `FLOKTU_LEDGER`, config `ledger`);
    /// `None`: the SQLite file in the data directory.
    pub ledger: Option<String>,
    /// The door (`[door]`).
    pub door: Door,
    /// `[keys]`: remappings, applied by the TUI to its binding table.
    pub keys: Vec<KeyEntry>,
    /// `theme`; `NO_COLOR` (set and not empty) makes it `none`.
    pub theme: ThemeName,
    /// `[colors]`: overrides of the theme's colours.
    pub colors: Vec<ColorEntry>,
    /// `mouse`: the TUI captures the mouse.
    pub mouse: bool,
    /// Opening an event loads its guest list at once (`eager_details`).
    pub eager_details: bool,
    /// `--fresh`: the TUI starts on the events list, not where it was left.
    pub fresh: bool,
    /// File locations.
    pub paths: Paths,
}

impl Settings {
    /// Flags beat the environment, which beats the config file, which beats defaults.
    pub fn resolve(
        flags: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
        file: &FileConfig,
        paths: Paths,
    ) -> Result<Settings> {
        let env_nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let api_base = flags
            .api_base
            .clone()
            .or_else(|| env_nonempty("FLOKTU_API_BASE"))
            .or_else(|| file.api_base.clone())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_string());
        let api_base = ApiBase::parse(&api_base)?;
        Ok(Settings {
            api_base,
            concurrency: flags.concurrency.or(file.concurrency).unwrap_or(DEFAULT_CONCURRENCY).max(1),
            no_cache: flags.no_cache,
            client_id: flags
                .client_id
                .clone()
                .or_else(|| env_nonempty("FLOKTU_CLIENT_ID"))
                .or_else(|| file.client_id.clone()),
            client_secret: env_nonempty("FLOKTU_CLIENT_SECRET").or_else(|| file.client_secret.clone()),
            redirect_uri: flags
                .redirect_uri
                .clone()
                .or_else(|| file.redirect_uri.clone())
                .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string()),
            pkce: file.oauth.as_ref().and_then(|o| o.pkce).unwrap_or(true),
            insecure_storage: flags.insecure_storage || file.insecure_storage.unwrap_or(false),
            refresh: Refresh::from_config(file.refresh.as_ref()),
            ledger: flags
                .ledger
                .clone()
                .or_else(|| env_nonempty("FLOKTU_LEDGER"))
                .or_else(|| file.ledger.clone()),
            door: Door {
                bell: file.door.as_ref().and_then(|d| d.bell).unwrap_or_default(),
                show_answers: file.door.as_ref().and_then(|d| d.show_answers.clone()),
            },
            keys: file.key_entries(),
            theme: match env("NO_COLOR") {
                Some(v) if !v.is_empty() => ThemeName::None,
                _ => file.theme.unwrap_or_default(),
            },
            colors: file.color_entries(),
            mouse: file.mouse.unwrap_or(false),
            eager_details: file.eager_details.unwrap_or(true),
            fresh: flags.fresh,
            paths,
        })
    }
}

/// Writes `client_id` into the config file (0600), keeping everything else in it,
/// so the next run finds the same keyring account.
pub fn remember_client_id(config_file: &Path, client_id: &str) -> Result<()> {
    let mut table: toml::Table = match std::fs::read_to_string(config_file) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("reading {}", config_file.display()))?,
        Err(_) => toml::Table::new(),
    };
    if table.get("client_id").and_then(|v| v.as_str()) == Some(client_id) {
        return Ok(());
    }
    table.insert("client_id".into(), toml::Value::String(client_id.to_string()));
    let text = toml::to_string(&table)?;
    crate::auth::store::write_private(config_file, text.as_bytes())
        .with_context(|| format!("writing {}", config_file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    fn paths() -> Paths {
        Paths::from_env(&env_of(&[("HOME", "/home/u")]))
    }

    #[test]
    fn refresh_keys_come_from_the_config_file() {
        let file: FileConfig = toml::from_str("[refresh]\norders_every = 5\nmax_age = 60\n").unwrap();
        let s = Settings::resolve(&Overrides::default(), &env_of(&[]), &file, paths()).unwrap();
        assert_eq!(s.refresh.orders_every, std::time::Duration::from_secs(5));
        assert_eq!(s.refresh.max_age, std::time::Duration::from_secs(60));
        let none =
            Settings::resolve(&Overrides::default(), &env_of(&[]), &FileConfig::default(), paths()).unwrap();
        assert_eq!(none.refresh, Refresh::default());
    }

    #[test]
    fn pkce_is_on_unless_the_config_file_turns_it_off() {
        let on = Settings::resolve(&Overrides::default(), &env_of(&[]), &FileConfig::default(), paths());
        assert!(on.unwrap().pkce);
        let file: FileConfig = toml::from_str("[oauth]\npkce = false\n").unwrap();
        assert!(!Settings::resolve(&Overrides::default(), &env_of(&[]), &file, paths()).unwrap().pkce);
    }

    #[test]
    fn xdg_variables_decide_the_paths() {
        let p = Paths::from_env(&env_of(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/c"),
            ("XDG_STATE_HOME", "relative"),
        ]));
        assert_eq!(p.cache_dir, PathBuf::from("/c/floktu"));
        assert_eq!(p.config_dir, PathBuf::from("/h/.config/floktu"));
        // A relative XDG path is invalid per the spec and ignored.
        assert_eq!(p.state_dir, PathBuf::from("/h/.local/state/floktu"));
    }

    #[test]
    fn door_keys_come_from_the_config_file() {
        let file: FileConfig =
            toml::from_str("[door]\nbell = \"all\"\nshow_answers = [\"Dietary needs\"]\n").unwrap();
        let s = Settings::resolve(&Overrides::default(), &env_of(&[]), &file, paths()).unwrap();
        assert_eq!(s.door.bell, DoorBell::All);
        assert_eq!(s.door.show_answers, Some(vec!["Dietary needs".to_string()]));
        let none =
            Settings::resolve(&Overrides::default(), &env_of(&[]), &FileConfig::default(), paths()).unwrap();
        assert_eq!(none.door, Door::default());
        assert!(toml::from_str::<FileConfig>("[door]\nbell = \"loud\"\n").is_err());
    }

    #[test]
    fn the_ledger_comes_from_flag_env_or_file_and_lives_in_the_data_dir() {
        let file = FileConfig { ledger: Some("postgres://file/db".into()), ..Default::default() };
        let env = env_of(&[("FLOKTU_LEDGER", "postgres://env/db")]);
        let s = Settings::resolve(&Overrides::default(), &env, &file, paths()).unwrap();
        assert_eq!(s.ledger.as_deref(), Some("postgres://env/db"));
        let flags = Overrides { ledger: Some("sqlite:/l.db".into()), ..Default::default() };
        let s = Settings::resolve(&flags, &env, &file, paths()).unwrap();
        assert_eq!(s.ledger.as_deref(), Some("sqlite:/l.db"));
        assert_eq!(s.paths.data_dir, PathBuf::from("/home/u/.local/share/floktu"));
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let file = FileConfig { api_base: Some("https://file.example/api/v2".into()), ..Default::default() };
        let env = env_of(&[("FLOKTU_API_BASE", "https://env.example/api/v2")]);
        let s = Settings::resolve(&Overrides::default(), &env, &file, paths()).unwrap();
        assert_eq!(s.api_base.host_label(), "env.example");
        let flags = Overrides { api_base: Some("https://flag.example/api/v2".into()), ..Default::default() };
        let s = Settings::resolve(&flags, &env, &file, paths()).unwrap();
        assert_eq!(s.api_base.host_label(), "flag.example");
        let s = Settings::resolve(&Overrides::default(), &env_of(&[]), &file, paths()).unwrap();
        assert_eq!(s.api_base.host_label(), "file.example");
    }

    #[test]
    fn defaults_apply_when_nothing_is_said() {
        let s =
            Settings::resolve(&Overrides::default(), &env_of(&[]), &FileConfig::default(), paths()).unwrap();
        assert_eq!(s.api_base.to_string(), DEFAULT_API_BASE);
        assert_eq!(s.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(s.redirect_uri, DEFAULT_REDIRECT_URI);
    }

    #[test]
    fn a_plain_http_base_from_the_environment_is_refused() {
        let env = env_of(&[("FLOKTU_API_BASE", "http://evil.example/api/v2")]);
        assert!(Settings::resolve(&Overrides::default(), &env, &FileConfig::default(), paths()).is_err());
    }

    #[test]
    fn remembering_the_client_id_keeps_other_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("floktu/config.toml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "concurrency = 4\n").unwrap();
        remember_client_id(&file, "abc").unwrap();
        let read = FileConfig::load(&file).unwrap();
        assert_eq!((read.client_id.as_deref(), read.concurrency), (Some("abc"), Some(4)));
    }

    #[test]
    fn unknown_config_keys_are_an_error() {
        assert!(toml::from_str::<FileConfig>("api_bsae = \"x\"").is_err());
        let ok: FileConfig = toml::from_str("client_id = \"abc\"\nconcurrency = 4").unwrap();
        assert_eq!(ok.concurrency, Some(4));
    }
}
