use serde::{Deserialize, Serialize};

use crate::ecs::service::ServiceEvent;
use crate::ecs::task_definition::Change;

/// `POST /api/envs/{env}/deployments`: a new image for one or more containers of a service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeployRequest {
    pub cluster: String,
    pub service: String,
    /// The containers whose image changes; the others keep theirs.
    pub images: Vec<ImageChange>,
    /// Why, in a few words (shown in the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An admin deploys during a freeze window: why (audited, shown in the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_override: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageChange {
    /// A container name of the service's task definition.
    pub container: String,
    /// `registry/repository:tag` or `registry/repository@sha256:...`.
    pub image: String,
}

/// `POST .../rollback` and `POST /api/deployments/{id}/redeploy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedeployRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Roll back: to this deployment's revision rather than the default target (needed when the
    /// service already runs the last good release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<i64>,
    /// The target revision's latest deployment failed, and the caller has read why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge_failure: Option<bool>,
    /// An admin deploys during a freeze window: why (audited, shown in the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_override: Option<String>,
}

/// How a deployment came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeploymentKind {
    /// New images through Berth (button or API).
    Deploy,
    /// "Roll back": the last successful deployment's revision again.
    Rollback,
    /// A history entry deployed again.
    Redeploy,
    /// The service moved to a revision without Berth (AWS CLI, console, another tool), or by a
    /// service update made in Berth (then with who made it).
    External,
    /// The service's first deployment, when Berth created the service.
    Create,
    /// Another environment's release, promoted: its image digests exactly, and the fields of its
    /// task definition the promoter chose to take (`promotedFrom` names the source deployment).
    Promotion,
}

impl DeploymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deploy => "deploy",
            Self::Rollback => "rollback",
            Self::Redeploy => "redeploy",
            Self::External => "external",
            Self::Create => "create",
            Self::Promotion => "promotion",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Deploy, Self::Rollback, Self::Redeploy, Self::External, Self::Create, Self::Promotion]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// How a deployment ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    InProgress,
    /// ECS reported the rollout COMPLETED.
    Succeeded,
    /// The rollout FAILED (with a circuit-breaker rollback, `rolledBackTo` says to what), or a
    /// step before it was refused by AWS.
    Failed,
    /// Another deployment of the service replaced it before it ended.
    Superseded,
    /// Still not done when Berth stopped waiting.
    TimedOut,
}

impl Outcome {
    pub const ALL: [Self; 5] = [Self::InProgress, Self::Succeeded, Self::Failed, Self::Superseded, Self::TimedOut];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Superseded => "SUPERSEDED",
            Self::TimedOut => "TIMED_OUT",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    pub fn ended(self) -> bool {
        self != Self::InProgress
    }
}

/// The steps of a Berth deployment, each recorded before the next begins (a deployment left in
/// flight by a crash resumes after its last step). Deployments Berth follows without driving them
/// (external, create) start at `Updated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeployStep {
    /// Written before the first AWS call.
    Recorded,
    /// The new revision is registered.
    Registered,
    /// UpdateService started the ECS deployment.
    Updated,
    /// The outcome is known.
    Ended,
}

impl DeployStep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Registered => "registered",
            Self::Updated => "updated",
            Self::Ended => "ended",
        }
    }
}

/// An image a deployment put in a container: the reference as deployed, and the tag and digest
/// Berth found for it in ECR (when it is one of the environment's repositories).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeployedImage {
    pub container: String,
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// One deployment as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentRecord {
    pub id: i64,
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    /// The user, or the token's owner; `external` for deployments made outside Berth.
    pub actor: String,
    /// `session`, `token 3 (gitlab-ci)`, ...
    pub via: String,
    pub note: Option<String>,
    pub outcome: Outcome,
    /// Why it ended as it did, in words (AWS's reason when AWS gave one).
    pub reason: Option<String>,
    /// The last step done.
    pub step: DeployStep,
    /// `family:revision` before.
    pub from_task_definition: Option<String>,
    /// `family:revision` deployed.
    pub to_task_definition: Option<String>,
    /// With a circuit-breaker rollback: the `family:revision` ECS went back to.
    pub rolled_back_to: Option<String>,
    pub images: Vec<DeployedImage>,
    /// The id of the ECS deployment UpdateService started (`ecs-svc/...`).
    pub ecs_deployment_id: Option<String>,
    /// RFC 3339.
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration_ms: Option<i64>,
    /// Why it FAILED: the stopped tasks' reasons, kept for ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<super::Verdict>,
    /// In a `wait=true` answer (202): the rollout waits at this PAUSE hook for someone to continue
    /// or roll it back (`POST …/services/S/rollout/answer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_approval: Option<super::native::HookState>,
    /// Made during a freeze window by an admin's override: the window, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_override: Option<String>,
    /// Started once another deployer approved its request (the environment asks for approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// A promotion: the deployment in another environment whose release it promoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted_from: Option<PromotedFrom>,
}

/// The source of a promotion: a deployment of another environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PromotedFrom {
    pub id: i64,
    pub environment: String,
}

impl DeploymentRecord {
    /// Who started it and how, for a person: "deploy by ana (session)", "service update by ana
    /// (session)" (a settings change made in Berth that started an ECS deployment), "made outside
    /// Berth" (AWS CLI, console, another tool).
    pub fn made_by(&self) -> String {
        match self.kind {
            DeploymentKind::External if self.actor == "external" => "made outside Berth".into(),
            DeploymentKind::Create => format!("created by {} ({})", self.actor, self.via),
            _ => {
                let approved = self.approved_by.as_ref().map(|by| format!(", approved by {by}")).unwrap_or_default();
                let from = self.promoted_from.as_ref().map(|f| format!(" from {}", f.environment)).unwrap_or_default();
                format!("{}{from} by {} ({}){approved}", self.kind_label(), self.actor, self.via)
            }
        }
    }

    /// The kind for a person: an external deployment that a service update made in Berth started
    /// is a "service update".
    pub fn kind_label(&self) -> &'static str {
        match self.kind {
            DeploymentKind::External if self.actor != "external" => "service update",
            kind => kind.as_str(),
        }
    }
}

/// A deployment's page: the record, the task definition's changes and the rollout's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentDetail {
    pub deployment: DeploymentRecord,
    /// From -> to, field by field (empty when either is unknown).
    pub changes: Vec<Change>,
    /// The service's events during the rollout, newest first.
    pub events: Vec<ServiceEvent>,
    /// It failed or was rolled back: the failed-image guard holds its images back until someone
    /// acknowledges it (when the environment has the guard on).
    #[serde(default)]
    pub counts_as_failed: bool,
    /// Its failure acknowledged (the failed-image guard), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledgements: Vec<crate::guardrails::Acknowledgement>,
}

/// `GET /api/deployments` filters; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryQuery {
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    /// Who deployed (exact name, or `external`).
    pub actor: Option<String>,
    /// `SUCCEEDED`, `FAILED`, ...
    pub outcome: Option<String>,
    /// First day included, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// A page of the history, newest first; `next` fetches the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub items: Vec<DeploymentRecord>,
    pub next: Option<String>,
}

/// Deployments of one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub total: i64,
    pub failed: i64,
}

/// The charts' figures over the filtered range (ended deployments only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryStats {
    pub days: Vec<DayCount>,
    /// Failed / ended, 0 to 1; absent with nothing ended.
    pub change_failure_rate: Option<f64>,
    pub median_duration_ms: Option<i64>,
}

/// What the live stream of a service sends: the service as last polled, or why it could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceSnapshot {
    /// Counts polls of this watch.
    pub seq: u64,
    /// Unix milliseconds of the poll.
    pub polled_at_ms: i64,
    pub service: Option<crate::ecs::service::ServiceDetail>,
    pub error: Option<crate::error::ApiError>,
    /// The Berth deployment of this service in progress, if any.
    pub deployment: Option<DeploymentRecord>,
    /// ECS's own record of the service's current deployment, where the environment has it.
    #[serde(default)]
    pub rollout: Option<super::native::NativeRollout>,
    /// The targets of the service's target groups and their health (empty without a load balancer).
    #[serde(default)]
    pub targets: Vec<super::native::TargetHealth>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, actor: &str, via: &str) -> DeploymentRecord {
        serde_json::from_value(serde_json::json!({
            "id": 1, "environment": "prod", "cluster": "c", "service": "s", "kind": kind, "actor": actor,
            "via": via, "note": null, "outcome": "SUCCEEDED", "reason": null, "step": "ended",
            "fromTaskDefinition": null, "toTaskDefinition": null, "rolledBackTo": null, "images": [],
            "ecsDeploymentId": null, "startedAt": "2026-11-25T08:00:00Z", "endedAt": null, "durationMs": null
        }))
        .unwrap()
    }

    #[test]
    fn who_made_a_deployment_reads_as_a_person_would_say_it() {
        assert_eq!(record("deploy", "ana", "session").made_by(), "deploy by ana (session)");
        assert_eq!(record("external", "external", "outside Berth").made_by(), "made outside Berth");
        let update = record("external", "ana", "session");
        assert_eq!(
            (update.made_by().as_str(), update.kind_label()),
            ("service update by ana (session)", "service update")
        );
        assert_eq!(record("rollback", "ci", "token ci-deploy").kind_label(), "rollback");
        let mut promoted = record("promotion", "ana", "session");
        promoted.approved_by = Some("bo".into());
        promoted.promoted_from = Some(PromotedFrom { id: 7, environment: "staging".into() });
        assert_eq!(promoted.made_by(), "promotion from staging by ana (session), approved by bo");
    }
}
