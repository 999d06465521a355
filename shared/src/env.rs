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
    /// Who may answer a deployment waiting at a PAUSE hook.
    #[serde(default)]
    pub approvals: ApprovalPolicy,
}

/// Who may continue (or roll back) a deployment waiting at a PAUSE lifecycle hook, per
/// environment (`[environments.approvals]` in the server's configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// The least role that may answer (deployer unless the environment names another).
    #[serde(default = "deployer")]
    pub role: crate::auth::Role,
    /// Four eyes: the approver must not be the person (or token) who started the deployment.
    #[serde(default, alias = "four_eyes")]
    pub four_eyes: bool,
}

fn deployer() -> crate::auth::Role {
    crate::auth::Role::Deployer
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self { role: deployer(), four_eyes: false }
    }
}
