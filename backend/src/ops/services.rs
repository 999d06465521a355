//! ECS services: create from a create-service document (checked against its task definition),
//! update from an update-service document (previewed, then applied), scale, delete, stop a rollout
//! that keeps failing, and the read-only views.

use shared::auth::Role;
use shared::deploy::{DeploymentRecord, RedeployRequest};
use shared::ecs::cluster::ServiceSummary;
use shared::ecs::service::{
    DeploymentConfiguration, ServiceDetail, ServiceSpec, ServiceUpdate, UpdateOutcome, after_update,
    desired_count_error, scale_errors, validate,
};
use shared::ecs::task_definition::TaskDefinitionSpec;
use shared::error::FieldError;

use super::{Action, Caller, placement};
use crate::aws::{AwsEnv, export_service};
use crate::deploy::{records, rollback};
use crate::error::AppError;

/// The cluster a document names (the AWS CLI's default: `default`).
pub(crate) fn cluster_of(cluster: &Option<String>) -> String {
    cluster.clone().unwrap_or_else(|| "default".into())
}

/// The task definition a document names, for the rules that depend on it; a name that does not
/// resolve is an error on `taskDefinition`.
async fn task_definition_of(aws: &AwsEnv, reference: Option<&str>) -> Result<Option<TaskDefinitionSpec>, AppError> {
    let Some(reference) = reference.filter(|r| !r.is_empty()) else { return Ok(None) };
    match aws.describe_task_definition_ref(reference).await {
        Ok(revision) if revision.status == "ACTIVE" => Ok(Some(revision.spec)),
        Ok(_) => Err(AppError::Validation(vec![FieldError::new(
            "taskDefinition",
            format!("{reference} is INACTIVE (deregistered): ECS can't run it; choose an ACTIVE revision."),
        )])),
        Err(AppError::NotFound(message)) => Err(AppError::Validation(vec![FieldError::new("taskDefinition", message)])),
        Err(e) => Err(e),
    }
}

/// Creates a service from an `aws ecs create-service --cli-input-json` document; its first
/// deployment is recorded as created by the caller.
pub(crate) async fn create(caller: &Caller, env: &str, spec: &ServiceSpec) -> Result<ServiceDetail, AppError> {
    let cluster = cluster_of(&spec.cluster);
    let action = Action::on_service("service.create", &cluster, &spec.service_name, Role::Admin);
    caller
        .act(env, action, async |aws| {
            let task_definition = task_definition_of(aws, spec.task_definition.as_deref()).await?;
            validate(spec, task_definition.as_ref())?;
            if aws.describe_service(&cluster, &spec.service_name).await.is_ok() {
                return Err(AppError::Conflict {
                    message: format!("Cluster {cluster} already has a service named {}.", spec.service_name),
                    field: Some("serviceName".into()),
                });
            }
            let created = aws.create_service(spec).await?;
            caller.state.deployer.note_service_created(&caller.principal, env, &created).await?;
            Ok(created)
        })
        .await
}

/// Applies an `aws ecs update-service --cli-input-json` document (the seed pipeline's), or with
/// `dry_run` only answers what it would do. The document is first resolved: a bare family name
/// becomes its latest ACTIVE revision, which is what ECS is sent; the answer names it, with the
/// diff against what runs and warnings.
pub(crate) async fn update(
    caller: &Caller,
    env: &str,
    mut update: ServiceUpdate,
    dry_run: bool,
) -> Result<UpdateOutcome, AppError> {
    let cluster = cluster_of(&update.cluster);
    update.service = update.service.rsplit('/').next().unwrap_or_default().to_string();
    let service = update.service.clone();
    let action = Action::on_service("service.update", &cluster, &service, Role::Admin);
    caller
        .act(env, action, async |aws| {
            if let Some(message) = update.desired_count.and_then(desired_count_error) {
                return Err(AppError::Validation(vec![FieldError::new("desiredCount", message)]));
            }
            let current = aws.describe_service(&cluster, &update.service).await?;
            let after = after_update(&export_service(&current), &update);
            let task_definition = task_definition_of(aws, after.task_definition.as_deref()).await?;
            validate(&after, task_definition.as_ref())?;
            let resolved = match update.task_definition.as_deref().filter(|t| !t.is_empty()) {
                Some(reference) => Some(aws.describe_task_definition_ref(reference).await?),
                None => None,
            };
            let resolved_name = resolved.as_ref().map(|r| format!("{}:{}", r.family, r.revision));
            let changes = match &resolved {
                Some(next) => {
                    let now = aws.describe_task_definition_ref(&current.task_definition).await?;
                    shared::ecs::task_definition::diff(&now.spec, &next.spec)
                        .into_iter()
                        .filter(|c| !c.path.starts_with("tags"))
                        .collect()
                }
                None => Vec::new(),
            };
            let mut warnings = update_warnings(caller, env, &current, &update, resolved_name.as_deref()).await?;
            if let (Some(revision), true) = (&task_definition, dry_run) {
                let rollout = resolved_name.as_deref().is_some_and(|r| r != current.task_definition)
                    || update.force_new_deployment == Some(true);
                let proposal = placement::Proposal { after: &after, revision, rollout };
                warnings.extend(placement::best_effort(placement::warnings(aws, &current, proposal).await));
            }
            let mut outcome = UpdateOutcome {
                resolved_task_definition: resolved_name.clone(),
                current_task_definition: current.task_definition.clone(),
                changes,
                warnings,
                dry_run,
                service: None,
            };
            if dry_run {
                return Ok(outcome);
            }
            // ECS is sent the exact revision that was resolved and shown, never a family to resolve again.
            update.task_definition = resolved_name.or(update.task_definition.clone());
            let updated = aws.update_service(&update).await?;
            caller.state.deployer.note_service_update(&caller.principal, env, &current, &updated).await?;
            outcome.service = Some(updated);
            Ok(outcome)
        })
        .await
}

/// Warnings about an update: the circuit breaker turned off (a revision that can't start then
/// retries for ever), and a revision whose latest deployment failed.
async fn update_warnings(
    caller: &Caller,
    env: &str,
    current: &ServiceDetail,
    update: &ServiceUpdate,
    resolved: Option<&str>,
) -> Result<Vec<FieldError>, AppError> {
    let mut warnings = Vec::new();
    let breaker_on = |c: Option<&DeploymentConfiguration>| {
        c.and_then(|c| c.deployment_circuit_breaker.as_ref()).is_some_and(|b| b.enable)
    };
    if let Some(config) = &update.deployment_configuration
        && config.deployment_circuit_breaker.is_some()
        && !breaker_on(Some(config))
    {
        let was = if breaker_on(current.deployment_configuration.as_ref()) {
            "turns the deployment circuit breaker off"
        } else {
            "keeps the deployment circuit breaker off"
        };
        warnings.push(FieldError::new(
            "deploymentConfiguration.deploymentCircuitBreaker.enable",
            format!("This {was}: a revision whose tasks can't start will be retried for ever instead of rolled back."),
        ));
    }
    if let Some(revision) = resolved {
        let pool = caller.state.store.pool();
        let rows = records::of_service(pool, env, &current.cluster, &current.service_name).await?;
        if let Some(failed) = rollback::failed_before(&rows, revision) {
            warnings.push(FieldError::new("taskDefinition", failed.message));
        }
        if revision == current.task_definition && update.force_new_deployment != Some(true) {
            warnings.push(FieldError::new("taskDefinition", format!("The service already runs {revision}.")));
        }
    }
    Ok(warnings)
}

pub(crate) async fn list(caller: &Caller, env: &str, cluster: &str) -> Result<Vec<ServiceSummary>, AppError> {
    let aws = caller.read(env)?;
    aws.shared(&format!("services of {cluster}"), aws.services_of(cluster)).await
}

/// The service page: settings, deployments, events (newest first).
pub(crate) async fn page(caller: &Caller, env: &str, cluster: &str, service: &str) -> Result<ServiceDetail, AppError> {
    let aws = caller.read(env)?;
    aws.shared(&format!("service page {cluster}/{service}"), aws.service_page(cluster, service)).await
}

/// The service as `aws ecs create-service --cli-input-json` takes it.
pub(crate) async fn export(caller: &Caller, env: &str, cluster: &str, service: &str) -> Result<ServiceSpec, AppError> {
    Ok(export_service(&caller.read(env)?.describe_service(cluster, service).await?))
}

/// Sets the desired count (deployers may). No new deployment: the current one starts or stops tasks.
pub(crate) async fn scale(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    desired_count: i64,
) -> Result<ServiceDetail, AppError> {
    let action = Action::on_service("service.scale", cluster, service, Role::Deployer);
    caller
        .act(env, action, async |aws| {
            if let Some(message) = desired_count_error(desired_count) {
                return Err(AppError::Validation(vec![FieldError::new("desiredCount", message)]));
            }
            let current = aws.describe_service(cluster, service).await?;
            let errors = scale_errors(&current.scheduling_strategy, desired_count);
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let update = ServiceUpdate {
                cluster: Some(cluster.to_string()),
                service: service.to_string(),
                desired_count: Some(desired_count),
                ..ServiceUpdate::default()
            };
            aws.update_service(&update).await
        })
        .await
}

/// Deletes a service: scaled to 0 first, or with `force`.
pub(crate) async fn delete(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    force: bool,
) -> Result<(), AppError> {
    let action = Action::on_service("service.delete", cluster, service, Role::Admin);
    caller.act(env, action, async |aws| aws.delete_service(cluster, service, force).await).await
}

/// Stops a rollout that keeps failing (the circuit breaker off, tasks that can't start): the
/// service is updated back to its last good revision, recorded as a rollback; a Berth deployment
/// still in flight for it ends FAILED, stopped by the caller. Deployers may.
pub(crate) async fn stop_rollout(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    request: &RedeployRequest,
) -> Result<DeploymentRecord, AppError> {
    let action = Action::on_service("service.stop-rollout", cluster, service, Role::Deployer);
    caller
        .act(env, action, async |aws| {
            shared::deploy::validate_redeploy(request)?;
            let deployer = &caller.state.deployer;
            let started =
                deployer.stop_rollout(&caller.principal, aws, env, cluster, service, request.note.as_deref()).await?;
            Ok(started.record)
        })
        .await
}
