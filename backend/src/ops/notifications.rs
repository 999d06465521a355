//! Notification destinations of an environment (its admins only): add, list (URL and secret as
//! hints only), remove, the delivery log, "Send test".

use shared::auth::Role;
use shared::notify::{DeliveryInfo, DestinationInfo, NewDestination};

use super::{Action, Caller, Needs};
use crate::error::AppError;
use crate::notify::{WAKE, deliveries, destinations, outbox};

/// How many deliveries the log shows, newest first.
const LOG_LIMIT: i64 = 100;

fn no_such_destination(env: &str, id: i64) -> AppError {
    AppError::NotFound(format!("No notification destination #{id} in environment '{env}'."))
}

/// Reading destinations is for the environment's admins too: their filters are configuration.
fn read_as_admin(caller: &Caller, env: &str) -> Result<(), AppError> {
    caller.state.environments.get(env)?;
    caller.principal.require(env, Role::Admin)
}

pub(crate) async fn list(caller: &Caller, env: &str) -> Result<Vec<DestinationInfo>, AppError> {
    read_as_admin(caller, env)?;
    Ok(destinations::list(caller.state.store.pool(), env).await?)
}

pub(crate) async fn add(caller: &Caller, env: &str, new: &NewDestination) -> Result<DestinationInfo, AppError> {
    let action = Action::new(
        "notification.destination.add",
        format!("notification destination {}", new.name.trim()),
        Needs::Role(Role::Admin),
    );
    caller
        .act(env, action, async |_| {
            new.validate().map_err(AppError::Validation)?;
            match destinations::add(caller.state.store.pool(), env, new, &caller.principal.name).await? {
                destinations::Added::New(info) => Ok(info),
                destinations::Added::NameTaken => Err(AppError::Conflict {
                    message: format!("Environment '{env}' has a destination named '{}'.", new.name.trim()),
                    field: Some("name".into()),
                }),
            }
        })
        .await
}

pub(crate) async fn remove(caller: &Caller, env: &str, id: i64) -> Result<(), AppError> {
    let action = Action::new(
        "notification.destination.remove",
        format!("notification destination #{id}"),
        Needs::Role(Role::Admin),
    );
    caller
        .act(env, action, async |_| {
            if destinations::remove(caller.state.store.pool(), env, id).await? {
                Ok(())
            } else {
                Err(no_such_destination(env, id))
            }
        })
        .await
}

pub(crate) async fn log(caller: &Caller, env: &str, id: i64) -> Result<Vec<DeliveryInfo>, AppError> {
    read_as_admin(caller, env)?;
    let pool = caller.state.store.pool();
    destinations::get(pool, env, id).await?.ok_or_else(|| no_such_destination(env, id))?;
    Ok(deliveries::log(pool, id, None, LOG_LIMIT).await?)
}

/// Queues a test notification to the destination (whatever its filter) and wakes the sender;
/// answers the delivery, pending (its log shows how it went).
pub(crate) async fn test(caller: &Caller, env: &str, id: i64) -> Result<DeliveryInfo, AppError> {
    let action = Action::new(
        "notification.destination.test",
        format!("notification destination #{id}"),
        Needs::Role(Role::Admin),
    );
    caller
        .act(env, action, async |_| {
            let pool = caller.state.store.pool();
            let destination = destinations::get(pool, env, id).await?.ok_or_else(|| no_such_destination(env, id))?;
            let delivery = outbox::enqueue_test(pool, env, id, &destination.name, &caller.principal.name).await?;
            WAKE.notify_waiters();
            let logged = deliveries::log(pool, id, Some(delivery), 1).await?;
            logged.into_iter().next().ok_or_else(|| no_such_destination(env, id))
        })
        .await
}
