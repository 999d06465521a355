//! Approval before start (a guardrail): where the environment asks for it, a deploy, rollback,
//! redeploy or promotion that passes every other check becomes a request; another deployer of the
//! service approves it (which runs the checks again and starts it, recorded as the requester's
//! with who approved it) or rejects it; the requester may withdraw it (a rejection of their own);
//! undecided, it expires. CI's `wait` waits for the decision, then for the rollout.

use std::time::Duration;

use shared::approvals::{ApprovalRequest, ApprovalStatus, Decision};
use shared::auth::Role;
use shared::deploy::DeploymentKind;
use shared::ecs::task_definition::Change;
use shared::guardrails::ApprovalRule;

use super::{Action, Caller, Needs, deployments, promotions};
use crate::audit;
use crate::deploy::{Actor, Started};
use crate::error::AppError;
use crate::guardrails::approvals::{self as store, NewRequest, Operation, Stored};

/// What a deploy, rollback, redeploy or promotion did: started, or asked for approval.
pub(crate) enum Begun {
    Started(Started),
    Requested(ApprovalRequest),
}

/// Who asks for a deployment: the caller (every check, and the environment may ask for
/// approval), or an approved request (the checks again, then the start, as its requester's).
pub(crate) enum Asking {
    Caller,
    Approved {
        actor: Actor,
        /// The service's task definition when the request was made: a deploy or promotion
        /// approved against another one would not be what the approver saw.
        base: Option<String>,
        /// A rollback's target when the request was made.
        target: Option<i64>,
    },
}

impl Asking {
    /// A freeze window's override may be used: the caller is an admin of the environment, or the
    /// approved request kept one (only an admin's is kept, see [`ask`]).
    pub(super) fn may_override(&self, caller: &Caller, env: &str, reason: Option<&str>) -> bool {
        match self {
            Self::Caller => caller.principal.require(env, Role::Admin).is_ok(),
            Self::Approved { .. } => reason.is_some(),
        }
    }

    pub(super) fn actor(&self, caller: &Caller) -> Actor {
        match self {
            Self::Caller => Actor::of(&caller.principal),
            Self::Approved { actor, .. } => {
                Actor { name: actor.name.clone(), via: actor.via.clone(), approved_by: actor.approved_by.clone() }
            }
        }
    }

    /// Refuses to start an approved deploy or promotion on a service that moved since.
    pub(super) fn unchanged(&self, now: &str) -> Result<(), AppError> {
        match self {
            Self::Approved { base: Some(base), .. } if base != now => Err(AppError::Conflict {
                message: format!(
                    "The service moved from {base} to {now} since the request was made: what was approved is not what \
                     would change now. Reject it and ask again."
                ),
                field: None,
            }),
            _ => Ok(()),
        }
    }

    /// Refuses to start an approved rollback whose target changed since.
    pub(super) fn same_target(&self, id: i64) -> Result<(), AppError> {
        match self {
            Self::Approved { target: Some(target), .. } if *target != id => Err(AppError::Conflict {
                message: format!(
                    "The rollback would now go back to deployment #{id}, not #{target} as requested: the service's \
                     history changed since. Reject it and ask again."
                ),
                field: None,
            }),
            _ => Ok(()),
        }
    }
}

/// A request about to be made.
pub(super) struct Ask<'a> {
    pub cluster: &'a str,
    pub service: &'a str,
    pub kind: DeploymentKind,
    pub summary: String,
    pub operation: Operation,
    pub changes: Vec<Change>,
    pub note: Option<&'a str>,
}

/// Records the request (or finds the one an idempotency key made), audits it and announces it.
pub(super) async fn ask(
    caller: &Caller,
    env: &str,
    rule: &ApprovalRule,
    ask: Ask<'_>,
    idempotency_key: Option<&str>,
) -> Result<ApprovalRequest, AppError> {
    let pool = caller.state.store.pool();
    let admin = caller.principal.require(env, Role::Admin).is_ok();
    let mut operation = ask.operation;
    if !admin {
        // A freeze override is an admin's: anyone else's is not carried to the approval.
        operation.drop_freeze_override();
    }
    let via = caller.principal.via_label();
    let new = NewRequest {
        environment: env,
        cluster: ask.cluster,
        service: ask.service,
        kind: ask.kind,
        summary: ask.summary,
        operation,
        changes: ask.changes,
        requested_by: &caller.principal.name,
        requested_via: &via,
        idempotency_key,
        note: ask.note,
        expires_after_minutes: rule.expires_after_minutes,
    };
    let (stored, repeated) = store::insert(pool, new).await?;
    let request = stored.request();
    if !repeated {
        let resource = format!("request #{}: {}", request.id, request.summary);
        let target = audit::Target { environment: Some(env), resource: Some(resource), action: "approval.request" };
        audit::append(pool, &caller.principal.name, &via, &target, "waiting").await;
        let note = request.note.as_deref().map(|n| format!(" Note: {n}")).unwrap_or_default();
        let message = format!(
            "{} asks to {} in {env} (request #{}).{note} Another deployer approves or rejects it on Berth's \
             Approvals page before {}.",
            request.requested_by, request.summary, request.id, request.expires_at
        );
        let service = format!("{}/{}", request.cluster, request.service);
        if let Err(e) = crate::notify::outbox::enqueue_approval(pool, env, request.id, &service, message).await {
            tracing::warn!(request = request.id, error = %e, "the approval request was not announced");
        }
    }
    Ok(request)
}

/// The requests of the environments the caller can see: pending ones, or all (newest first).
pub(crate) async fn list(caller: &Caller, all: bool) -> Result<Vec<ApprovalRequest>, AppError> {
    let found = store::list(caller.state.store.pool(), &caller.visible(), !all).await?;
    Ok(found.iter().map(Stored::request).collect())
}

async fn visible(caller: &Caller, id: i64) -> Result<Stored, AppError> {
    match store::get(caller.state.store.pool(), id).await? {
        Some(found) if caller.principal.can_see(&found.environment) => Ok(found),
        _ => Err(AppError::NotFound(format!("No approval request #{id}."))),
    }
}

pub(crate) async fn get(caller: &Caller, id: i64) -> Result<ApprovalRequest, AppError> {
    Ok(visible(caller, id).await?.request())
}

/// Refuses a request that is no longer waiting.
fn still_pending(found: &Stored) -> Result<(), AppError> {
    let id = found.id;
    let by = found.decided_by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default();
    let message = match found.status() {
        ApprovalStatus::Pending => return Ok(()),
        ApprovalStatus::Expired => {
            format!("Request #{id} expired at {}: nobody decided in time. Ask again.", found.request().expires_at)
        }
        status => format!("Request #{id} was already {}{by}.", status.as_str().to_lowercase()),
    };
    Err(AppError::Conflict { message, field: None })
}

/// Someone else decided the request (or it expired) between reading it and deciding it.
async fn decided_meanwhile(caller: &Caller, id: i64) -> AppError {
    let now = match visible(caller, id).await {
        Ok(now) => now,
        Err(e) => return e,
    };
    still_pending(&now).err().unwrap_or_else(|| AppError::Conflict {
        message: format!("Request #{id} was being decided by someone else at the same moment; look again."),
        field: None,
    })
}

/// Approves a request: another deployer of its service (never its requester). The checks run
/// again and the deployment starts, as the requester's, approved by the caller. If it can't start
/// (a freeze began, another deployment runs, the service moved), the request waits again and the
/// approver is told why.
pub(crate) async fn approve(caller: &Caller, id: i64, decision: &Decision) -> Result<ApprovalRequest, AppError> {
    let found = visible(caller, id).await?;
    let resource = format!("request #{id}: {}", found.summary);
    let needs = Needs::Service { cluster: &found.cluster, service: &found.service, role: Role::Deployer };
    let env = found.environment.clone();
    caller
        .act(&env, Action::new("approval.approve", resource, needs), async |aws| {
            decision.validate(false)?;
            if found.requested_by == caller.principal.name {
                return Err(AppError::Forbidden(format!(
                    "You asked for request #{id}: another deployer of {env} approves it, never its requester."
                )));
            }
            still_pending(&found)?;
            let pool = caller.state.store.pool();
            let reason = decision.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            if !store::decide(pool, id, ApprovalStatus::Approved, &caller.principal.name, reason).await? {
                return Err(decided_meanwhile(caller, id).await);
            }
            let actor = Actor {
                name: found.requested_by.clone(),
                via: found.requested_via.clone(),
                approved_by: Some(caller.principal.name.clone()),
            };
            let key = found.idempotency_key.as_deref();
            let begun = match &found.operation.0 {
                Operation::Deploy { request, base } => {
                    let asking = Asking::Approved { actor, base: Some(base.clone()), target: None };
                    deployments::start_deploy(caller, aws, &env, request, key, &asking).await
                }
                Operation::Rollback { request, target } => {
                    let asking = Asking::Approved { actor, base: None, target: Some(*target) };
                    let service = (found.cluster.as_str(), found.service.as_str());
                    deployments::start_rollback(caller, aws, &env, service, request, key, &asking).await
                }
                Operation::Redeploy { deployment, request } => {
                    let asking = Asking::Approved { actor, base: None, target: None };
                    match caller.state.deployer.row(*deployment).await {
                        Ok(source) => deployments::start_redeploy(caller, aws, source, request, key, &asking).await,
                        Err(e) => Err(e),
                    }
                }
                Operation::Promotion { request, base } => {
                    let asking = Asking::Approved { actor, base: Some(base.clone()), target: None };
                    promotions::start(caller, &env, request, key, &asking).await
                }
            };
            match begun {
                Ok(Begun::Started(started)) => store::set_deployment(pool, id, started.record.id).await?,
                Ok(Begun::Requested(_)) => {
                    store::reopen(pool, id).await?;
                    return Err(AppError::Internal(anyhow::anyhow!("an approved request asked for approval again")));
                }
                Err(e) => {
                    store::reopen(pool, id).await?;
                    return Err(e);
                }
            }
            Ok(visible(caller, id).await?.request())
        })
        .await
}

/// Rejects a request with a reason: another deployer of its service, or its requester (who
/// withdraws it).
pub(crate) async fn reject(caller: &Caller, id: i64, decision: &Decision) -> Result<ApprovalRequest, AppError> {
    let found = visible(caller, id).await?;
    let resource = format!("request #{id}: {}", found.summary);
    let needs = Needs::Service { cluster: &found.cluster, service: &found.service, role: Role::Deployer };
    caller
        .act(&found.environment.clone(), Action::new("approval.reject", resource, needs), async |_| {
            decision.validate(true)?;
            still_pending(&found)?;
            let pool = caller.state.store.pool();
            let reason = decision.reason.as_deref().map(str::trim);
            if !store::decide(pool, id, ApprovalStatus::Rejected, &caller.principal.name, reason).await? {
                return Err(decided_meanwhile(caller, id).await);
            }
            Ok(visible(caller, id).await?.request())
        })
        .await
}

/// Waits until the request is decided (and, approved, its deployment started) or expired; CI's
/// `wait`. Every replica sees the decision in the store.
pub(crate) async fn decided(caller: &Caller, id: i64) -> Result<ApprovalRequest, AppError> {
    loop {
        let now = visible(caller, id).await?.request();
        match now.status {
            ApprovalStatus::Pending => {}
            ApprovalStatus::Approved if now.deployment.is_none() => {}
            _ => return Ok(now),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// What `wait` answers for a request once decided: its deployment, or why it never started.
pub(crate) fn outcome(request: &ApprovalRequest) -> Result<i64, AppError> {
    let id = request.id;
    let by = request.decided_by.clone().unwrap_or_default();
    let why = request.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    match (request.status, request.deployment) {
        (ApprovalStatus::Approved, Some(deployment)) => Ok(deployment),
        (ApprovalStatus::Rejected, _) => {
            Err(AppError::Conflict { message: format!("Request #{id} was rejected by {by}{why}"), field: None })
        }
        _ => Err(AppError::Conflict {
            message: format!("Request #{id} expired at {}: nobody decided in time.", request.expires_at),
            field: None,
        }),
    }
}
