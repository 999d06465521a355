//! Services: the CreateService input as `aws ecs create-service --cli-input-json` takes it (so the
//! seed's template imports as is), the UpdateService input, and the rules that tie a service to
//! its task definition and launch type.

mod import;
mod rules;
mod spec;
mod strategy_rules;
mod update;
mod views;

pub use import::{ImportedService, import};
pub use rules::{TASKS_PER_SERVICE_MAX, desired_count_error, validate};
pub use spec::*;
pub use strategy_rules::shifts_traffic;
pub use update::{after_update, scale_errors};
pub use views::*;

#[cfg(test)]
mod tests;
