//! The audit log (admins of every environment only).

use axum::Json;
use shared::auth::AuditPage;
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditFilter;
use crate::error::AppError;
use crate::extract::ApiQuery;
use crate::ops::{self, Caller};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// The audit log, newest first, filtered (admins of every environment only). Read-only: the API
/// has no way to change it.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = AuditPage), (status = 403, body = ApiError)))]
async fn list_audit(caller: Caller, ApiQuery(filter): ApiQuery<AuditFilter>) -> Result<Json<AuditPage>, AppError> {
    Ok(Json(ops::audit_log::entries(&caller, &filter).await?))
}
