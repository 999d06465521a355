use axum::Json;
use axum::extract::State;
use shared::health::Health;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Is the server up, with its database? Answers without login.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = shared::error::ApiError)))]
async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    if !state.store.ping().await {
        return Err(AppError::Unavailable {
            environment: String::new(),
            message: "The database does not answer.".into(),
        });
    }
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}
