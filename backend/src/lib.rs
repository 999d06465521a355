//! Berth's server as a library; `main.rs` only parses the command line and calls into it, so tests
//! build the very same application on port 0.

pub mod audit;
pub mod auth;
pub mod aws;
pub mod config;
pub mod demo;
pub mod deploy;
pub mod error;
pub mod extract;
pub mod ops;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod store;
pub mod telemetry;
