//! Clusters: the list, a cluster's page, and the create wizard with its live steps.

mod key_pair;
mod list;
mod page;
mod steps;
mod wizard;

pub use list::ClustersPage;
pub use page::ClusterPage;
pub use wizard::CreateClusterPage;
