//! What's live where: one row per service, one column per environment the caller can see.

use axum::Json;
use shared::error::ApiError;
use shared::live::{LiveQuery, LiveView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::ApiQuery;
use crate::ops::{Caller, live};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live_view))
}

/// Each service (by cluster and service name) in each environment the caller can see: the
/// revision, images (tag, digest), counts and last deployment; cells that differ from the
/// environment to their left are marked. Environments AWS would not answer for are listed apart.
#[utoipa::path(get, path = "/api/live", tag = "deployments", params(LiveQuery),
    responses((status = 200, body = LiveView), (status = "4XX", body = ApiError)))]
async fn live_view(caller: Caller, ApiQuery(query): ApiQuery<LiveQuery>) -> Result<Json<LiveView>, AppError> {
    Ok(Json(live::view(&caller, &query).await?))
}
