use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::principal::{Principal, Via};
use super::{sessions, tokens, users};
use crate::config::AuthSettings;
use crate::error::AppError;
use crate::extract::BODY_LIMIT;
use crate::store::Store;

/// The header that carries the session's CSRF token. A cross-site form can't set a header, and a
/// cross-site script can't read the token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// What the login check reads: the store (sessions, tokens, users) and the session settings.
#[derive(Clone)]
pub(crate) struct LoginGate {
    pub store: Store,
    pub auth: std::sync::Arc<AuthSettings>,
}

/// Authenticates the request (bearer token, else session cookie) or answers 401; refuses a
/// state-changing cookie request without the session's CSRF token (403).
pub(crate) async fn require_login(State(gate): State<LoginGate>, mut req: Request, next: Next) -> Response {
    let principal = match authenticate(&gate, req.headers()).await {
        Ok(p) => p,
        Err(e) => return refuse(req, e).await,
    };
    if let Err(e) = check_csrf(&principal, req.method(), req.headers()) {
        return refuse(req, e).await;
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

/// How long a refused request's body may take to arrive before the connection is given up.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Answers a request refused before its body was read. Hyper can't reuse a connection whose
/// request body is unread and used to drop it silently, so a client that kept it alive saw its
/// next request fail. The body is read and thrown away (up to the body limit), keeping the
/// connection usable; a larger or slower one gets `Connection: close` so the client knows.
async fn refuse(req: Request, error: AppError) -> Response {
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, drain(req.into_body())).await.unwrap_or(false);
    let mut response = error.into_response();
    if !drained {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// True when the body ended within [`BODY_LIMIT`] bytes.
async fn drain(body: Body) -> bool {
    let mut stream = body.into_data_stream();
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => read += bytes.len(),
            Err(_) => return false,
        }
        if read > BODY_LIMIT {
            return false;
        }
    }
    true
}

pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(sessions::COOKIE)?.strip_prefix('='))
}

async fn authenticate(gate: &LoginGate, headers: &HeaderMap) -> Result<Principal, AppError> {
    let pool = gate.store.pool();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let secret =
            value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(|| {
                AppError::Unauthorized("Send the API token as 'Authorization: Bearer <token>'.".into())
            })?;
        return match tokens::authenticate(pool, secret.trim()).await? {
            tokens::Lookup::Valid(token, grants) => Ok(Principal {
                name: token.created_by.clone(),
                grants,
                via: Via::Token { id: token.id, name: token.name.clone() },
                services: token.services.clone(),
            }),
            tokens::Lookup::Expired => Err(AppError::Unauthorized("This API token has expired.".into())),
            tokens::Lookup::CreatorDisabled(creator) => Err(AppError::Unauthorized(format!(
                "This API token no longer works: {creator}, who created it, is disabled."
            ))),
            tokens::Lookup::Revoked => Err(AppError::Unauthorized("This API token has been revoked.".into())),
            tokens::Lookup::Unknown => Err(AppError::Unauthorized("This API token is not valid.".into())),
        };
    }
    let Some(cookie) = session_cookie(headers) else {
        return Err(AppError::Unauthorized("Log in first.".into()));
    };
    let session = sessions::resume(pool, cookie, &gate.auth)
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
