//! ECS services of an environment: create (a create-service document, checked against its task
//! definition), the service page, export as create-service JSON, update (an update-service
//! document), scale, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::deploy::{DeploymentRecord, RedeployRequest};
use shared::ecs::cluster::ServiceSummary;
use shared::ecs::service::{ServiceDetail, ServiceSpec, ServiceUpdate, UpdateOutcome, desired_count_error, validate};
use shared::error::{ApiError, FieldError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::readable;
use crate::audit::{Target, audited};
use crate::auth::Auth;
use crate::aws::{AwsEnv, export_service};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_service))
        .routes(routes!(update_service))
        .routes(routes!(list_services))
        .routes(routes!(get_service, delete_service))
        .routes(routes!(export))
        .routes(routes!(scale))
        .routes(routes!(stop_rollout))
}

/// The cluster the document names (the AWS CLI's default: `default`).
fn cluster_of(cluster: &Option<String>) -> String {
    cluster.clone().unwrap_or_else(|| "default".into())
}

/// The task definition a document names, for the rules that depend on it; a name that does not
/// resolve is an error on `taskDefinition`.
async fn task_definition_of(
    aws: &AwsEnv,
    reference: Option<&str>,
) -> Result<Option<shared::ecs::task_definition::TaskDefinitionSpec>, AppError> {
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

/// Creates a service from an `aws ecs create-service --cli-input-json` document.
#[utoipa::path(post, path = "/api/envs/{env}/services", tag = "services",
    params(("env" = String, Path, description = "Environment name")),
    request_body = ServiceSpec,
    responses((status = 201, body = ServiceDetail), (status = 409, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn create_service(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    ApiJson(spec): ApiJson<ServiceSpec>,
) -> Result<(StatusCode, Json<ServiceDetail>), AppError> {
    let aws = state.environments.get(&env)?;
    let cluster = cluster_of(&spec.cluster);
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{}", spec.service_name)),
        action: "service.create",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require_service(&env, &cluster, &spec.service_name, Role::Admin)?;
        let task_definition = task_definition_of(aws, spec.task_definition.as_deref()).await?;
        validate(&spec, task_definition.as_ref())?;
        if aws.describe_service(&cluster, &spec.service_name).await.is_ok() {
            return Err(AppError::Conflict {
                message: format!("Cluster {cluster} already has a service named {}.", spec.service_name),
                field: Some("serviceName".into()),
            });
        }
        let created = aws.create_service(&spec).await?;
        state.deployer.note_service_created(&principal, &env, &created).await?;
        Ok((StatusCode::CREATED, Json(created)))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct UpdateParams {
    /// Resolve and check the document, answer what it would do, change nothing.
    dry_run: Option<bool>,
}

/// Applies an `aws ecs update-service --cli-input-json` document (the seed pipeline's). The
/// document is first resolved: a bare family name becomes its latest ACTIVE revision, which is
/// what ECS is sent; the answer names it, with the diff against what runs and warnings.
#[utoipa::path(post, path = "/api/envs/{env}/services/update", tag = "services",
    params(("env" = String, Path, description = "Environment name"), UpdateParams),
    request_body = ServiceUpdate,
    responses((status = 200, body = UpdateOutcome), (status = 404, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn update_service(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    ApiQuery(params): ApiQuery<UpdateParams>,
    ApiJson(mut update): ApiJson<ServiceUpdate>,
) -> Result<Json<UpdateOutcome>, AppError> {
    let aws = state.environments.get(&env)?;
    let cluster = cluster_of(&update.cluster);
    update.service = update.service.rsplit('/').next().unwrap_or_default().to_string();
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{}", update.service)),
        action: "service.update",
    };
    let dry_run = params.dry_run.unwrap_or(false);
    audited(state.store.pool(), &principal, target, async {
        principal.require_service(&env, &cluster, &update.service, Role::Admin)?;
        if let Some(message) = update.desired_count.and_then(desired_count_error) {
            return Err(AppError::Validation(vec![FieldError::new("desiredCount", message)]));
        }
        let current = aws.describe_service(&cluster, &update.service).await?;
        // The service as it would be, checked with the same rules as a creation.
        let mut after = export_service(&current);
        after.task_definition = update.task_definition.clone().or(after.task_definition);
        after.desired_count = update.desired_count.or(after.desired_count);
        after.deployment_configuration = update.deployment_configuration.clone().or(after.deployment_configuration);
        after.network_configuration = update.network_configuration.clone().or(after.network_configuration);
        after.capacity_provider_strategy =
            update.capacity_provider_strategy.clone().or(after.capacity_provider_strategy);
        if after.capacity_provider_strategy.is_some() && update.capacity_provider_strategy.is_some() {
            after.launch_type = None;
        }
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
        let warnings = update_warnings(&state, &env, &current, &update, resolved_name.as_deref()).await?;
        if dry_run {
            return Ok(Json(UpdateOutcome {
                resolved_task_definition: resolved_name,
                current_task_definition: current.task_definition.clone(),
                changes,
                warnings,
                dry_run,
                service: None,
            }));
        }
        // ECS is sent the exact revision that was resolved and shown, never a family to resolve again.
        update.task_definition = resolved_name.clone().or(update.task_definition);
        let updated = aws.update_service(&update).await?;
        state.deployer.note_service_update(&principal, &env, &current, &updated).await?;
        Ok(Json(UpdateOutcome {
            resolved_task_definition: resolved_name,
            current_task_definition: current.task_definition.clone(),
            changes,
            warnings,
            dry_run,
            service: Some(updated),
        }))
    })
    .await
}

/// Warnings about an update: the circuit breaker turned off (a revision that can't start then
/// retries for ever), and a revision whose latest deployment failed.
async fn update_warnings(
    state: &AppState,
    env: &str,
    current: &ServiceDetail,
    update: &ServiceUpdate,
    resolved: Option<&str>,
) -> Result<Vec<FieldError>, AppError> {
    let mut warnings = Vec::new();
    let breaker_on = |c: Option<&shared::ecs::service::DeploymentConfiguration>| {
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
        let rows = crate::deploy::records::of_service(state.store.pool(), env, &current.cluster, &current.service_name)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Some(failed) = crate::deploy::rollback::failed_before(&rows, revision) {
            warnings.push(FieldError::new("taskDefinition", failed.message));
        }
        if revision == current.task_definition && update.force_new_deployment != Some(true) {
            warnings.push(FieldError::new("taskDefinition", format!("The service already runs {revision}.")));
        }
    }
    Ok(warnings)
}

/// A cluster's services.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name")),
    responses((status = 200, body = Vec<ServiceSummary>), (status = "4XX", body = ApiError)))]
async fn list_services(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster)): ApiPath<(String, String)>,
) -> Result<Json<Vec<ServiceSummary>>, AppError> {
    Ok(Json(readable(&state, &principal, &env)?.services_of(&cluster).await?))
}

/// The service page: settings, deployments, events (newest first).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceDetail), (status = 404, body = ApiError)))]
async fn get_service(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<ServiceDetail>, AppError> {
    Ok(Json(readable(&state, &principal, &env)?.service_page(&cluster, &service).await?))
}

/// The service as `aws ecs create-service --cli-input-json` takes it.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/export", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceSpec), (status = 404, body = ApiError)))]
async fn export(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<ServiceSpec>, AppError> {
    let detail = readable(&state, &principal, &env)?.describe_service(&cluster, &service).await?;
    Ok(Json(export_service(&detail)))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Scale {
    desired_count: i64,
}

/// Sets the desired count (deployers may). No new deployment: the current one starts or stops tasks.
#[utoipa::path(put, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/desired-count", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = Scale,
    responses((status = 200, body = ServiceDetail), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn scale(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(scale): ApiJson<Scale>,
) -> Result<Json<ServiceDetail>, AppError> {
    let aws = state.environments.get(&env)?;
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{service}")),
        action: "service.scale",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require_service(&env, &cluster, &service, Role::Deployer)?;
        if let Some(message) = desired_count_error(scale.desired_count) {
            return Err(AppError::Validation(vec![FieldError::new("desiredCount", message)]));
        }
        let current = aws.describe_service(&cluster, &service).await?;
        if current.scheduling_strategy == "DAEMON" {
            return Err(AppError::Validation(vec![FieldError::new(
                "desiredCount",
                "A DAEMON service runs one task per container instance: it has no desired count to set.",
            )]));
        }
        let update = ServiceUpdate {
            cluster: Some(cluster.clone()),
            service: service.clone(),
            desired_count: Some(scale.desired_count),
            ..ServiceUpdate::default()
        };
        Ok(Json(aws.update_service(&update).await?))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
    /// Delete even while scaled above 0 (ECS stops its tasks).
    force: Option<bool>,
}

/// Deletes a service: scaled to 0 first, or with `force`.
#[utoipa::path(delete, path = "/api/envs/{env}/clusters/{cluster}/services/{service}", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), DeleteParams),
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn delete_service(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> Result<StatusCode, AppError> {
    let aws = state.environments.get(&env)?;
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{service}")),
        action: "service.delete",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require_service(&env, &cluster, &service, Role::Admin)?;
        aws.delete_service(&cluster, &service, params.force.unwrap_or(false)).await?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Stops a rollout that keeps failing (the circuit breaker off, tasks that can't start): the
/// service is updated back to its last good revision, recorded as a rollback; a Berth deployment
/// still in flight for it ends FAILED, stopped by the caller. Deployers may.
#[utoipa::path(post, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/stop-rollout", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = RedeployRequest,
    responses((status = 202, body = DeploymentRecord), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn stop_rollout(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(request): ApiJson<RedeployRequest>,
) -> Result<(StatusCode, Json<DeploymentRecord>), AppError> {
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{service}")),
        action: "service.stop-rollout",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require_service(&env, &cluster, &service, Role::Deployer)?;
        shared::deploy::validate_redeploy(&request)?;
        let aws = readable(&state, &principal, &env)?;
        let started =
            state.deployer.stop_rollout(&principal, aws, &env, &cluster, &service, request.note.as_deref()).await?;
        Ok((StatusCode::ACCEPTED, Json(started.record)))
    })
    .await
}
