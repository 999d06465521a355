//! Deployments: what a deploy asks for, what Berth records of each one (its own and those made
//! outside Berth), the history's filters and pages, and the rules a deploy request must meet.

mod filters;
mod model;
mod rules;
pub mod snippets;

pub use filters::*;
pub use model::*;
pub use rules::{NOTE_MAX, validate_deploy, validate_redeploy};
