use std::net::SocketAddr;
use std::path::PathBuf;

/// What can stop the server from starting, or a `user` command from doing its work.
/// (What goes wrong with one request is answered to its client, as an HTTP error with a
/// JSON body, and does not stop the server.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The archive could not be opened (or there is none in the directory).
    #[error(transparent)]
    Archive(Box<plupper_archive::Error>),
    /// A user name that the users file cannot hold.
    #[error("invalid user name `{name}`: {why}")]
    UserName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// `user remove` of a name the users file does not hold.
    #[error("no user `{name}` in {}", path.display())]
    UnknownUser {
        /// The name.
        name: String,
        /// The users file.
        path: PathBuf,
    },
    /// An empty password.
    #[error("the password of user `{name}` is empty")]
    EmptyPassword {
        /// The user.
        name: String,
    },
    /// The users file cannot be read or written.
    #[error("users file {}: {source}", path.display())]
    UsersIo {
        /// The users file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line of the users file is not `NAME:ARGON2ID-HASH`.
    #[error("users file {}, line {line}: {why}", path.display())]
    UsersSyntax {
        /// The users file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// What is wrong with it.
        why: String,
    },
    /// The users file can be read by other users.
    #[error(
        "users file {} can be read by other users (mode {mode:o}): run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    UsersNotPrivate {
        /// The users file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Hashing a password failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// `serve` with authentication and no user to sign in.
    #[error(
        "no user can sign in: add one with `plupper-archive user add NAME` (users file {}), or serve without authentication with --no-auth on a loopback address",
        path.display()
    )]
    NoUsers {
        /// The users file.
        path: PathBuf,
    },
    /// `--no-auth` on an address other hosts can reach.
    #[error(
        "--no-auth is refused on {addr}: without authentication the archive may only be served on a loopback address (127.0.0.1, ::1)"
    )]
    NoAuthNotLoopback {
        /// The address.
        addr: SocketAddr,
    },
    /// The listen address is not an address and port.
    #[error("invalid listen address `{given}`: {why}")]
    ListenAddress {
        /// The address as given.
        given: String,
        /// What is wrong with it.
        why: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The `--cors-origin` value is not an origin.
    #[error(
        "invalid --cors-origin `{given}`: expected scheme://host[:port], as a browser sends it"
    )]
    CorsOrigin {
        /// The value as given.
        given: String,
    },
    /// The runtime could not start.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

impl ServerError {
    /// Whether the error is the caller's input (a user name, an address, a `--cors-origin`,
    /// `--no-auth` where it is refused) rather than a failure: the command line exits 2
    /// for these, 1 for the others.
    pub fn is_invalid_input(&self) -> bool {
        match self {
            ServerError::Archive(error) => error.is_invalid_input(),
            ServerError::UserName { .. }
            | ServerError::EmptyPassword { .. }
            | ServerError::NoAuthNotLoopback { .. }
            | ServerError::ListenAddress { .. }
            | ServerError::CorsOrigin { .. } => true,
            _ => false,
        }
    }
}

impl From<plupper_archive::Error> for ServerError {
    fn from(error: plupper_archive::Error) -> Self {
        ServerError::Archive(Box::new(error))
    }
}
