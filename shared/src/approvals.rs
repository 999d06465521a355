//! Approval before start: where an environment's guardrails ask for it, a deploy, rollback or
//! promotion becomes a request that another deployer approves (which starts it) or rejects. Never
//! its requester; a request left undecided expires.

use serde::{Deserialize, Serialize};

use crate::deploy::{DeploymentKind, DeploymentRecord};
use crate::ecs::task_definition::Change;
use crate::error::FieldError;
use crate::guardrails::REASON_MAX;
use crate::validate::{Errors, char_len};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApprovalStatus {
    Pending,
    /// Another deployer approved it: the deployment started (`deployment`).
    Approved,
    Rejected,
    /// Nobody decided in time.
    Expired,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected, Self::Expired].into_iter().find(|s| s.as_str() == text)
    }
}

/// A deploy, rollback or promotion waiting for (or given) another deployer's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    pub id: i64,
    pub environment: String,
    pub cluster: String,
    pub service: String,
    /// `deploy`, `rollback` or `promotion`.
    pub kind: DeploymentKind,
    /// What it would do, in a line: the images, the rollback's target, the promotion's source.
    pub summary: String,
    pub requested_by: String,
    /// `session`, `token 3 (gitlab-ci)`, …
    pub requested_via: String,
    pub note: Option<String>,
    /// RFC 3339.
    pub requested_at: String,
    pub expires_at: String,
    pub status: ApprovalStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The approver's comment or the rejection's reason.
    pub reason: Option<String>,
    /// Once approved: the deployment it started.
    pub deployment: Option<i64>,
    /// The service's task definition now -> as the request would register it.
    pub changes: Vec<Change>,
}

/// `POST /api/approvals/{id}/approve` and `…/reject`: a rejection says why; an approval may.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Decision {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Decision {
    pub fn validate(&self, rejecting: bool) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let reason = self.reason.as_deref().map(str::trim).unwrap_or("");
        if rejecting && reason.is_empty() {
            errors.add("reason", "Say why it is rejected: the requester reads it.");
        } else if char_len(reason) > REASON_MAX {
            errors.add("reason", format!("At most {REASON_MAX} characters."));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.into_vec()) }
    }
}

/// What a deploy, rollback or promotion answers: the deployment it started, or, where the
/// environment asks for approval, the request waiting for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Submitted {
    /// Tried first: a deployment has no `requestedBy`.
    Approval(Box<ApprovalRequest>),
    Deployment(Box<DeploymentRecord>),
}

/// The shortest and longest time a request waits (minutes): Berth's own bounds.
pub const EXPIRY_MINUTES: (u32, u32) = (5, 7 * 24 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason_and_an_approval_may_have_one() {
        assert!(Decision::default().validate(false).is_ok());
        assert_eq!(Decision::default().validate(true).unwrap_err()[0].path, "reason");
        let long = Decision { reason: Some("x".repeat(REASON_MAX + 1)) };
        assert!(long.validate(false).is_err());
    }

    #[test]
    fn an_answer_reads_as_a_request_or_a_deployment() {
        let text = r#"{"id": 3, "environment": "prod", "cluster": "c", "service": "s", "kind": "deploy",
            "summary": "web=repo:v2", "requestedBy": "ana", "requestedVia": "session", "note": null,
            "requestedAt": "2026-12-03T10:00:00Z", "expiresAt": "2026-12-03T11:00:00Z", "status": "PENDING",
            "decidedBy": null, "decidedAt": null, "reason": null, "deployment": null, "changes": []}"#;
        let Submitted::Approval(request) = serde_json::from_str(text).unwrap() else { panic!("a request") };
        assert_eq!(request.status, ApprovalStatus::Pending);
    }
}
