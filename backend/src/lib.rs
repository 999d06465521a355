//! Berth's server as a library; `main.rs` only parses the command line and calls into it, so tests
//! build the very same application on port 0. A module is `pub` only when the tests, the CLI or
//! the benchmarks use it; the rest is `pub(crate)`, so the compiler reports what nothing uses.

pub mod audit;
pub mod auth;
pub mod aws;
pub mod config;
pub(crate) mod demo;
pub mod deploy;
pub mod error;
pub(crate) mod extract;
pub(crate) mod guardrails;
pub(crate) mod live_links;
pub mod logs;
pub(crate) mod notify;
pub(crate) mod ops;
pub mod replicas;
pub mod routes;
pub(crate) mod security_headers;
pub mod startup;
pub mod state;
pub(crate) mod static_files;
pub mod store;
pub mod telemetry;
