//! Deployments: deploy new images, preview the change, roll back, deploy a history entry again,
//! the history with its figures and filters, one deployment's page, and the live view of a
//! service. The engine that carries a deployment out is `crate::deploy`.

use shared::auth::Role;
use shared::deploy::{
    DeployPreview, DeployRequest, DeployedImage, DeployedService, DeploymentDetail, DeploymentKind, DeploymentRecord,
    HistoryPage, HistoryQuery, HistoryStats, ImageChange, RedeployPlan, RedeployRequest,
};
use shared::ecs::task_definition::{TaskDefinitionSpec, diff};
use shared::error::FieldError;

use super::approvals::{self, Asking, Begun};
use super::{Action, Caller, guardrails};
use crate::aws::AwsEnv;
use crate::deploy::hub::{ServiceKey, Snapshots};
use crate::deploy::{self, StepError, Target, history, plan, records};
use crate::error::AppError;
use crate::guardrails::approvals::{Expected, Operation};

/// Deploys new images to a service: registers a revision of its task definition with them and
/// rolls it out. Deployers may (a token limited to some services, only those). Where the
/// environment asks for approval, the deploy becomes a request.
pub(crate) async fn deploy(
    caller: &Caller,
    env: &str,
    request: &DeployRequest,
    idempotency_key: Option<&str>,
) -> Result<Begun, AppError> {
    let action = Action::on_service("service.deploy", &request.cluster, &request.service, Role::Deployer);
    caller
        .act(env, action, async |aws| start_deploy(caller, aws, env, request, idempotency_key, &Asking::Caller).await)
        .await
}

/// The checks of a deploy (rules, guardrails), then the request for approval or the deployment.
pub(super) async fn start_deploy(
    caller: &Caller,
    aws: &AwsEnv,
    env: &str,
    request: &DeployRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
) -> Result<Begun, AppError> {
    shared::deploy::validate_deploy(request)?;
    let service = format!("{}/{}", request.cluster, request.service);
    let rails = guardrails::of(caller, env).await?;
    let reason = request.freeze_override.as_deref();
    let admin = asking.may_override(caller, env, &rails, reason);
    let overridden = guardrails::check_freeze(admin, &rails, env, &service, reason)?;
    guardrails::check_failed_images(aws, caller, &rails, env, request).await?;
    if asking.gated(&rails) {
        let now = aws.describe_service(&request.cluster, &request.service).await?;
        asking.unchanged(&now.task_definition)?;
        let digests = digests_of(aws, request).await;
        asking.same_digests(&digests)?;
        let Some(rule) = rails.approval.as_ref().filter(|_| matches!(asking, Asking::Caller)) else {
            return start_images(caller, env, request, idempotency_key, asking, overridden).await;
        };
        let current = aws.describe_task_definition_ref(&now.task_definition).await?;
        let changes = preview_of(&current.spec, &request.images).map(|next| diff(&current.spec, &next))?;
        let images: Vec<String> = request
            .images
            .iter()
            .map(|c| {
                let image = c.image.trim();
                let digest =
                    digests.iter().find(|(i, _)| i == image).map(|(_, d)| format!(" ({d})")).unwrap_or_default();
                format!("{}={image}{digest}", c.container)
            })
            .collect();
        let ask = approvals::Ask {
            cluster: &request.cluster,
            service: &request.service,
            kind: DeploymentKind::Deploy,
            summary: format!("deploy {} to {service}", images.join(", ")),
            operation: Operation::Deploy { request: request.clone() },
            expected: Expected { base: Some(now.task_definition.clone()), digests, ..Default::default() },
            overridden: overridden.map(|o| o.window),
            changes,
            note: request.note.as_deref(),
        };
        return approvals::ask(caller, env, rule, ask, idempotency_key).await.map(Begun::Requested);
    }
    start_images(caller, env, request, idempotency_key, asking, overridden).await
}

/// Starts a deploy whose checks passed.
async fn start_images(
    caller: &Caller,
    env: &str,
    request: &DeployRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
    overridden: Option<guardrails::Override>,
) -> Result<Begun, AppError> {
    let actor = asking.actor(caller);
    let freeze_override = overridden.as_ref().map(|o| o.recorded.clone());
    let request = DeployRequest { freeze_override, ..request.clone() };
    let started = caller.state.deployer.deploy(&actor, env, &request, idempotency_key).await?;
    guardrails::audit_override(caller, &actor, env, &overridden).await;
    Ok(Begun::Started(started))
}

/// The digest each image of a deploy that this environment's ECR holds names now.
async fn digests_of(aws: &AwsEnv, request: &DeployRequest) -> Vec<(String, String)> {
    let mut images: Vec<DeployedImage> = request
        .images
        .iter()
        .map(|c| DeployedImage {
            container: c.container.clone(),
            image: c.image.trim().to_string(),
            ..Default::default()
        })
        .collect();
    deploy::resolve(aws, &mut images).await;
    images.into_iter().filter_map(|i| Some((i.image, i.digest?))).collect()
}

/// The task definition changes a deploy would make (current revision -> new), and warnings about
/// its images.
pub(crate) async fn preview(caller: &Caller, env: &str, request: &DeployRequest) -> Result<DeployPreview, AppError> {
    let aws = caller.read(env)?;
    shared::deploy::validate_deploy(request)?;
    let warnings = deploy::check_images(aws, &request.images).await?;
    let service = aws.describe_service(&request.cluster, &request.service).await?;
    let current = aws.describe_task_definition_ref(&service.task_definition).await?;
    let next = preview_of(&current.spec, &request.images)?;
    Ok(DeployPreview { changes: diff(&current.spec, &next), warnings })
}

/// What "Roll back" would do (see [`plan::for_rollback`]).
pub(crate) async fn rollback_plan(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
) -> Result<RedeployPlan, AppError> {
    let aws = caller.read(env)?;
    Ok(plan::for_rollback(aws, caller.state.store.pool(), env, cluster, service, None).await?.plan)
}

/// Rolls the service back to the target the plan shows. When ECS already rolled the latest
/// deployment back, the service runs the last good release: a conflict, unless `deployment` names
/// the one to go back to. A revision whose latest deployment failed needs `acknowledgeFailure`.
pub(crate) async fn rollback(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
) -> Result<Begun, AppError> {
    let action = Action::on_service("service.rollback", cluster, service, Role::Deployer);
    caller
        .act(env, action, async |aws| {
            start_rollback(caller, aws, env, (cluster, service), request, idempotency_key, &Asking::Caller).await
        })
        .await
}

pub(super) async fn start_rollback(
    caller: &Caller,
    aws: &AwsEnv,
    env: &str,
    (cluster, service): (&str, &str),
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
) -> Result<Begun, AppError> {
    shared::deploy::validate_redeploy(request)?;
    let pool = caller.state.store.pool();
    let resolved = plan::for_rollback(aws, pool, env, cluster, service, request.deployment).await?;
    let conflict = |message: String| AppError::Conflict { message, field: None };
    if let (None, Some(already)) = (request.deployment, &resolved.plan.already_rolled_back) {
        return Err(conflict(format!("{already} {}", resolved.plan.message)));
    }
    let source = resolved.target.ok_or_else(|| conflict(resolved.plan.message.clone()))?;
    // Berth's own target, the last good release, is not frozen; one the caller names is
    // a deploy like any other (it may even be newer than what runs).
    let rails = guardrails::of(caller, env).await?;
    let overridden = match request.deployment {
        Some(_) => {
            let named = format!("{cluster}/{service}");
            let reason = request.freeze_override.as_deref();
            guardrails::check_freeze(asking.may_override(caller, env, &rails, reason), &rails, env, &named, reason)?
        }
        None => None,
    };
    guardrails::check_failed_release(caller, &rails, env, cluster, service, &source.images.0).await?;
    acknowledged(&resolved.plan, request)?;
    asking.same_target(source.id)?;
    let target = Target {
        environment: env.to_string(),
        cluster: cluster.to_string(),
        service: service.to_string(),
        kind: DeploymentKind::Rollback,
        source,
        freeze_override: None,
        promoted_from: None,
    };
    let now = revision_now(aws, asking, &rails, cluster, service).await?;
    if let (Asking::Caller, Some(rule), Some(now)) = (asking, &rails.approval, now) {
        let operation = Operation::Rollback { request: request.clone() };
        let summary = format!("roll {cluster}/{service} back to deployment #{}", target.source.id);
        let why = Why { now, overridden: overridden.map(|o| o.window), summary };
        return ask_for(caller, aws, env, rule, &target, operation, why, request, idempotency_key).await;
    }
    start_again(caller, target, overridden, request, idempotency_key, asking).await
}

/// Where approval is in play, the service's revision now (an approved request's must not have
/// moved since it was asked).
async fn revision_now(
    aws: &AwsEnv,
    asking: &Asking,
    rails: &shared::guardrails::Guardrails,
    cluster: &str,
    service: &str,
) -> Result<Option<String>, AppError> {
    if !asking.gated(rails) {
        return Ok(None);
    }
    let now = aws.describe_service(cluster, service).await?.task_definition;
    asking.unchanged(&now)?;
    Ok(Some(now))
}

/// What a rollback's or redeploy's request says beside the operation.
struct Why {
    /// The service's task definition now.
    now: String,
    /// The freeze window an admin's override was used for.
    overridden: Option<String>,
    summary: String,
}

/// The approval request of a rollback or redeploy: its diff is what runs now -> the target.
#[allow(clippy::too_many_arguments)]
async fn ask_for(
    caller: &Caller,
    aws: &AwsEnv,
    env: &str,
    rule: &shared::guardrails::ApprovalRule,
    target: &Target,
    operation: Operation,
    why: Why,
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
) -> Result<Begun, AppError> {
    let current = aws.describe_task_definition_ref(&why.now).await?;
    let changes = match &target.source.to_spec {
        Some(to) => diff(&current.spec, &to.0).into_iter().filter(|c| !c.path.starts_with("tags")).collect(),
        None => Vec::new(),
    };
    let ask = approvals::Ask {
        cluster: &target.cluster,
        service: &target.service,
        kind: target.kind,
        summary: why.summary,
        operation,
        expected: Expected { base: Some(why.now), target: Some(target.source.id), ..Default::default() },
        overridden: why.overridden,
        changes,
        note: request.note.as_deref(),
    };
    approvals::ask(caller, env, rule, ask, idempotency_key).await.map(Begun::Requested)
}

/// Starts a rollback or redeploy of `target`: a freeze override it needed is recorded on the
/// deployment and audited once the deployment has started.
async fn start_again(
    caller: &Caller,
    mut target: Target,
    overridden: Option<guardrails::Override>,
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
) -> Result<Begun, AppError> {
    target.freeze_override = overridden.as_ref().map(|o| o.recorded.clone());
    let actor = asking.actor(caller);
    let started = caller.state.deployer.redeploy(&actor, &target, request.note.as_deref(), idempotency_key).await?;
    guardrails::audit_override(caller, &actor, &target.environment, &overridden).await;
    Ok(Begun::Started(started))
}

/// Refuses a revision whose latest deployment failed unless the caller acknowledged it.
fn acknowledged(plan: &RedeployPlan, request: &RedeployRequest) -> Result<(), AppError> {
    match &plan.failed_before {
        Some(failed) if request.acknowledge_failure != Some(true) => Err(AppError::Conflict {
            message: format!("{} Send acknowledgeFailure: true to deploy it anyway.", failed.message),
            field: Some("acknowledgeFailure".into()),
        }),
        _ => Ok(()),
    }
}

/// A deployment the caller may see; one of an environment they can't see does not exist for them.
pub(super) async fn visible_row(caller: &Caller, id: i64) -> Result<records::Row, AppError> {
    let row = caller.state.deployer.row(id).await?;
    if !caller.principal.can_see(&row.environment) {
        return Err(AppError::NotFound(format!("No deployment #{id}.")));
    }
    Ok(row)
}

/// What "Deploy this revision again" would do (see [`plan::for_redeploy`]).
pub(crate) async fn redeploy_plan(caller: &Caller, id: i64) -> Result<RedeployPlan, AppError> {
    let source = visible_row(caller, id).await?;
    let aws = caller.read(&source.environment)?;
    Ok(plan::for_redeploy(aws, caller.state.store.pool(), &source).await?.plan)
}

/// Deploys the revision of a history entry again (re-registered if it was deregistered).
pub(crate) async fn redeploy(
    caller: &Caller,
    id: i64,
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
) -> Result<Begun, AppError> {
    let source = visible_row(caller, id).await?;
    let action = Action::on_service("service.redeploy", &source.cluster, &source.service, Role::Deployer);
    caller
        .act(&source.environment, action, async |aws| {
            start_redeploy(caller, aws, source.clone(), request, idempotency_key, &Asking::Caller).await
        })
        .await
}

pub(super) async fn start_redeploy(
    caller: &Caller,
    aws: &AwsEnv,
    source: records::Row,
    request: &RedeployRequest,
    idempotency_key: Option<&str>,
    asking: &Asking,
) -> Result<Begun, AppError> {
    let id = source.id;
    shared::deploy::validate_redeploy(request)?;
    if request.deployment.is_some() {
        return Err(AppError::Validation(vec![FieldError::new(
            "deployment",
            "Only a rollback takes a deployment: this route deploys the one in its path.",
        )]));
    }
    if source.to_task_definition.is_none() {
        return Err(AppError::Conflict {
            message: format!("Deployment #{id} never registered a revision: there is nothing to deploy again."),
            field: None,
        });
    }
    let (env, service) = (&source.environment, format!("{}/{}", source.cluster, source.service));
    let rails = guardrails::of(caller, env).await?;
    let reason = request.freeze_override.as_deref();
    let admin = asking.may_override(caller, env, &rails, reason);
    let overridden = guardrails::check_freeze(admin, &rails, env, &service, reason)?;
    let resolved = plan::for_redeploy(aws, caller.state.store.pool(), &source).await?;
    let going = resolved.target.unwrap_or_else(|| source.clone());
    let (cluster, service) = (&source.cluster, &source.service);
    guardrails::check_failed_release(caller, &rails, env, cluster, service, &going.images.0).await?;
    acknowledged(&resolved.plan, request)?;
    asking.same_target(going.id)?;
    let now = revision_now(aws, asking, &rails, cluster, service).await?;
    let target = Target {
        environment: source.environment.clone(),
        cluster: source.cluster.clone(),
        service: source.service.clone(),
        kind: DeploymentKind::Redeploy,
        source: going,
        freeze_override: None,
        promoted_from: None,
    };
    if let (Asking::Caller, Some(rule), Some(now)) = (asking, &rails.approval, now) {
        let operation = Operation::Redeploy { deployment: id, request: request.clone() };
        let summary = format!("deploy the revision of deployment #{id} again to {cluster}/{service}");
        let why = Why { now, overridden: overridden.map(|o| o.window), summary };
        return ask_for(caller, aws, env, rule, &target, operation, why, request, idempotency_key).await;
    }
    start_again(caller, target, overridden, request, idempotency_key, asking).await
}

/// The deployment as it is now, if the caller may see it.
pub(crate) async fn record_of(caller: &Caller, id: i64) -> Result<DeploymentRecord, AppError> {
    Ok(visible_row(caller, id).await?.record())
}

/// Returns once the deployment has ended (a deploy with `wait`).
pub(crate) async fn ended(caller: &Caller, id: i64) -> Result<DeploymentRecord, AppError> {
    caller.state.deployer.wait(id).await
}

/// Every deployment of the environments the caller can see, newest first, filtered.
pub(crate) async fn history(caller: &Caller, query: &HistoryQuery) -> Result<HistoryPage, AppError> {
    history::page(caller.state.store.pool(), query, &caller.visible()).await
}

/// The charts' figures over the same filters.
pub(crate) async fn stats(caller: &Caller, query: &HistoryQuery) -> Result<HistoryStats, AppError> {
    history::stats(caller.state.store.pool(), query, &caller.visible()).await
}

/// The services with deployments in the environments the caller can see: the history's filters.
pub(crate) async fn deployed_services(caller: &Caller) -> Result<Vec<DeployedService>, AppError> {
    history::services(caller.state.store.pool(), &caller.visible()).await
}

/// A deployment: who, when, how it ended, the task definition's changes and the rollout's events.
pub(crate) async fn detail(caller: &Caller, id: i64) -> Result<DeploymentDetail, AppError> {
    let row = visible_row(caller, id).await?;
    let changes = match (&row.from_spec, &row.to_spec) {
        (Some(from), Some(to)) => diff(from, to).into_iter().filter(|c| !c.path.starts_with("tags")).collect(),
        _ => Vec::new(),
    };
    let events = records::events(caller.state.store.pool(), id).await?;
    let pool = caller.state.store.pool();
    let acknowledgements = crate::guardrails::acknowledgements(pool, id).await?;
    let counts_as_failed = crate::guardrails::failed(pool, id).await?;
    Ok(DeploymentDetail { deployment: row.record(), changes, events, counts_as_failed, acknowledgements })
}

/// The service's live snapshots: however many clients watch, the server polls ECS once per
/// interval for the service.
pub(crate) fn watch(caller: &Caller, env: &str, cluster: &str, service: &str) -> Result<Snapshots, AppError> {
    caller.read(env)?;
    let key = ServiceKey { environment: env.to_string(), cluster: cluster.to_string(), service: service.to_string() };
    caller.state.deployer.hub.subscribe(key)
}

/// The task definition a deploy of `images` would register, without the deployment's tag (the
/// preview's diff).
fn preview_of(spec: &TaskDefinitionSpec, images: &[ImageChange]) -> Result<TaskDefinitionSpec, AppError> {
    let (mut next, _) =
        deploy::with_images(spec, images, 0).map_err(|(StepError::Refused(e) | StepError::Failed(e))| e)?;
    next.tags = spec.tags.clone();
    Ok(next)
}
