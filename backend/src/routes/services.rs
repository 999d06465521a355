//! ECS services of an environment: create (a create-service document, checked against its task
//! definition), the service page, export as create-service JSON, update (an update-service
//! document), scale, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::ecs::cluster::ServiceSummary;
use shared::ecs::service::{ServiceDetail, ServiceSpec, ServiceUpdate, validate};
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
        principal.require(&env, Role::Admin)?;
        let task_definition = task_definition_of(aws, spec.task_definition.as_deref()).await?;
        validate(&spec, task_definition.as_ref())?;
        if aws.describe_service(&cluster, &spec.service_name).await.is_ok() {
            return Err(AppError::Conflict {
                message: format!("Cluster {cluster} already has a service named {}.", spec.service_name),
                field: Some("serviceName".into()),
            });
        }
        Ok((StatusCode::CREATED, Json(aws.create_service(&spec).await?)))
    })
    .await
}

/// Applies an `aws ecs update-service --cli-input-json` document (the seed pipeline's).
#[utoipa::path(post, path = "/api/envs/{env}/services/update", tag = "services",
    params(("env" = String, Path, description = "Environment name")),
    request_body = ServiceUpdate,
    responses((status = 200, body = ServiceDetail), (status = 404, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn update_service(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    ApiJson(update): ApiJson<ServiceUpdate>,
) -> Result<Json<ServiceDetail>, AppError> {
    let aws = state.environments.get(&env)?;
    let cluster = cluster_of(&update.cluster);
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("service {cluster}/{}", update.service)),
        action: "service.update",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require(&env, Role::Admin)?;
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
        let updated = aws.update_service(&update).await?;
        state.deployer.note_service_update(&principal, &env, &current, &updated).await?;
        Ok(Json(updated))
    })
    .await
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
        principal.require(&env, Role::Deployer)?;
        if scale.desired_count < 0 {
            return Err(AppError::Validation(vec![FieldError::new(
                "desiredCount",
                "Desired count can't be negative.",
            )]));
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
        principal.require(&env, Role::Admin)?;
        aws.delete_service(&cluster, &service, params.force.unwrap_or(false)).await?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
