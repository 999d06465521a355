//! The `notification_deliveries` table: one row per event and destination, pending until the
//! destination answers 2xx or the attempts run out; the destination's delivery log.

use crate::store::Db;
use crate::store::Json;
use shared::notify::{DeliveryInfo, DeliveryStatus, DestinationKind, NotifyEvent};

use super::Notice;
use super::rfc3339_ms;
use crate::store::{Doing, StoreResult};

/// A delivery whose attempt is due, with what sending it needs.
#[derive(sqlx::FromRow)]
pub(crate) struct Due {
    pub id: i64,
    pub destination_id: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub kind: DestinationKind,
    pub url: String,
    pub secret: Option<String>,
    pub notice: Json<Notice>,
}

/// Up to `limit` deliveries due at `now`, oldest first.
pub(crate) async fn due(pool: &Db, now: i64, limit: i64) -> StoreResult<Vec<Due>> {
    sqlx::query_as(
        "SELECT d.id, d.destination_id, d.attempts, d.next_attempt_at, t.kind, t.url, t.secret, o.notice \
         FROM notification_deliveries d JOIN notification_destinations t ON t.id = d.destination_id \
         JOIN notification_outbox o ON o.id = d.outbox_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
    .doing(|| "listing the notifications due".into())
}

/// Takes the delivery for one attempt: counts it and pushes its next attempt to `until` (past the
/// attempt's timeout), so that an attempt a crash cut short is made again after a restart. False:
/// another sender took it first.
pub(crate) async fn lease(pool: &Db, due: &Due, now: i64, until: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE notification_deliveries SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2 \
         WHERE id = $3 AND status = 'pending' AND next_attempt_at = $4",
    )
    .bind(now)
    .bind(until)
    .bind(due.id)
    .bind(due.next_attempt_at)
    .execute(pool)
    .await
    .doing(|| format!("taking notification delivery #{}", due.id))?;
    Ok(done.rows_affected() == 1)
}

/// The destination answered 2xx.
pub(crate) async fn delivered(pool: &Db, id: i64, status: u16, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE notification_deliveries SET status = 'delivered', last_status = $1, last_error = NULL, \
         next_attempt_at = NULL, delivered_at = $2 WHERE id = $3",
    )
    .bind(i64::from(status))
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .map(drop)
    .doing(|| format!("recording notification delivery #{id} as delivered"))
}

/// The attempt failed: try again at `retry_at`, or give up (`None`).
pub(crate) async fn failed(
    pool: &Db,
    id: i64,
    status: Option<u16>,
    error: &str,
    retry_at: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE notification_deliveries SET status = $1, last_status = $2, last_error = $3, next_attempt_at = $4 \
         WHERE id = $5",
    )
    .bind(if retry_at.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::GaveUp })
    .bind(status.map(i64::from))
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .execute(pool)
    .await
    .map(drop)
    .doing(|| format!("recording notification delivery #{id}'s failed attempt"))
}

/// Forgets events recorded before `before` that nothing waits to send, with their deliveries.
pub(crate) async fn prune(pool: &Db, before: i64) -> StoreResult<u64> {
    let done = sqlx::query(
        "DELETE FROM notification_outbox WHERE created_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM notification_deliveries d WHERE d.outbox_id = notification_outbox.id AND d.status = 'pending')",
    )
    .bind(before)
    .execute(pool)
    .await
    .doing(|| "forgetting old notifications".into())?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct Logged {
    id: i64,
    event: NotifyEvent,
    idempotency_key: String,
    deployment_id: Option<i64>,
    notice: Json<Notice>,
    status: DeliveryStatus,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    last_attempt_at: Option<i64>,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
}

/// A destination's newest `limit` deliveries, or one (`only`).
pub(crate) async fn log(pool: &Db, destination: i64, only: Option<i64>, limit: i64) -> StoreResult<Vec<DeliveryInfo>> {
    let rows: Vec<Logged> = sqlx::query_as(
        "SELECT d.id, o.event, o.idempotency_key, o.deployment_id, o.notice, d.status, d.attempts, d.last_status, \
         d.last_error, d.created_at, d.last_attempt_at, d.next_attempt_at, d.delivered_at \
         FROM notification_deliveries d JOIN notification_outbox o ON o.id = d.outbox_id \
         WHERE d.destination_id = $1 AND ($2 IS NULL OR d.id = $2) ORDER BY d.id DESC LIMIT $3",
    )
    .bind(destination)
    .bind(only)
    .bind(limit)
    .fetch_all(pool)
    .await
    .doing(|| format!("reading the delivery log of notification destination #{destination}"))?;
    Ok(rows
        .into_iter()
        .map(|r| DeliveryInfo {
            id: r.id,
            event: r.event,
            idempotency_key: r.idempotency_key,
            deployment_id: r.deployment_id,
            service: r.notice.0.deployment.as_ref().map(|d| format!("{}/{}", d.cluster, d.service)),
            status: r.status,
            attempts: r.attempts,
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: rfc3339_ms(r.created_at),
            last_attempt_at: r.last_attempt_at.map(rfc3339_ms),
            next_attempt_at: r.next_attempt_at.filter(|_| r.status == DeliveryStatus::Pending).map(rfc3339_ms),
            delivered_at: r.delivered_at.map(rfc3339_ms),
        })
        .collect())
}
