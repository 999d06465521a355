use axum::Json;
use axum::extract::State;
use shared::env::EnvironmentInfo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_environments))
}

/// The environments the caller has a role in (names and regions; never how credentials are obtained).
#[utoipa::path(get, path = "/api/envs", tag = "environments",
    responses((status = 200, body = Vec<EnvironmentInfo>)))]
async fn list_environments(State(state): State<AppState>, Auth(principal): Auth) -> Json<Vec<EnvironmentInfo>> {
    Json(state.environments.list().into_iter().filter(|e| principal.can_see(&e.name)).collect())
}
