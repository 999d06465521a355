//! The API. Each module owns its routes; this one assembles them and the OpenAPI document, which
//! is generated from the same handler annotations, so it can't drift from the router.

mod environments;
mod health;
mod openapi;
mod repositories;

use axum::Router;
use axum::http::Uri;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::AppError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Berth API", description = "A self-hosted web console for Amazon ECS and ECR."),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "environments", description = "Configured AWS environments"),
        (name = "repositories", description = "ECR repositories and images"),
    )
)]
struct ApiDoc;

/// The API routes and their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(openapi::router())
        .merge(environments::router())
        .merge(repositories::router())
        .split_for_parts()
}

/// Any `/api/...` path that is not a route.
pub async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("No API route {}.", uri.path()))
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
