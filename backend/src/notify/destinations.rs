//! The `notification_destinations` table. The URL and secret are kept as given (Berth needs them
//! to send and sign) and leave the store only for the sender: what the API lists are hints.

use crate::store::Db;
use crate::store::Json;
use shared::notify::{DestinationInfo, DestinationKind, NewDestination, NotifyEvent, secret_hint, url_hint};

use crate::deploy::records::now_ms;
use crate::store::{Doing, StoreResult};

#[derive(sqlx::FromRow)]
struct Listed {
    id: i64,
    environment: String,
    name: String,
    kind: DestinationKind,
    url: String,
    secret: Option<String>,
    services: Json<Vec<String>>,
    events: Json<Vec<NotifyEvent>>,
    created_by: String,
    created_at: i64,
}

impl Listed {
    fn info(self) -> DestinationInfo {
        DestinationInfo {
            id: self.id,
            environment: self.environment,
            name: self.name,
            kind: self.kind,
            url_hint: url_hint(&self.url),
            secret_hint: self.secret.as_deref().map(secret_hint),
            services: self.services.0,
            events: self.events.0,
            created_by: self.created_by,
            created_at: super::rfc3339_ms(self.created_at),
        }
    }
}

const COLUMNS: &str = "id, environment, name, kind, url, secret, services, events, created_by, created_at";

pub(crate) enum Added {
    New(DestinationInfo),
    /// The environment has a destination of that name.
    NameTaken,
}

pub(crate) async fn add(pool: &Db, environment: &str, new: &NewDestination, by: &str) -> StoreResult<Added> {
    let name = new.name.trim();
    let result = sqlx::query_as::<_, Listed>(sqlx::AssertSqlSafe(format!(
        "INSERT INTO notification_destinations (environment, name, kind, url, secret, services, events, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    )))
    .bind(environment)
    .bind(name)
    .bind(new.kind)
    .bind(new.url.trim())
    .bind(new.secret.as_deref())
    .bind(Json(&new.services))
    .bind(Json(&new.events))
    .bind(by)
    .bind(now_ms())
    .fetch_one(pool)
    .await;
    match result {
        Ok(row) => Ok(Added::New(row.info())),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Added::NameTaken),
        Err(e) => Err(e).doing(|| format!("adding notification destination '{name}' to {environment}")),
    }
}

pub(crate) async fn list(pool: &Db, environment: &str) -> StoreResult<Vec<DestinationInfo>> {
    let rows: Vec<Listed> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_destinations WHERE environment = $1 ORDER BY name"
    )))
    .bind(environment)
    .fetch_all(pool)
    .await
    .doing(|| format!("listing the notification destinations of {environment}"))?;
    Ok(rows.into_iter().map(Listed::info).collect())
}

pub(crate) async fn get(pool: &Db, environment: &str, id: i64) -> StoreResult<Option<DestinationInfo>> {
    let row: Option<Listed> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_destinations WHERE environment = $1 AND id = $2"
    )))
    .bind(environment)
    .bind(id)
    .fetch_optional(pool)
    .await
    .doing(|| format!("reading notification destination #{id}"))?;
    Ok(row.map(Listed::info))
}

/// Removes a destination with its delivery log and whatever it had still to send.
pub(crate) async fn remove(pool: &Db, environment: &str, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM notification_destinations WHERE environment = $1 AND id = $2")
        .bind(environment)
        .bind(id)
        .execute(pool)
        .await
        .doing(|| format!("removing notification destination #{id}"))?;
    Ok(done.rows_affected() == 1)
}
