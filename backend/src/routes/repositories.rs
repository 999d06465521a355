//! ECR repositories of an environment. Repository names may contain `/`: clients percent-encode
//! it (`team%2Fapp`) so a name stays one path segment.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ecr::{Image, LocalPush, Repository, RepositoryDetail, RepositorySpec};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::{Caller, repositories};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_repositories, create_repository))
        .routes(routes!(get_repository, delete_repository))
        .routes(routes!(list_images))
        .routes(routes!(local_push))
}

/// Every repository of the environment (all pages), with image counts.
#[utoipa::path(get, path = "/api/envs/{env}/repositories", tag = "repositories",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<Repository>), (status = "4XX", body = ApiError), (status = "5XX", body = ApiError)))]
async fn list_repositories(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<Vec<Repository>>, AppError> {
    Ok(Json(repositories::list(&caller, &env).await?))
}

/// Creates a repository from the `aws ecr create-repository --cli-input-json` document.
#[utoipa::path(post, path = "/api/envs/{env}/repositories", tag = "repositories",
    params(("env" = String, Path, description = "Environment name")),
    request_body = RepositorySpec,
    responses((status = 201, body = Repository), (status = 409, description = "Name taken", body = ApiError),
        (status = 422, description = "Input breaks a rule", body = ApiError), (status = "5XX", body = ApiError)))]
async fn create_repository(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(spec): ApiJson<RepositorySpec>,
) -> Result<(StatusCode, Json<Repository>), AppError> {
    Ok((StatusCode::CREATED, Json(repositories::create(&caller, &env, &spec).await?)))
}

/// A repository's settings, lifecycle policy and push commands.
#[utoipa::path(get, path = "/api/envs/{env}/repositories/{name}", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded")),
    responses((status = 200, body = RepositoryDetail), (status = 404, body = ApiError), (status = "5XX", body = ApiError)))]
async fn get_repository(
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
) -> Result<Json<RepositoryDetail>, AppError> {
    Ok(Json(repositories::detail(&caller, &env, &name).await?))
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
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> Result<StatusCode, AppError> {
    repositories::delete(&caller, &env, &name, params.force).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every image of a repository, newest push first; untagged images have no tags.
#[utoipa::path(get, path = "/api/envs/{env}/repositories/{name}/images", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded")),
    responses((status = 200, body = Vec<Image>), (status = 404, body = ApiError), (status = "5XX", body = ApiError)))]
async fn list_images(
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Image>>, AppError> {
    Ok(Json(repositories::images(&caller, &env, &name).await?))
}

/// Local mode only: pushes a new image (a manifest with new layers, through ECR's PutImage, as
/// `docker push` ends) with these tags; on an AWS account, a 409 (push with docker there).
#[utoipa::path(post, path = "/api/envs/{env}/repositories/{name}/local-push", tag = "repositories",
    params(("env" = String, Path, description = "Environment name"),
        ("name" = String, Path, description = "Repository name, `/` percent-encoded")),
    request_body = LocalPush,
    responses((status = 201, body = Image), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn local_push(
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
    ApiJson(push): ApiJson<LocalPush>,
) -> Result<(StatusCode, Json<Image>), AppError> {
    Ok((StatusCode::CREATED, Json(repositories::local_push(&caller, &env, &name, &push).await?)))
}
