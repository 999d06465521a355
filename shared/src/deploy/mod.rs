//! Deployments: what a deploy asks for, what Berth records of each one (its own and those made
//! outside Berth), the history's filters and pages, and the rules a deploy request must meet.

mod filters;
mod history_query;
mod image_ref;
mod model;
mod native;
mod plan;
pub mod promotion;
mod rules;
pub mod snippets;
mod verdict;

pub use filters::*;
pub use history_query::{DAY_MS, HistoryFilter, day_ms};
pub use image_ref::{EcrReference, ecr_reference, pinned_to};
pub use model::*;
pub use native::*;
pub use plan::*;
pub use rules::{NOTE_MAX, validate_deploy, validate_redeploy};
pub use verdict::*;
