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
use shared::guardrails::{ApprovalRule, Guardrails};

use super::{Action, Caller, Needs, deployments, promotions};
use crate::audit;
use crate::auth::Via;
use crate::deploy::{Actor, Started};
use crate::error::AppError;
use crate::guardrails::approvals::{self as store, Expected, NewRequest, Operation, Stored};

/// What a deploy, rollback, redeploy or promotion did: started, or asked for approval.
pub(crate) enum Begun {
    Started(Started),
    Requested(ApprovalRequest),
}

/// Who asks for a deployment: the caller (every check, and the environment may ask for
/// approval), or an approved request (the checks again, then the start, as its requester's).
pub(crate) enum Asking {
    Caller,
    Approved { actor: Actor, expected: Expected },
}

fn changed(message: String) -> AppError {
    AppError::Conflict {
        message: format!("{message} What was approved is not what would happen now: reject it and ask again."),
        field: None,
    }
}

impl Asking {
    /// A freeze window's override may be used: the caller is an admin of the environment, or the
    /// approved request kept an admin's override of the very window that is on now.
    pub(super) fn may_override(&self, caller: &Caller, env: &str, rails: &Guardrails, reason: Option<&str>) -> bool {
        match self {
            Self::Caller => caller.principal.require(env, Role::Admin).is_ok(),
            Self::Approved { expected, .. } => {
                let on = crate::guardrails::freeze::frozen_at(&rails.freeze_windows, jiff::Timestamp::now());
                reason.is_some() && on.is_some_and(|w| expected.freeze_window.as_deref() == Some(w.name.as_str()))
            }
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

    /// Approval is in play: the environment asks for it, or this is an approved request (whose
    /// expectations are checked). Otherwise a deploy makes no call for it.
    pub(super) fn gated(&self, rails: &Guardrails) -> bool {
        rails.approval.is_some() || matches!(self, Self::Approved { .. })
    }

    fn expected(&self) -> Option<&Expected> {
        match self {
            Self::Caller => None,
            Self::Approved { expected, .. } => Some(expected),
        }
    }

    /// Refuses to start an approved request on a service that moved since it was made.
    pub(super) fn unchanged(&self, now: &str) -> Result<(), AppError> {
        match self.expected().and_then(|e| e.base.as_deref()) {
            Some(base) if base != now => {
                Err(changed(format!("The service moved from {base} to {now} since the request was made.")))
            }
            _ => Ok(()),
        }
    }

    /// Refuses to start an approved rollback or redeploy whose target changed since.
    pub(super) fn same_target(&self, id: i64) -> Result<(), AppError> {
        match self.expected().and_then(|e| e.target) {
            Some(target) if target != id => Err(changed(format!(
                "It would now deploy the revision of deployment #{id}, not #{target} as requested."
            ))),
            _ => Ok(()),
        }
    }

    /// Refuses to start an approved deploy whose tags name other digests than when asked.
    pub(super) fn same_digests(&self, now: &[(String, String)]) -> Result<(), AppError> {
        let Some(expected) = self.expected() else { return Ok(()) };
        for (image, digest) in &expected.digests {
            let found = now.iter().find(|(i, _)| i == image).map(|(_, d)| d.as_str());
            if found != Some(digest.as_str()) {
                let now = found.unwrap_or("nothing");
                return Err(changed(format!("{image} names {now} now, not {digest} as when the request was made.")));
            }
        }
        Ok(())
    }

    /// Refuses to start an approved promotion whose source or images changed since.
    pub(super) fn same_promotion(&self, source: i64, images: &[String]) -> Result<(), AppError> {
        match self.expected().and_then(|e| e.promoted.as_ref()) {
            Some((id, _)) if *id != source => Err(changed(format!(
                "The source environment runs the release of deployment #{source} now, not #{id} as requested."
            ))),
            Some((_, expected)) if expected.as_slice() != images => {
                Err(changed(format!("The promoted images are {} now, not {}.", images.join(", "), expected.join(", "))))
            }
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
    pub expected: Expected,
    /// The freeze window the request's override was used for (an admin's), if one was.
    pub overridden: Option<String>,
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
    let (mut operation, mut expected) = (ask.operation, ask.expected);
    // A freeze override is carried only when an admin's was used now, and only for that window.
    match ask.overridden {
        Some(window) if caller.principal.require(env, Role::Admin).is_ok() => expected.freeze_window = Some(window),
        _ => operation.drop_freeze_override(),
    }
    let via = caller.principal.via_label();
    let new = NewRequest {
        environment: env,
        cluster: ask.cluster,
        service: ask.service,
        kind: ask.kind,
        summary: ask.summary,
        operation,
        expected,
        changes: ask.changes,
        requested_by: &caller.principal.name,
        requested_via: &via,
        idempotency_key,
        note: ask.note,
        expires_after_minutes: rule.expires_after_minutes,
    };
    let (stored, repeated) = store::insert(pool, new).await?;
    if repeated && (stored.environment != env || stored.cluster != ask.cluster || stored.service != ask.service) {
        return Err(AppError::Conflict {
            message: "This Idempotency-Key was sent before for another service: use a new key per request.".into(),
            field: None,
        });
    }
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
    let pool = caller.state.store.pool();
    let mut found = store::list(pool, &caller.visible(), !all).await?;
    for request in &mut found {
        store::settle(pool, request).await?;
    }
    Ok(found.iter().filter(|r| all || r.status() == ApprovalStatus::Pending).map(Stored::request).collect())
}

async fn visible(caller: &Caller, id: i64) -> Result<Stored, AppError> {
    let pool = caller.state.store.pool();
    match store::get(pool, id).await? {
        Some(mut found) if caller.principal.can_see(&found.environment) => {
            store::settle(pool, &mut found).await?;
            Ok(found)
        }
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

/// Approves a request: a person (signed in, not an API token) with the deployer role for its
/// service, never its requester. The checks run again and the deployment starts, as the
/// requester's, approved by the caller. If it can't start (a freeze began, another deployment
/// runs, the service moved), the request waits again and the approver is told why.
pub(crate) async fn approve(caller: &Caller, id: i64, decision: &Decision) -> Result<ApprovalRequest, AppError> {
    let found = visible(caller, id).await?;
    let resource = format!("request #{id}: {}", found.summary);
    let needs = Needs::Service { cluster: &found.cluster, service: &found.service, role: Role::Deployer };
    let env = found.environment.clone();
    caller
        .act(&env, Action::new("approval.approve", resource, needs), async |_| {
            decision.validate(false)?;
            if matches!(caller.principal.via, Via::Token { .. }) {
                return Err(AppError::Forbidden(
                    "An approval is a person's decision: sign in to Berth to approve (an API token can't).".into(),
                ));
            }
            if found.requested_by == caller.principal.name {
                return Err(AppError::Forbidden(format!(
                    "You asked for request #{id}: another deployer of {env} approves it, never its requester."
                )));
            }
            still_pending(&found)?;
            let reason = decision.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
            // In a task of its own: a client that goes away mid-way can't leave it half done.
            let (caller, found) = (caller.clone(), found.clone());
            tokio::spawn(async move { decide_and_start(&caller, found, reason).await })
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("approving request #{id}: {e}")))?
        })
        .await
}

/// The requester may still deploy this service: a user not disabled with the deployer role in
/// the environment, or a token (`token ID (name)`) not revoked or expired that still covers it. A
/// deployment starts as theirs: one who lost the right since asking is not deployed for.
async fn requester_may_still(caller: &Caller, found: &Stored) -> Result<(), AppError> {
    let pool = caller.state.store.pool();
    let (env, service) = (&found.environment, format!("{}/{}", found.cluster, found.service));
    let token =
        found.requested_via.strip_prefix("token ").and_then(|t| t.split_whitespace().next()?.parse::<i64>().ok());
    let still = match token {
        Some(token) => {
            let now = time::OffsetDateTime::now_utc();
            crate::auth::tokens::get(pool, token).await.map_err(AppError::Internal)?.is_some_and(|t| {
                let unexpired =
                    time::OffsetDateTime::parse(&t.expires_at, &time::format_description::well_known::Rfc3339)
                        .is_ok_and(|at| at > now);
                let covers = t.services.as_ref().is_none_or(|s| s.contains(&service));
                t.revoked_at.is_none()
                    && unexpired
                    && covers
                    && shared::auth::role_in(&t.effective_grants, env).is_some_and(|r| r >= Role::Deployer)
            })
        }
        None => crate::auth::users::info(pool, &found.requested_by)
            .await
            .map_err(AppError::Internal)?
            .is_some_and(|u| shared::auth::role_in(&u.grants, env).is_some_and(|r| r >= Role::Deployer)),
    };
    if still {
        return Ok(());
    }
    Err(AppError::Conflict {
        message: format!(
            "{} ({}) who asked for request #{} may no longer deploy {service} in {env}: it would start as theirs. \
             Reject it.",
            found.requested_by, found.requested_via, found.id
        ),
        field: None,
    })
}

async fn decide_and_start(caller: &Caller, found: Stored, reason: Option<String>) -> Result<ApprovalRequest, AppError> {
    let (pool, id) = (caller.state.store.pool(), found.id);
    let Some((operation, expected)) = found.operation() else {
        return Err(AppError::Conflict {
            message: format!(
                "Request #{id} was made by an earlier version of Berth and can't be started: reject it and ask again."
            ),
            field: None,
        });
    };
    requester_may_still(caller, &found).await?;
    if !store::decide(pool, id, ApprovalStatus::Approved, &caller.principal.name, reason.as_deref()).await? {
        return Err(decided_meanwhile(caller, id).await);
    }
    let env = found.environment.as_str();
    let actor = Actor {
        name: found.requested_by.clone(),
        via: found.requested_via.clone(),
        approved_by: Some(caller.principal.name.clone()),
    };
    let asking = Asking::Approved { actor, expected };
    let key = store::key_of(id);
    let key = Some(key.as_str());
    let begun = async {
        let aws = caller.state.environments.get(env)?;
        match operation {
            Operation::Deploy { request } => deployments::start_deploy(caller, aws, env, &request, key, &asking).await,
            Operation::Rollback { request } => {
                let service = (found.cluster.as_str(), found.service.as_str());
                deployments::start_rollback(caller, aws, env, service, &request, key, &asking).await
            }
            Operation::Redeploy { deployment, request } => {
                let source = caller.state.deployer.row(deployment).await?;
                deployments::start_redeploy(caller, aws, source, &request, key, &asking).await
            }
            Operation::Promotion { request } => promotions::start(caller, env, &request, key, &asking).await,
        }
    }
    .await;
    match begun {
        Ok(Begun::Started(started)) => store::set_deployment(pool, id, started.record.id).await?,
        Ok(Begun::Requested(_)) => {
            store::reopen(pool, id).await?;
            return Err(AppError::Internal(anyhow::anyhow!("approved request #{id} asked for approval again")));
        }
        Err(e) => {
            // A deployment recorded before AWS refused a step was tried: the request stays
            // approved, linked to it (FAILED). Otherwise nothing started: it waits again.
            match crate::deploy::records::id_by_key(pool, &found.requested_by, &store::key_of(id)).await? {
                Some(deployment) => store::set_deployment(pool, id, deployment).await?,
                None => store::reopen(pool, id).await?,
            }
            return Err(e);
        }
    }
    Ok(visible(caller, id).await?.request())
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

/// How long CI's `wait` waits for a decision before answering 202 with the request (to poll).
pub(crate) const DECISION_WAIT: Duration = Duration::from_secs(30 * 60);

/// Waits until the request is decided (and, approved, its deployment started) or expired, at most
/// `limit`; CI's `wait`. Every replica sees the decision in the store.
pub(crate) async fn decided(caller: &Caller, id: i64, limit: Duration) -> Result<ApprovalRequest, AppError> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = visible(caller, id).await?.request();
        let waiting = now.status == ApprovalStatus::Pending
            || (now.status == ApprovalStatus::Approved && now.deployment.is_none());
        if !waiting || tokio::time::Instant::now() >= deadline {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// What `wait` answers for a request once decided: its deployment, or why it never started.
/// `None` while it still waits (for a decision, or for its deployment to be linked).
pub(crate) fn outcome(request: &ApprovalRequest) -> Result<Option<i64>, AppError> {
    let id = request.id;
    let by = request.decided_by.clone().unwrap_or_default();
    let why = request.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    match (request.status, request.deployment) {
        (ApprovalStatus::Approved, Some(deployment)) => Ok(Some(deployment)),
        (ApprovalStatus::Pending | ApprovalStatus::Approved, _) => Ok(None),
        (ApprovalStatus::Rejected, _) => {
            Err(AppError::Conflict { message: format!("Request #{id} was rejected by {by}{why}"), field: None })
        }
        _ => Err(AppError::Conflict {
            message: format!("Request #{id} expired at {}: nobody decided in time.", request.expires_at),
            field: None,
        }),
    }
}
