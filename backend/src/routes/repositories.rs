//! ECR repositories of an environment. Repository names may contain `/`: clients percent-encode
//! it (`team%2Fapp`) so a name stays one path segment.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ecr::{Image, Repository, RepositoryDetail, RepositorySpec, push_commands};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use shared::auth::Role;

use crate::audit::{Target, audited};
use crate::auth::Auth;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

use super::readable;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_repositories, create_repository))
        .routes(routes!(get_repository, delete_repository))
        .routes(routes!(list_images))
}

/// Every repository of the environment (all pages), with image counts.
#[utoipa::path(get, path = "/api/envs/{env}/repositories", tag = "repositories",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<Repository>), (status = "4XX", body = ApiError), (status = "5XX", body = ApiError)))]
async fn list_repositories(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
) -> Result<Json<Vec<Repository>>, AppError> {
    Ok(Json(readable(&state, &principal, &env)?.list_repositories().await?))
}

/// Creates a repository from the `aws ecr create-repository --cli-input-json` document.
#[utoipa::path(post, path = "/api/envs/{env}/repositories", tag = "repositories",
    params(("env" = String, Path, description = "Environment name")),
    request_body = RepositorySpec,
    responses((status = 201, body = Repository), (status = 409, description = "Name taken", body = ApiError),
        (status = 422, description = "Input breaks a rule", body = ApiError), (status = "5XX", body = ApiError)))]
async fn create_repository(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    ApiJson(spec): ApiJson<RepositorySpec>,
) -> Result<(StatusCode, Json<Repository>), AppError> {
    let aws = state.environments.get(&env)?;
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("repository {}", spec.repository_name)),
        action: "repository.create",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require(&env, Role::Admin)?;
        spec.validate()?;
        let repo = aws.create_repository(&spec).await?;
        tracing::info!(environment = %env, repository = %repo.repository_name, by = %principal.name, "repository created");
        Ok((StatusCode::CREATED, Json(repo)))
    })
    .await
}

/// A repository's settings, lifecycle policy and push commands.
#[utoipa::path(get, path = "/api/envs/{env}/repositories/{name}", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded")),
    responses((status = 200, body = RepositoryDetail), (status = 404, body = ApiError), (status = "5XX", body = ApiError)))]
async fn get_repository(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, name)): ApiPath<(String, String)>,
) -> Result<Json<RepositoryDetail>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    let (repository, lifecycle_policy) = tokio::try_join!(aws.describe_repository(&name), aws.lifecycle_policy(&name))?;
    let push_commands = push_commands(&repository.repository_uri, &repository.repository_name, &aws.info.region);
    Ok(Json(RepositoryDetail { repository, lifecycle_policy, push_commands }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
    /// Delete the images too; without it, a repository that holds images is not deleted (409).
    #[serde(default)]
    force: bool,
}

/// Deletes a repository.
#[utoipa::path(delete, path = "/api/envs/{env}/repositories/{name}", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded"), DeleteParams),
    responses((status = 204, description = "Deleted"), (status = 404, body = ApiError),
        (status = 409, description = "Holds images and `force` is not set", body = ApiError), (status = "5XX", body = ApiError)))]
async fn delete_repository(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, name)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> Result<StatusCode, AppError> {
    let aws = state.environments.get(&env)?;
    let action = if params.force { "repository.delete-with-images" } else { "repository.delete" };
    let target = Target { environment: Some(&env), resource: Some(format!("repository {name}")), action };
    audited(state.store.pool(), &principal, target, async {
        principal.require(&env, Role::Admin)?;
        aws.delete_repository(&name, params.force).await?;
        tracing::info!(environment = %env, repository = %name, force = params.force, by = %principal.name, "repository deleted");
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Every image of a repository, newest push first; untagged images have no tags.
#[utoipa::path(get, path = "/api/envs/{env}/repositories/{name}/images", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded")),
    responses((status = 200, body = Vec<Image>), (status = 404, body = ApiError), (status = "5XX", body = ApiError)))]
async fn list_images(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, name)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Image>>, AppError> {
    Ok(Json(readable(&state, &principal, &env)?.list_images(&name).await?))
}
