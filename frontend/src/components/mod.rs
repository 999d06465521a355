//! Reusable pieces; none of them fetches.

mod banner;
mod copy;
mod modal;
mod role_gate;

pub use banner::ErrorBanner;
pub use copy::CopyButton;
pub use modal::Modal;
pub use role_gate::{global_admin_gate, role_gate};
