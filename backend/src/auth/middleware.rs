use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::auth::Grant;

use super::principal::{Principal, Via};
use super::{sessions, tokens, users};
use crate::error::AppError;
use crate::state::AppState;

/// The header that carries the session's CSRF token. A cross-site form can't set a header, and a
/// cross-site script can't read the token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Authenticates the request (bearer token, else session cookie) or answers 401; refuses a
/// state-changing cookie request without the session's CSRF token (403).
pub async fn require_login(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let principal = match authenticate(&state, req.headers()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = check_csrf(&principal, req.method(), req.headers()) {
        return e.into_response();
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(sessions::COOKIE)?.strip_prefix('='))
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, AppError> {
    let pool = state.store.pool();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let secret =
            value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(|| {
                AppError::Unauthorized("Send the API token as 'Authorization: Bearer <token>'.".into())
            })?;
        return match tokens::authenticate(pool, secret.trim()).await? {
            tokens::Lookup::Valid(token) => Ok(Principal {
                name: token.created_by.clone(),
                grants: token.environments.iter().map(|e| Grant { environment: e.clone(), role: token.role }).collect(),
                via: Via::Token { id: token.id, name: token.name.clone() },
                services: token.services.clone(),
            }),
            tokens::Lookup::Expired => Err(AppError::Unauthorized("This API token has expired.".into())),
            tokens::Lookup::Revoked => Err(AppError::Unauthorized("This API token has been revoked.".into())),
            tokens::Lookup::Unknown => Err(AppError::Unauthorized("This API token is not valid.".into())),
        };
    }
    let Some(cookie) = session_cookie(headers) else {
        return Err(AppError::Unauthorized("Log in first.".into()));
    };
    let session = sessions::resume(pool, cookie, &state.auth)
        .await?
        .ok_or_else(|| AppError::Unauthorized("Your session has ended: log in again.".into()))?;
    Ok(Principal {
        grants: users::grants(pool, session.user_id).await?,
        name: session.name,
        via: Via::Session { id_hash: session.id_hash, csrf_token: session.csrf_token },
        services: None,
    })
}

fn check_csrf(principal: &Principal, method: &Method, headers: &HeaderMap) -> Result<(), AppError> {
    let Via::Session { csrf_token, .. } = &principal.via else { return Ok(()) };
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let sent = headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if constant_time_eq(sent, csrf_token.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("Missing or wrong {CSRF_HEADER} header: state-changing requests need it.")))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
