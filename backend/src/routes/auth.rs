//! Login, logout, and who am I.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::auth::{LoginRequest, Me};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Target};
use crate::auth::{Auth, Principal, Via, secrets, sessions, users};
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Routes anyone may call.
pub(crate) fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login))
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(logout)).routes(routes!(me))
}

const WRONG: &str = "Wrong user or password.";

fn cookie(value: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}", sessions::COOKIE);
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}

/// The address the trusted proxy reports, when one is configured.
fn client_ip(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let header = state.auth.client_ip_header.as_deref()?;
    let value = headers.get(header)?.to_str().ok()?;
    value.split(',').next().map(|ip| ip.trim().to_string()).filter(|ip| !ip.is_empty())
}

fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.auth.secure_cookies || headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https")
}

/// Logs in with a user name and password; sets the session cookie (HttpOnly, SameSite=Strict).
/// Failures are generic and rate limited per user name and client address, per user name, and
/// per client address (see `auth::rate_limit`).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = ApiError), (status = 429, body = ApiError)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let pool = state.store.pool();
    let ip = client_ip(&state, &headers).unwrap_or_else(|| peer.ip().to_string());
    let name: String = req.name.trim().chars().take(64).collect();
    let target = Target { environment: None, resource: None, action: "auth.login" };
    // The attempt is counted before the password is checked: parallel guesses can't all get in
    // before the first failure is recorded.
    let attempt = match state.login_limiter.reserve(&state.store, &ip, &name).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            audit::append(pool, &name, "login", &target, "denied: rate limited").await;
            return Err(AppError::RateLimited {
                message: format!("Too many failed logins: try again in {} minute(s).", wait.div_ceil(60)),
                retry_after_secs: wait,
            });
        }
    };
    let user = users::credentials(pool, &name).await?;
    let (user_id, hash) = user.map_or((None, None), |(id, hash)| (Some(id), Some(hash)));
    let verified = secrets::verify_password_blocking(&req.password, hash).await;
    let Some(user_id) = user_id.filter(|_| verified) else {
        audit::append(pool, &name, "login", &target, "failed: wrong user or password").await;
        return Err(AppError::Unauthorized(WRONG.into()));
    };
    state.login_limiter.succeeded(&state.store, attempt).await?;
    let session = sessions::create(pool, user_id).await?;
    audit::append(pool, &name, "session", &target, "success").await;
    let me = Me {
        name,
        grants: users::grants(pool, user_id).await?,
        csrf_token: Some(session.csrf_token),
        public_url: state.public_url.as_deref().map(str::to_string),
    };
    let max_age = state.auth.session_max.as_secs();
    let mut response = Json(me).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&session.id, max_age, over_tls(&state, &headers)));
    Ok(response)
}

/// Ends the session and clears its cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Logged out"), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Auth(principal): Auth,
) -> Result<Response, AppError> {
    let pool = state.store.pool();
    if let Via::Session { id_hash, .. } = &principal.via {
        sessions::end(pool, id_hash).await?;
    }
    audit::append(
        pool,
        &principal.name,
        &principal.via_label(),
        &Target { environment: None, resource: None, action: "auth.logout" },
        "success",
    )
    .await;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0, over_tls(&state, &headers)));
    Ok(response)
}

/// The caller: name, roles, and (for a session) the CSRF token to send with changes.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn me(State(state): State<AppState>, Auth(principal): Auth) -> Json<Me> {
    Json(me_of(principal, state.public_url.as_deref()))
}

fn me_of(principal: Principal, public_url: Option<&str>) -> Me {
    let csrf_token = match principal.via {
        Via::Session { csrf_token, .. } => Some(csrf_token),
        _ => None,
    };
    Me { name: principal.name, grants: principal.grants, csrf_token, public_url: public_url.map(str::to_string) }
}
