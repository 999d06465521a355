//! What the history can be filtered by: the services that have deployments, each named by
//! environment, cluster and service (two clusters' services of one name stay apart).

use axum::Json;
use axum::extract::State;
use shared::deploy::DeployedService;
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::deploy::history;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(deployed_services))
}

/// The services with deployments in the environments the caller can see, sorted by environment,
/// cluster and service: the choices of the history's filters.
#[utoipa::path(get, path = "/api/deployments/services", tag = "deployments",
    responses((status = 200, body = Vec<DeployedService>), (status = "4XX", body = ApiError)))]
async fn deployed_services(
    State(state): State<AppState>,
    Auth(principal): Auth,
) -> Result<Json<Vec<DeployedService>>, AppError> {
    let visible: Vec<String> =
        state.environments.list().into_iter().map(|e| e.name).filter(|e| principal.can_see(e)).collect();
    Ok(Json(history::services(state.store.pool(), &visible).await?))
}
