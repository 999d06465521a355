//! Who is calling and what they may do. Every API route except health and login sits behind
//! [`require_login`]; handlers then ask the [`Principal`] for the role they need.

pub mod rate_limit;
pub mod secrets;
pub(crate) mod sessions;
pub(crate) mod time;
pub(crate) mod tokens;
pub mod users;

mod middleware;
mod principal;

pub(crate) use middleware::{LoginGate, require_login};
pub(crate) use principal::Auth;
pub use principal::{Principal, Via};
