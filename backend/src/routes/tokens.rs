//! API tokens for CI (admins of every environment only).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::auth::{CreatedToken, TokenInfo, TokenSpec};
use shared::error::{ApiError, FieldError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Target, audited};
use crate::auth::time::{from_rfc3339, now};
use crate::auth::{Auth, tokens, users};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens, create_token)).routes(routes!(revoke_token))
}

const MAX_LIFETIME_SECS: i64 = 366 * 24 * 3600;

/// Every token, newest first (never their secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
async fn list_tokens(State(state): State<AppState>, Auth(principal): Auth) -> Result<Json<Vec<TokenInfo>>, AppError> {
    principal.require_global_admin()?;
    Ok(Json(tokens::list(state.store.pool()).await?))
}

/// Creates a token; the answer holds its secret, which is never shown again.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = TokenSpec,
    responses((status = 201, body = CreatedToken), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn create_token(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiJson(spec): ApiJson<TokenSpec>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let pool = state.store.pool();
    let target =
        Target { environment: None, resource: Some(format!("token {}", spec.name.trim())), action: "token.create" };
    audited(pool, &principal, target, async {
        principal.require_global_admin()?;
        let expires_at = check(&state, &spec)?;
        let (creator_id, _) = users::credentials(pool, &principal.name)
            .await?
            .ok_or_else(|| AppError::Unauthorized("Your account no longer exists.".into()))?;
        let (token, secret) = tokens::create(pool, &spec, expires_at, creator_id).await?;
        Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
    })
    .await
}

/// The shared rules, then what needs the clock and the configuration.
fn check(state: &AppState, spec: &TokenSpec) -> Result<i64, AppError> {
    spec.validate()?;
    let mut errors = Vec::new();
    for (i, env) in spec.environments.iter().enumerate() {
        if state.environments.get(env).is_err() {
            errors.push(FieldError::new(format!("environments[{i}]"), format!("No environment named '{env}'.")));
        }
    }
    let expires_at = from_rfc3339(&spec.expires_at);
    match expires_at {
        None => errors.push(FieldError::new("expiresAt", "Use an RFC 3339 time, e.g. 2027-01-31T00:00:00Z.")),
        Some(t) if t <= now() => errors.push(FieldError::new("expiresAt", "The expiry must be in the future.")),
        Some(t) if t > now() + MAX_LIFETIME_SECS => {
            errors.push(FieldError::new("expiresAt", "A token can live at most a year."))
        }
        Some(_) => {}
    }
    if errors.is_empty() { Ok(expires_at.unwrap_or_default()) } else { Err(AppError::Validation(errors)) }
}

/// Revokes a token at once; it stays listed, marked revoked.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
async fn revoke_token(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    let pool = state.store.pool();
    let target = Target { environment: None, resource: Some(format!("token {id}")), action: "token.revoke" };
    audited(pool, &principal, target, async {
        principal.require_global_admin()?;
        if tokens::revoke(pool, id).await? {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(AppError::NotFound(format!("No live token with id {id}.")))
        }
    })
    .await
}
