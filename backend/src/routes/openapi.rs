use std::sync::OnceLock;

use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// This document: every API route, generated from the code.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
async fn openapi_json() -> Json<serde_json::Value> {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    Json(DOC.get_or_init(|| serde_json::to_value(super::doc()).unwrap_or_default()).clone())
}
