//! Reusable pieces; none of them fetches.

mod banner;
mod copy;
mod modal;
mod redeploy_plan;
mod role_gate;

pub use banner::ErrorBanner;
pub use copy::CopyButton;
pub use modal::Modal;
pub use redeploy_plan::{ChangeTable, ImageTable, PlanView, outcome_badge};
pub use role_gate::{global_admin_gate, role_gate};
