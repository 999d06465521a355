//! The history's filter choices. A service is named by environment, cluster and service together:
//! two clusters may each run a service of the same name, and their histories are not one.

use serde::{Deserialize, Serialize};

/// A service that has deployments in the history: `GET /api/deployments/services`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeployedService {
    pub environment: String,
    pub cluster: String,
    pub service: String,
}

impl DeployedService {
    /// `env / cluster / service`, as the history's filters show it.
    pub fn label(&self) -> String {
        format!("{} / {} / {}", self.environment, self.cluster, self.service)
    }
}
