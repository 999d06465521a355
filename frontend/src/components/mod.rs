//! Reusable pieces; none of them fetches.

mod banner;
mod copy;
mod modal;

pub use banner::ErrorBanner;
pub use copy::CopyButton;
pub use modal::Modal;
