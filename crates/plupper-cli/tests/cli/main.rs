//! The command-line tests of `plupper-archive`: one test binary, one harness
//! ([`harness::Sandbox`]), the real binary run in a temporary directory with an empty
//! environment.
//!
//! Each module takes one part of the contract (`/work/shared/CONTRACT.md` in the
//! project's shared folder): what an import keeps and adds, what comes back out, what
//! happens to damaged input and interrupted runs, and the API's filter rules as the
//! `query` command answers them.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

mod harness;

mod archive_dir;
mod concurrent;
mod counts;
mod damaged;
mod dates;
mod engines;
mod extras;
mod filters;
mod formats;
mod help;
mod index;
mod interrupted;
mod malformed;
mod order;
mod pages;
mod params;
mod reimport;
mod sample;
mod search;
mod serve;
mod show;
mod stdin;
mod stdout_gone;
mod sync;
mod terminal;
mod verbatim;
mod verbose;
