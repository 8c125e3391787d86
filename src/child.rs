//! Processes floktu starts (tmux for copying, the browser opener): none of them
//! inherits floktu's secrets, which a child could log, keep or pass on.

use std::process::Command;

/// The environment variables that hold floktu's secrets.
pub(crate) const SECRET_VARS: [&str; 2] = ["FLOKTU_TOKEN", "FLOKTU_CLIENT_SECRET"];

/// Takes floktu's secrets out of the environment `cmd` will run with; the rest of
/// the environment (PATH, TMUX, DISPLAY …) is passed on as usual.
pub(crate) fn scrub_secrets(cmd: &mut Command) -> &mut Command {
    for var in SECRET_VARS {
        cmd.env_remove(var);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrubbed_command_removes_every_secret_and_keeps_the_rest() {
        let mut cmd = Command::new("true");
        cmd.env("FLOKTU_TOKEN", "t").env("FLOKTU_CLIENT_SECRET", "s").env("KEEP", "k");
        scrub_secrets(&mut cmd);
        let envs: Vec<_> = cmd.get_envs().map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned))).collect();
        for var in SECRET_VARS {
            assert!(envs.contains(&(var.into(), None)), "{var} is not removed: {envs:?}");
        }
        assert!(envs.contains(&("KEEP".into(), Some("k".into()))));
    }
}
