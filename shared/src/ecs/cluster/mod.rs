//! Clusters: what the create wizard sends (a cluster, and optionally EC2 capacity built the way the
//! AWS console's "EC2 Linux + Networking" did, with today's launch template + Auto Scaling group +
//! capacity provider), the rules AWS applies to it, and the views the pages show.

mod rules;
mod spec;
mod views;

pub use rules::{check_instance_type, key_name_error, validate};
pub use spec::*;
pub use views::*;

#[cfg(test)]
mod tests;
