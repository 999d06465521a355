//! Guardrails: an environment's admins set them; deploys are checked against them here, before any
//! change is made; a deployer acknowledges a failure so its images may go out again.

use shared::auth::Role;
use shared::deploy::{DeployRequest, DeployedImage, Outcome};
use shared::error::FieldError;
use shared::guardrails::{AcknowledgeRequest, Acknowledgement, Guardrails, GuardrailsInfo, REASON_MAX};

use super::{Action, Caller, Needs};
use crate::audit;
use crate::aws::AwsEnv;
use crate::error::AppError;
use crate::guardrails::{self, freeze};

/// The environment's guardrails: anyone who can see the environment may read them (a deployer
/// should know what will refuse a deploy).
pub(crate) async fn get(caller: &Caller, env: &str) -> Result<GuardrailsInfo, AppError> {
    caller.read(env)?;
    Ok(guardrails::get(caller.state.store.pool(), env).await?)
}

/// Sets the environment's guardrails (its admins, not a token limited to some services).
pub(crate) async fn set(caller: &Caller, env: &str, new: &Guardrails) -> Result<GuardrailsInfo, AppError> {
    let document = serde_json::to_string(new).unwrap_or_default();
    let resource = format!("guardrails of {env}: {}", document.chars().take(2000).collect::<String>());
    let action = Action::new("guardrails.set", resource, Needs::Unscoped(Role::Admin));
    caller
        .act(env, action, async |_| {
            freeze::check(new)?;
            Ok(guardrails::set(caller.state.store.pool(), env, new, &caller.principal.name).await?)
        })
        .await
}

/// The environment's guardrails, read once per request for every check.
pub(crate) async fn of(caller: &Caller, env: &str) -> Result<Guardrails, AppError> {
    Ok(guardrails::get(caller.state.store.pool(), env).await?.guardrails)
}

/// An admin's override of a freeze window: recorded on the deployment, and audited once the
/// deployment has started (a deploy refused for another reason leaves no override behind).
pub(crate) struct Override {
    /// "window: reason", as the deployment keeps it.
    pub recorded: String,
    /// The window overridden.
    pub window: String,
    audit: String,
}

/// The freeze windows: while one is on, a deploy or redeploy (or a rollback to a deployment the
/// caller names) is refused, naming the window and its end, unless an admin of the environment
/// overrides it with a reason (`admin`: the caller is one, or an approved request's override was
/// an admin's). Berth's own rollback target (the last good release) is not frozen: it puts back
/// what ran before.
pub(crate) fn check_freeze(
    admin: bool,
    rails: &Guardrails,
    env: &str,
    service: &str,
    override_reason: Option<&str>,
) -> Result<Option<Override>, AppError> {
    let Some(frozen) = freeze::frozen_at(&rails.freeze_windows, jiff::Timestamp::now()) else { return Ok(None) };
    let name = &frozen.name;
    // To the second: a person reads it.
    let until = jiff::Timestamp::from_second(frozen.until.as_second()).unwrap_or(frozen.until);
    let Some(reason) = override_reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(AppError::Conflict {
            message: format!(
                "Guardrail \"freeze window\" of {env}: \"{name}\" is on until {until}. Deploy after it ends, or an admin \
                 of {env} overrides it with a reason (freezeOverride)."
            ),
            field: Some("freezeOverride".into()),
        });
    };
    if !admin {
        return Err(AppError::Forbidden(format!("Only an admin of {env} may override the freeze window \"{name}\".")));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::Validation(vec![FieldError::new(
            "freezeOverride",
            format!("At most {REASON_MAX} characters."),
        )]));
    }
    Ok(Some(Override {
        recorded: format!("{name}: {reason}"),
        window: name.clone(),
        audit: format!("service {service} during \"{name}\" (until {until}): {reason}"),
    }))
}

/// The `freeze.override` line of the audit log, once the deployment it allowed has started.
pub(crate) async fn audit_override(
    caller: &Caller,
    actor: &crate::deploy::Actor,
    env: &str,
    overridden: &Option<Override>,
) {
    let Some(o) = overridden else { return };
    let target = audit::Target { environment: Some(env), resource: Some(o.audit.clone()), action: "freeze.override" };
    audit::append(caller.state.store.pool(), &actor.name, &actor.via, &target, "allowed").await;
}

/// Acknowledges the failure of deployment `id`: its image digests may go out to its service
/// again. A deployer of that service; the reason goes to the audit log and the deployment's page.
pub(crate) async fn acknowledge(
    caller: &Caller,
    id: i64,
    request: &AcknowledgeRequest,
) -> Result<Acknowledgement, AppError> {
    let row = super::deployments::visible_row(caller, id).await?;
    let reason = request.reason.trim();
    let said: String = reason.chars().take(REASON_MAX).collect();
    let resource = format!("deployment #{id} of {}/{}: {said}", row.cluster, row.service);
    let action = Action::new(
        "deployment.acknowledge",
        resource,
        Needs::Service { cluster: &row.cluster, service: &row.service, role: Role::Deployer },
    );
    caller
        .act(&row.environment, action, async |_| {
            request.validate()?;
            let pool = caller.state.store.pool();
            let conflict = |message: String| AppError::Conflict { message, field: None };
            if !guardrails::failed(pool, id).await? {
                return Err(conflict(format!(
                    "Deployment #{id} did not fail and was not rolled back ({}): there is nothing to acknowledge.",
                    row.outcome.as_str()
                )));
            }
            let digests = guardrails::digests(&row);
            if digests.is_empty() {
                return Err(conflict(format!(
                    "Deployment #{id} has no image digest Berth knows (its images are not in this environment's ECR): \
                     the failed-image guard never refuses them."
                )));
            }
            Ok(guardrails::acknowledge(pool, &row, &digests, &caller.principal.name, reason).await?)
        })
        .await
}

/// The failed-image guard, when the environment has it on: refuses a deploy of an image digest
/// that failed (or was rolled back) on this service, until the failure is acknowledged.
pub(crate) async fn check_failed_images(
    aws: &AwsEnv,
    caller: &Caller,
    rails: &Guardrails,
    env: &str,
    request: &DeployRequest,
) -> Result<(), AppError> {
    if !rails.failed_image_guard {
        return Ok(());
    }
    let mut images: Vec<DeployedImage> = request
        .images
        .iter()
        .map(|c| DeployedImage {
            container: c.container.clone(),
            image: c.image.trim().to_string(),
            ..Default::default()
        })
        .collect();
    crate::deploy::resolve(aws, &mut images).await;
    for image in &mut images {
        // A digest in the reference itself counts too (an image outside ECR, by digest).
        if image.digest.is_none() {
            image.digest = image.image.split_once('@').map(|(_, d)| d.to_string());
        }
    }
    let field = |i: usize| Some(format!("images[{i}].image"));
    check_digests(caller, env, &request.cluster, &request.service, &images, field).await
}

/// The failed-image guard for a rollback or a redeploy: the images of the deployment that goes out
/// again.
pub(crate) async fn check_failed_release(
    caller: &Caller,
    rails: &Guardrails,
    env: &str,
    cluster: &str,
    service: &str,
    images: &[DeployedImage],
) -> Result<(), AppError> {
    if !rails.failed_image_guard {
        return Ok(());
    }
    check_digests(caller, env, cluster, service, images, |_| None).await
}

async fn check_digests(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    images: &[DeployedImage],
    field: impl Fn(usize) -> Option<String>,
) -> Result<(), AppError> {
    let pool = caller.state.store.pool();
    for (i, image) in images.iter().enumerate() {
        let Some(digest) = image.digest.as_deref().filter(|d| guardrails::is_digest(d)) else { continue };
        let Some(failed) = guardrails::unacknowledged_failure(pool, env, cluster, service, digest).await? else {
            continue;
        };
        let how = match (failed.outcome, &failed.rolled_back_to, &failed.reason) {
            (Outcome::Failed, _, Some(reason)) => format!("FAILED: {reason}"),
            (Outcome::Failed, _, None) => "FAILED".to_string(),
            (_, Some(to), _) => format!("rolled back by ECS to {to}"),
            _ => "later rolled back in Berth".to_string(),
        };
        return Err(AppError::Conflict {
            message: format!(
                "Guardrail \"failed-image guard\" of {env}: {} ({digest}) went out to {cluster}/{service} in deployment #{} \
                 ({how}). Deploy another image, or acknowledge that deployment first with a reason \
                 (POST /api/deployments/{}/acknowledge, or \"Acknowledge\" on its page).",
                image.image, failed.id, failed.id
            ),
            field: field(i),
        });
    }
    Ok(())
}
