//! Environments: an account + region + credentials, as configured on the server.

use serde::{Deserialize, Serialize};

/// What the browser may know of an environment (never how credentials are obtained).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    pub name: String,
    pub region: String,
    /// True when the environment is the local AWS emulator, not a real account.
    pub local: bool,
}
