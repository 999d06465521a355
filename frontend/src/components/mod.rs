//! Reusable pieces, no page logic: they render what they are given and report through callbacks.
//! The ECR picker alone reads the API (the environment's repositories and images, cached).

mod banner;
mod copy;
mod ecr_picker;
pub mod form;
mod import_panel;
mod json_export;
mod modal;
mod outcome;
mod redeploy_plan;
mod role_gate;
mod tags;

pub use banner::ErrorBanner;
pub use copy::CopyButton;
pub use ecr_picker::EcrPicker;
pub use import_panel::{ImportOutcome, ImportPanel};
pub use json_export::JsonExport;
pub use modal::Modal;
pub use outcome::outcome_badge;
pub use redeploy_plan::{ChangeTable, ImageTable, PlanView};
pub use role_gate::{global_admin_gate, role_gate};
pub use tags::TagsEditor;
