//! Who is calling and what they may do. Every API route except health and login sits behind
//! [`require_login`]; handlers then ask the [`Principal`] for the role they need.

pub mod rate_limit;
pub mod secrets;
pub mod sessions;
pub mod time;
pub mod tokens;
pub mod users;

mod middleware;
mod principal;

pub use middleware::{CSRF_HEADER, LoginGate, require_login};
pub use principal::{Auth, Principal, Via};
