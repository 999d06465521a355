use axum::Json;
use axum::extract::State;
use shared::env::EnvironmentInfo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_environments))
}

/// The configured AWS environments (names and regions; never how credentials are obtained).
#[utoipa::path(get, path = "/api/envs", tag = "environments",
    responses((status = 200, body = Vec<EnvironmentInfo>)))]
async fn list_environments(State(state): State<AppState>) -> Json<Vec<EnvironmentInfo>> {
    Json(state.environments.list())
}
