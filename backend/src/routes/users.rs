//! User accounts (admins of every environment only). Users are disabled rather than deleted, and
//! the last admin of every environment can be neither disabled nor demoted: nobody locks Berth.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::auth::{Grant, NewUser, UserInfo, is_global_admin, validate_new_grants};
use shared::error::{ApiError, FieldError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Target, audited};
use crate::auth::{Auth, users};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, add_user)).routes(routes!(disable_user)).routes(routes!(set_grants))
}

/// Grants must name configured environments (or `*`).
fn check_environments(state: &AppState, grants: &[Grant]) -> Result<(), AppError> {
    let errors: Vec<FieldError> = grants
        .iter()
        .enumerate()
        .filter(|(_, g)| g.environment != "*" && state.environments.get(&g.environment).is_err())
        .map(|(i, g)| {
            FieldError::new(format!("grants[{i}].environment"), format!("No environment named '{}'.", g.environment))
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

fn no_such_user(name: &str) -> AppError {
    AppError::NotFound(format!("No active user named '{name}'."))
}

/// Refuses a change that would leave no active admin of every environment.
async fn keep_an_admin(state: &AppState, name: &str, new_grants: Option<&[Grant]>) -> Result<(), AppError> {
    let pool = state.store.pool();
    let Some(user) = users::info(pool, name).await? else { return Err(no_such_user(name)) };
    let loses_admin = is_global_admin(&user.grants) && !new_grants.is_some_and(is_global_admin);
    if loses_admin && users::global_admins(pool).await? <= 1 {
        return Err(AppError::Conflict {
            message: format!("'{name}' is the last admin of every environment: make someone else one first."),
            field: None,
        });
    }
    Ok(())
}

/// Active users and their roles.
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses((status = 200, body = Vec<UserInfo>), (status = 403, body = ApiError)))]
async fn list_users(State(state): State<AppState>, Auth(principal): Auth) -> Result<Json<Vec<UserInfo>>, AppError> {
    principal.require_global_admin()?;
    Ok(Json(users::list(state.store.pool()).await?))
}

/// Adds a user with a password and roles.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserInfo), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn add_user(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserInfo>), AppError> {
    let pool = state.store.pool();
    let target = Target { environment: None, resource: Some(format!("user {}", new.name)), action: "user.add" };
    audited(pool, &principal, target, async {
        principal.require_global_admin()?;
        new.validate()?;
        check_environments(&state, &new.grants)?;
        if users::exists(pool, &new.name).await? {
            return Err(AppError::Conflict {
                message: format!("The name '{}' is taken (user names are never reused).", new.name),
                field: Some("name".into()),
            });
        }
        users::add_with_grants(pool, &new.name, &new.password, &new.grants).await?;
        let user = users::info(pool, &new.name).await?.ok_or_else(|| no_such_user(&new.name))?;
        Ok((StatusCode::CREATED, Json(user)))
    })
    .await
}

/// Replaces a user's roles.
#[utoipa::path(put, path = "/api/users/{name}/grants", tag = "users", request_body = Vec<Grant>,
    params(("name" = String, Path, description = "User name")),
    responses((status = 200, body = UserInfo), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn set_grants(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(name): ApiPath<String>,
    ApiJson(grants): ApiJson<Vec<Grant>>,
) -> Result<Json<UserInfo>, AppError> {
    let pool = state.store.pool();
    let target = Target { environment: None, resource: Some(format!("user {name}")), action: "user.grants" };
    audited(pool, &principal, target, async {
        principal.require_global_admin()?;
        validate_new_grants(&grants)?;
        check_environments(&state, &grants)?;
        keep_an_admin(&state, &name, Some(&grants)).await?;
        users::set_grants(pool, &name, &grants).await?;
        Ok(Json(users::info(pool, &name).await?.ok_or_else(|| no_such_user(&name))?))
    })
    .await
}

/// Disables a user: sessions end, their API tokens are revoked, the name stays taken.
#[utoipa::path(delete, path = "/api/users/{name}", tag = "users", params(("name" = String, Path, description = "User name")),
    responses((status = 204, description = "Disabled"), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
async fn disable_user(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let pool = state.store.pool();
    let target = Target { environment: None, resource: Some(format!("user {name}")), action: "user.disable" };
    audited(pool, &principal, target, async {
        principal.require_global_admin()?;
        keep_an_admin(&state, &name, None).await?;
        if !users::disable(pool, &name).await? {
            return Err(no_such_user(&name));
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
