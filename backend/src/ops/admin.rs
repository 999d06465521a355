//! Users and API tokens (admins of every environment only). Users are disabled rather than
//! deleted, and the last admin of every environment can be neither disabled nor demoted: nobody
//! locks Berth out. A token's secret is shown once, at creation.

use shared::auth::{
    CreatedToken, Grant, NewUser, TokenInfo, TokenSpec, UserInfo, is_global_admin, validate_new_grants,
};
use shared::error::FieldError;

use super::{Action, AppState, Caller, Needs};
use crate::auth::time::{from_rfc3339, now};
use crate::auth::{tokens, users};
use crate::error::AppError;

/// A token lives at most a year.
const MAX_LIFETIME_SECS: i64 = 366 * 24 * 3600;

fn no_such_user(name: &str) -> AppError {
    AppError::NotFound(format!("No active user named '{name}'."))
}

/// Names of environments must be configured ones (or `*` where `star` allows it).
fn unknown_environments<'a>(
    state: &AppState,
    names: impl Iterator<Item = &'a str>,
    path: impl Fn(usize) -> String,
    star: bool,
) -> Vec<FieldError> {
    names
        .enumerate()
        .filter(|(_, e)| !(star && *e == "*") && state.environments.get(e).is_err())
        .map(|(i, e)| FieldError::new(path(i), format!("No environment named '{e}'.")))
        .collect()
}

fn fail_on(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

/// Refuses a change that would leave no active admin of every environment.
async fn keep_an_admin(caller: &Caller, name: &str, new_grants: Option<&[Grant]>) -> Result<(), AppError> {
    let pool = caller.state.store.pool();
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
pub(crate) async fn users(caller: &Caller) -> Result<Vec<UserInfo>, AppError> {
    caller.principal.require_global_admin()?;
    Ok(users::list(caller.state.store.pool()).await?)
}

/// Adds a user with a password and roles.
pub(crate) async fn add_user(caller: &Caller, new: &NewUser) -> Result<UserInfo, AppError> {
    let pool = caller.state.store.pool();
    let action = Action::new("user.add", format!("user {}", new.name), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            new.validate()?;
            let envs = new.grants.iter().map(|g| g.environment.as_str());
            fail_on(unknown_environments(&caller.state, envs, |i| format!("grants[{i}].environment"), true))?;
            if users::exists(pool, &new.name).await? {
                return Err(AppError::Conflict {
                    message: format!("The name '{}' is taken (user names are never reused).", new.name),
                    field: Some("name".into()),
                });
            }
            users::add_with_grants(pool, &new.name, &new.password, &new.grants).await?;
            users::info(pool, &new.name).await?.ok_or_else(|| no_such_user(&new.name))
        })
        .await
}

/// Replaces a user's roles.
pub(crate) async fn set_grants(caller: &Caller, name: &str, grants: &[Grant]) -> Result<UserInfo, AppError> {
    let pool = caller.state.store.pool();
    let action = Action::new("user.grants", format!("user {name}"), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            validate_new_grants(grants)?;
            let envs = grants.iter().map(|g| g.environment.as_str());
            fail_on(unknown_environments(&caller.state, envs, |i| format!("grants[{i}].environment"), true))?;
            keep_an_admin(caller, name, Some(grants)).await?;
            users::set_grants(pool, name, grants).await?;
            users::info(pool, name).await?.ok_or_else(|| no_such_user(name))
        })
        .await
}

/// Disables a user: sessions end, their API tokens are revoked, the name stays taken.
pub(crate) async fn disable_user(caller: &Caller, name: &str) -> Result<(), AppError> {
    let action = Action::new("user.disable", format!("user {name}"), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            keep_an_admin(caller, name, None).await?;
            if !users::disable(caller.state.store.pool(), name).await? {
                return Err(no_such_user(name));
            }
            Ok(())
        })
        .await
}

/// Every token, newest first (never their secrets).
pub(crate) async fn tokens(caller: &Caller) -> Result<Vec<TokenInfo>, AppError> {
    caller.principal.require_global_admin()?;
    Ok(tokens::list(caller.state.store.pool()).await?)
}

/// Creates a token; the answer holds its secret, which is never shown again.
pub(crate) async fn create_token(caller: &Caller, spec: &TokenSpec) -> Result<CreatedToken, AppError> {
    let pool = caller.state.store.pool();
    let action = Action::new("token.create", format!("token {}", spec.name.trim()), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            let expires_at = token_expiry(&caller.state, spec)?;
            let (creator_id, _) = users::credentials(pool, &caller.principal.name)
                .await?
                .ok_or_else(|| AppError::Unauthorized("Your account no longer exists.".into()))?;
            let (token, secret) = tokens::create(pool, spec, expires_at, creator_id).await?;
            Ok(CreatedToken { token, secret })
        })
        .await
}

/// The shared rules, then what needs the clock and the configuration; the expiry as a Unix time.
fn token_expiry(state: &AppState, spec: &TokenSpec) -> Result<i64, AppError> {
    spec.validate()?;
    let envs = spec.environments.iter().map(String::as_str);
    let mut errors = unknown_environments(state, envs, |i| format!("environments[{i}]"), false);
    let expires_at = from_rfc3339(&spec.expires_at);
    match expires_at {
        None => errors.push(FieldError::new("expiresAt", "Use an RFC 3339 time, e.g. 2027-01-31T00:00:00Z.")),
        Some(t) if t <= now() => errors.push(FieldError::new("expiresAt", "The expiry must be in the future.")),
        Some(t) if t > now() + MAX_LIFETIME_SECS => {
            errors.push(FieldError::new("expiresAt", "A token can live at most a year."))
        }
        Some(_) => {}
    }
    fail_on(errors)?;
    expires_at.ok_or_else(|| AppError::Internal(anyhow::anyhow!("an expiry checked above")))
}

/// Revokes a token at once; it stays listed, marked revoked.
pub(crate) async fn revoke_token(caller: &Caller, id: i64) -> Result<(), AppError> {
    let action = Action::new("token.revoke", format!("token {id}"), Needs::GlobalAdmin);
    caller
        .act_global(action, async || {
            if tokens::revoke(caller.state.store.pool(), id).await? {
                Ok(())
            } else {
                Err(AppError::NotFound(format!("No live token with id {id}.")))
            }
        })
        .await
}
