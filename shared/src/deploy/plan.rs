//! What "Roll back" and "Deploy this revision again" would do, shown before anything happens.

use serde::{Deserialize, Serialize};

use super::model::{DeployedImage, DeploymentRecord};
use crate::ecs::task_definition::Change;
use crate::error::FieldError;

/// `GET .../rollback` and `GET /api/deployments/{id}/redeploy`: the target, what runs now, the
/// difference, and what needs saying first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RedeployPlan {
    /// `family:revision` the service runs now.
    pub current_task_definition: String,
    /// The images running now (tag and digest as the deployment that put them there recorded).
    pub current_images: Vec<DeployedImage>,
    /// The deployment whose revision would go out again: its revision, images, who, when and how
    /// it ended. `None`: nothing to roll back to.
    pub target: Option<DeploymentRecord>,
    /// What runs now -> the target, field by field.
    pub changes: Vec<Change>,
    /// The service already runs the last good release (ECS rolled the failed one back): this says
    /// so, and `target` (the release before it) is deployed only when asked for by id.
    pub already_rolled_back: Option<String>,
    /// The target revision's latest deployment FAILED: deploying it needs `acknowledgeFailure`.
    pub failed_before: Option<FailedBefore>,
    /// In one sentence, what confirming does (or why it can't).
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FailedBefore {
    pub deployment: i64,
    /// "This revision failed on #5: 4 of 4 tasks failed to start: CannotPullContainerError: …".
    pub message: String,
}

/// `POST .../deployments/preview`: the task definition's changes and what deserves a second look
/// (an image Berth can't check: outside the environment's ECR).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeployPreview {
    pub changes: Vec<Change>,
    pub warnings: Vec<FieldError>,
}
