//! Task definitions. For now: validation of a document, as `berth validate` does.

use axum::Json;
use shared::ecs::task_definition::{Validation, check_document};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(validate))
}

/// Checks a task definition (`--cli-input-json` or `describe-task-definition` output) against
/// AWS's RegisterTaskDefinition rules, without registering it. Any logged-in caller.
#[utoipa::path(post, path = "/api/task-definitions/validate", tag = "task-definitions",
    request_body(content = Object, description = "The document"),
    responses((status = 200, body = Validation), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
async fn validate(Auth(_): Auth, ApiJson(document): ApiJson<serde_json::Value>) -> Result<Json<Validation>, AppError> {
    Ok(Json(check_document(&document.to_string())))
}
