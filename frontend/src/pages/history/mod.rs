//! The deployment history: every deployment across environments with filters and keyset pages,
//! the charts over the selected range, a service's timeline, and one deployment's page.

mod charts;
mod detail;
mod list;
mod live;
mod service_filter;

pub use detail::DeploymentPage;
pub use list::HistoryPage;
pub use live::LivePage;
