//! Finding the access token: the environment first (never stored).
//!
//! The OS keyring and the 0600 token file come with the login work; until then
//! `FLOKTU_TOKEN` (or `--demo`) is the only source.

use crate::api::AccessToken;

/// Where a token was found, for `floktu status` (never the token itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `FLOKTU_TOKEN`.
    Env,
    /// The embedded demo server's token.
    Demo,
}

impl TokenSource {
    /// A word for people.
    pub fn describe(self) -> &'static str {
        match self {
            TokenSource::Env => "env (FLOKTU_TOKEN)",
            TokenSource::Demo => "demo (built-in demo server)",
        }
    }
}

/// The token from `FLOKTU_TOKEN`, if set and not blank.
pub fn token_from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<(AccessToken, TokenSource)> {
    env("FLOKTU_TOKEN")
        .filter(|t| !t.trim().is_empty())
        .map(|t| (AccessToken::new(t), TokenSource::Env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_env_token_counts_as_none() {
        assert!(token_from_env(&|_| Some("  ".into())).is_none());
        let (t, src) = token_from_env(&|_| Some("abc".into())).unwrap();
        assert_eq!((t.expose(), src), ("abc", TokenSource::Env));
    }
}
