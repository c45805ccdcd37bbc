//! `serve`: the flags become a [`ServerConfig`]; the server crate does the rest. This is
//! where `today` comes from (the local calendar's, read at each request) and where the
//! `listening on` line is printed, once the address is bound.

use std::path::Path;
use std::sync::Arc;

use plupper_server::{Server, ServerConfig};

use crate::Failure;
use crate::cli::ServeArgs;

pub fn run(archive: &Path, args: ServeArgs) -> Result<(), Failure> {
    let config = ServerConfig {
        archive: archive.to_owned(),
        listen: args.listen,
        no_auth: args.no_auth,
        cors_origins: args.cors_origins,
        today: Arc::new(|| chrono::Local::now().date_naive()),
    };
    // The API's routes and the auditors' web pages (contract §7).
    let server = Server::bind_with(config, plupper_server::pages::routes())?;
    say!("listening on http://{}", server.local_addr());
    server.run_until_signal()?;
    Ok(())
}
