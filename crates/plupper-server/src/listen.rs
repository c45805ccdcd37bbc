//! The socket: HTTP/1.1 connections on hyper, each bounded so that no client can hold
//! the server: the request head must arrive within [`HEADER_TIMEOUT`] and fit in
//! [`MAX_HEAD_BUFFER`] bytes, and at most [`MAX_CONNECTIONS`] connections are served at
//! once (the others wait in the listen queue).

use std::future::Future;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::auth::Authenticator;
use crate::layers::{AppOptions, MAX_HEADERS, MAX_REQUEST_LINE, app, cors_origin};
use crate::users::UsersFile;
use crate::{AppState, ServerError, Today};

/// How long a client may take to send a request's head (the slowloris limit); a
/// connection that sends nothing for this long after its last answer is closed too.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 4096;

/// The most bytes a connection buffers while reading a request head: room for the
/// longest request line and headers, so that those limits answer 414 and 431 with their
/// own message; past it hyper answers 431.
pub const MAX_HEAD_BUFFER: usize = 4 * (MAX_REQUEST_LINE + MAX_HEADERS);

/// How `serve` runs.
#[derive(Clone)]
pub struct ServerConfig {
    /// The archive directory (it must hold an archive; it is opened read-only).
    pub archive: std::path::PathBuf,
    /// The address to listen on, `HOST:PORT` (port 0 takes a free port).
    pub listen: String,
    /// Serve without authentication (only on a loopback address).
    pub no_auth: bool,
    /// The origins allowed to call from a web page (`--cors-origin`).
    pub cors_origins: Vec<String>,
    /// Where `today` comes from.
    pub today: Today,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("archive", &self.archive)
            .field("listen", &self.listen)
            .field("no_auth", &self.no_auth)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

/// A server bound to its address, ready to run.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    address: SocketAddr,
    app: Router,
}

fn listen_address(given: &str) -> Result<SocketAddr, ServerError> {
    let invalid = |why: String| ServerError::ListenAddress {
        given: given.to_owned(),
        why,
    };
    let mut addresses = given
        .to_socket_addrs()
        .map_err(|error| invalid(format!("expected HOST:PORT ({error})")))?;
    addresses
        .next()
        .ok_or_else(|| invalid("the host has no address".into()))
}

impl Server {
    /// Checks the configuration, opens the archive and the users, and binds the
    /// address: the server answers from [`Server::run_until`] on.
    pub fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        Server::bind_with(config, Router::new())
    }

    /// [`Server::bind`], serving `extra` routes (the web pages) beside the API's, under
    /// the same layers.
    pub fn bind_with(config: ServerConfig, extra: Router<AppState>) -> Result<Server, ServerError> {
        let address = listen_address(&config.listen)?;
        if config.no_auth && !address.ip().is_loopback() {
            return Err(ServerError::NoAuthNotLoopback { addr: address });
        }
        let cors_origins = config
            .cors_origins
            .iter()
            .map(|origin| cors_origin(origin))
            .collect::<Result<Vec<_>, _>>()?;
        let state = AppState::open(&config.archive, config.today)?;
        let auth = if config.no_auth {
            None
        } else {
            Some(Arc::new(Authenticator::new(UsersFile::in_archive(
                &config.archive,
            ))?))
        };
        let listener = TcpListener::bind(address).map_err(|source| ServerError::Listen {
            addr: address,
            source,
        })?;
        let address = listener
            .local_addr()
            .map_err(|source| ServerError::Listen {
                addr: address,
                source,
            })?;
        let options = AppOptions { auth, cors_origins };
        Ok(Server {
            listener,
            address,
            app: app(state, extra, &options),
        })
    }

    /// The address it listens on (with the port taken when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Answers until SIGINT or SIGTERM (Ctrl-C on other systems), then stops.
    pub fn run_until_signal(self) -> Result<(), ServerError> {
        self.run_until(stop_signal())
    }

    /// Answers until `stop` completes, then stops: no new connection is taken, and the
    /// answers under way are given a moment to end.
    pub fn run_until(self, stop: impl Future<Output = ()> + Send) -> Result<(), ServerError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("plupper-server")
            .build()
            .map_err(ServerError::Runtime)?;
        let outcome = runtime.block_on(async move {
            self.listener
                .set_nonblocking(true)
                .map_err(ServerError::Runtime)?;
            let listener =
                tokio::net::TcpListener::from_std(self.listener).map_err(ServerError::Runtime)?;
            tokio::select! {
                () = accept(listener, self.app) => {}
                () = stop => tracing::info!("stopping"),
            }
            Ok(())
        });
        runtime.shutdown_timeout(Duration::from_secs(2));
        outcome
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn accept(listener: tokio::net::TcpListener, app: Router) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&connections).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was taken:
                // wait a little rather than spin.
                tracing::warn!("cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request)
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_HEAD_BUFFER)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%peer, "connection ended: {error}");
            }
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_are_host_and_port() {
        assert_eq!(
            listen_address("127.0.0.1:0").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 0)))
        );
        for bad in ["127.0.0.1", "nonsense", "127.0.0.1:99999"] {
            let error = listen_address(bad).err();
            assert!(
                error.as_ref().is_some_and(|e| e
                    .to_string()
                    .starts_with(&format!("invalid listen address `{bad}`"))),
                "{bad}: {error:?}"
            );
        }
    }
}
