//! Berth's shared models: the shapes of AWS resources (camelCase, as AWS's JSON), the rules that
//! validate them, and the API's request/response/error types. Compiled into both the server and the
//! browser, so every rule is written exactly once.

pub mod approvals;
pub mod apps;
pub mod auth;
pub mod deploy;
pub mod ecr;
pub mod ecs;
pub mod env;
pub mod error;
pub mod guardrails;
pub mod health;
pub mod live;
pub mod logs;
pub mod notify;
pub mod sources;
#[cfg(feature = "sqlx")]
mod stored;
pub mod validate;
