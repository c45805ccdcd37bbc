//! Reading a password (`sync`, `user add`): from the first line of standard input
//! (`--password-stdin`), from an environment variable where the command takes one, or
//! from a no-echo prompt on a terminal; never from the command line.

use std::io::{BufRead, IsTerminal};

use plupper_archive::Password;

use crate::Failure;

/// Where a command may take its password from.
pub struct Sources<'a> {
    /// `--password-stdin` was given.
    pub stdin: bool,
    /// The environment variable that may hold it, when the command reads one.
    pub env: Option<&'a str>,
    /// The prompt on a terminal.
    pub prompt: String,
}

impl Sources<'_> {
    /// The ways to give the password, for the error messages.
    fn ways(&self, pipe: &str, prompt: &str) -> String {
        match self.env {
            Some(var) => format!("set {var}, {pipe}, or {prompt}"),
            None => format!("{pipe}, or {prompt}"),
        }
    }

    /// The refusal of `--password VALUE`.
    pub fn refuse_argv(&self) -> Failure {
        Failure::Invalid(format!(
            "--password is not accepted: a password in the command line can be read by other users and stays in the shell's history; {}",
            self.ways(
                "pipe it with --password-stdin",
                "type it when asked on a terminal"
            )
        ))
    }

    /// The password, from the first source that has one.
    pub fn read(&self) -> Result<Password, Failure> {
        if self.stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                Failure::Failed(format!("cannot read the password from stdin: {e}"))
            })?;
            let text = line.trim_end_matches(['\n', '\r']);
            if text.is_empty() {
                return Err(Failure::Invalid(
                    "--password-stdin: standard input holds no password".into(),
                ));
            }
            return Ok(Password::new(text.to_owned()));
        }
        if let Some(var) = self.env
            && let Some(value) = std::env::var_os(var)
        {
            return value
                .into_string()
                .map(Password::new)
                .map_err(|_| Failure::Invalid(format!("{var} is not valid UTF-8")));
        }
        if std::io::stdin().is_terminal() {
            return rpassword::prompt_password(&self.prompt)
                .map(Password::new)
                .map_err(|e| Failure::Failed(format!("cannot read the password: {e}")));
        }
        Err(Failure::Invalid(format!(
            "no password: {}",
            self.ways(
                "pipe it with --password-stdin",
                "run on a terminal to be asked"
            )
        )))
    }
}
