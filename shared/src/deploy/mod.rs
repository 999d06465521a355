//! Deployments: what a deploy asks for, what Berth records of each one (its own and those made
//! outside Berth), the history's filters and pages, and the rules a deploy request must meet.

mod image_ref;
mod filters;
mod model;
mod plan;
mod rules;
mod verdict;
pub mod snippets;

pub use image_ref::{EcrReference, ecr_reference};
pub use filters::*;
pub use model::*;
pub use plan::*;
pub use verdict::*;
pub use rules::{NOTE_MAX, validate_deploy, validate_redeploy};
