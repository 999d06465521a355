//! The outbox: an event is recorded in the transaction of the deployment change it reports (so
//! both are written, or neither), once per idempotency key, with one pending delivery for each of
//! the environment's destinations whose filter takes it.

use crate::store::DbConnection;
use crate::store::Json;
use shared::deploy::{DeployedImage, DeploymentKind, Outcome};
use shared::notify::NotifyEvent;

use crate::deploy::records::{LIST_COLUMNS, Row, now_ms};
use crate::store::{Doing, StoreResult};

/// The deployment change a transaction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Berth's own deployment updated the service.
    Started,
    /// A record of a deployment Berth follows (external, a service update made in Berth, a
    /// service's creation) was written.
    Followed,
    /// The deployment ended.
    Ended,
}

/// An event as the outbox keeps it; each destination gets it rendered in its format.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Notice {
    pub idempotency_key: String,
    pub event: NotifyEvent,
    pub occurred_at: String,
    pub environment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<NoticeDeployment>,
    /// A test's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The deployment an event is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NoticeDeployment {
    pub id: i64,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    pub actor: String,
    pub outcome: Outcome,
    pub from_task_definition: Option<String>,
    pub to_task_definition: Option<String>,
    pub rolled_back_to: Option<String>,
    pub reason: Option<String>,
    /// A failed deployment's verdict, in one line.
    pub summary: Option<String>,
    pub images: Vec<DeployedImage>,
}

/// The event a change of `row` is, if any. The first record Berth makes of a service it only
/// observed (the start of its history) is not announced, neither when recorded nor when it ends.
fn event_of(row: &Row, change: Change, first_seen: bool) -> Option<NotifyEvent> {
    let observed = row.kind == DeploymentKind::External;
    if observed && first_seen {
        return None;
    }
    match change {
        Change::Started => Some(NotifyEvent::Started),
        Change::Followed if observed && row.actor == crate::deploy::records::OUTSIDE.0 => Some(NotifyEvent::External),
        Change::Followed if observed || row.kind == DeploymentKind::Create => Some(NotifyEvent::Started),
        Change::Followed => None,
        Change::Ended => match row.outcome {
            Outcome::Succeeded if row.kind == DeploymentKind::Rollback => Some(NotifyEvent::RolledBack),
            Outcome::Succeeded => Some(NotifyEvent::Succeeded),
            Outcome::Failed if row.rolled_back_to.is_some() => Some(NotifyEvent::RolledBack),
            Outcome::Failed => Some(NotifyEvent::Failed),
            Outcome::Superseded | Outcome::TimedOut => Some(NotifyEvent::Stopped),
            Outcome::InProgress => None,
        },
    }
}

/// `deployment-12-succeeded`: one event per deployment and kind of event.
fn key_of(deployment: i64, event: NotifyEvent) -> String {
    format!("deployment-{deployment}-{}", event.as_str().trim_start_matches("deployment."))
}

/// Records the event `change` of deployment `id` is, in the caller's transaction.
pub(crate) async fn enqueue(conn: &mut DbConnection, id: i64, change: Change) -> StoreResult<()> {
    let what = || format!("recording the notification of deployment #{id}");
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {LIST_COLUMNS} FROM deployments WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .doing(what)?;
    let Some(row) = row else { return Ok(()) };
    // Records that started before it (a Berth deployment recorded just before it does not count:
    // Berth records the service's current deployment as its history's start when it first deploys).
    let (earlier,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 AND id != $4 \
         AND (started_at < $5 OR (started_at = $5 AND id < $4))",
    )
    .bind(&row.environment)
    .bind(&row.cluster)
    .bind(&row.service)
    .bind(id)
    .bind(row.started_at)
    .fetch_one(&mut *conn)
    .await
    .doing(what)?;
    let Some(event) = event_of(&row, change, earlier == 0) else { return Ok(()) };
    let notice = Notice {
        idempotency_key: key_of(id, event),
        event,
        occurred_at: super::rfc3339_ms(now_ms()),
        environment: row.environment.clone(),
        deployment: Some(NoticeDeployment {
            id,
            cluster: row.cluster.clone(),
            service: row.service.clone(),
            kind: row.kind,
            actor: row.actor.clone(),
            outcome: row.outcome,
            from_task_definition: row.from_task_definition.clone(),
            to_task_definition: row.to_task_definition.clone(),
            rolled_back_to: row.rolled_back_to.clone(),
            reason: row.reason.clone(),
            summary: row.verdict.as_ref().map(|v| v.0.summary.clone()),
            images: row.images.0.clone(),
        }),
        message: None,
    };
    let service = format!("{}/{}", row.cluster, row.service);
    insert(conn, &notice, Some(id), |d| d.takes(event, &service)).await.map(drop)
}

/// A destination's filter, as stored.
#[derive(sqlx::FromRow)]
struct Filter {
    id: i64,
    services: Json<Vec<String>>,
    events: Json<Vec<NotifyEvent>>,
}

impl Filter {
    fn takes(&self, event: NotifyEvent, service: &str) -> bool {
        self.events.0.contains(&event) && (self.services.0.is_empty() || self.services.0.iter().any(|s| s == service))
    }
}

/// Writes the notice (unless its key is there already) and a pending delivery to each destination
/// of its environment that `takes` it; returns the outbox row's id if it was written.
async fn insert(
    conn: &mut DbConnection,
    notice: &Notice,
    deployment: Option<i64>,
    takes: impl Fn(&Filter) -> bool,
) -> StoreResult<Option<i64>> {
    let what = || format!("recording notification {}", notice.idempotency_key);
    let now = now_ms();
    let written: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO notification_outbox (idempotency_key, environment, event, deployment_id, notice, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(&notice.idempotency_key)
    .bind(&notice.environment)
    .bind(notice.event)
    .bind(deployment)
    .bind(Json(notice))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .doing(what)?;
    let Some((outbox,)) = written else { return Ok(None) };
    let filters: Vec<Filter> =
        sqlx::query_as("SELECT id, services, events FROM notification_destinations WHERE environment = $1")
            .bind(&notice.environment)
            .fetch_all(&mut *conn)
            .await
            .doing(what)?;
    for filter in filters.iter().filter(|f| takes(f)) {
        sqlx::query(
            "INSERT INTO notification_deliveries (outbox_id, destination_id, status, next_attempt_at, created_at) \
             VALUES ($1, $2, 'pending', $3, $4)",
        )
        .bind(outbox)
        .bind(filter.id)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .doing(what)?;
    }
    Ok(Some(outbox))
}

/// Announces an approval request to the environment's destinations that take
/// `approval.requested` for its service.
pub(crate) async fn enqueue_approval(
    pool: &crate::store::Db,
    environment: &str,
    request: i64,
    service: &str,
    message: String,
) -> StoreResult<()> {
    let what = || format!("recording the notification of approval request #{request}");
    let event = NotifyEvent::ApprovalRequested;
    let notice = Notice {
        idempotency_key: format!("approval-{request}-requested"),
        event,
        occurred_at: super::rfc3339_ms(now_ms()),
        environment: environment.to_string(),
        deployment: None,
        message: Some(message),
    };
    let mut tx = pool.begin().await.doing(what)?;
    insert(&mut tx, &notice, None, |f| f.takes(event, service)).await?;
    tx.commit().await.doing(what)?;
    super::WAKE.notify_waiters();
    Ok(())
}

/// Queues a test notification to one destination; returns its delivery's id.
pub(crate) async fn enqueue_test(
    pool: &crate::store::Db,
    environment: &str,
    destination: i64,
    destination_name: &str,
    by: &str,
) -> StoreResult<i64> {
    let what = || format!("queueing a test of notification destination #{destination}");
    let mut nonce = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let notice = Notice {
        idempotency_key: format!("test-{destination}-{nonce}"),
        event: NotifyEvent::Test,
        occurred_at: super::rfc3339_ms(now_ms()),
        environment: environment.to_string(),
        deployment: None,
        message: Some(format!("Test notification to '{destination_name}', sent by {by} from Berth.")),
    };
    let mut tx = pool.begin().await.doing(what)?;
    let outbox = insert(&mut tx, &notice, None, |f| f.id == destination).await?;
    let (delivery,): (i64,) =
        sqlx::query_as("SELECT id FROM notification_deliveries WHERE outbox_id = $1 AND destination_id = $2")
            .bind(outbox)
            .bind(destination)
            .fetch_one(&mut *tx)
            .await
            .doing(what)?;
    tx.commit().await.doing(what)?;
    Ok(delivery)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: DeploymentKind, outcome: Outcome, rolled_back_to: Option<&str>) -> Row {
        Row {
            id: 7,
            environment: "local".into(),
            cluster: "demo".into(),
            service: "web".into(),
            kind,
            actor: if kind == DeploymentKind::External { "external".into() } else { "ann".into() },
            via: "session".into(),
            note: None,
            request: Json(Default::default()),
            step: shared::deploy::DeployStep::Ended,
            outcome,
            reason: None,
            from_task_definition: None,
            to_task_definition: None,
            from_spec: None,
            to_spec: None,
            images: Json(vec![]),
            ecs_deployment_id: None,
            rolled_back_to: rolled_back_to.map(str::to_string),
            started_at: 0,
            ended_at: None,
            verdict: None,
            awaiting_approval: None,
            freeze_override: None,
            approved_by: None,
            promoted_from: None,
            promoted_from_environment: None,
        }
    }

    #[test]
    fn each_ending_is_its_event() {
        use DeploymentKind::{Deploy, External, Rollback};
        let ended = |kind, outcome, back| event_of(&row(kind, outcome, back), Change::Ended, false);
        assert_eq!(ended(Deploy, Outcome::Succeeded, None), Some(NotifyEvent::Succeeded));
        assert_eq!(ended(Deploy, Outcome::Failed, None), Some(NotifyEvent::Failed));
        assert_eq!(ended(Deploy, Outcome::Failed, Some("web:3")), Some(NotifyEvent::RolledBack));
        assert_eq!(ended(Rollback, Outcome::Succeeded, None), Some(NotifyEvent::RolledBack));
        assert_eq!(ended(Deploy, Outcome::Superseded, None), Some(NotifyEvent::Stopped));
        assert_eq!(ended(Deploy, Outcome::TimedOut, None), Some(NotifyEvent::Stopped));
        assert_eq!(ended(External, Outcome::Succeeded, None), Some(NotifyEvent::Succeeded));
        let first = row(External, Outcome::Succeeded, None);
        assert_eq!(event_of(&first, Change::Followed, true), None, "the start of a service's history");
        assert_eq!(event_of(&first, Change::Ended, true), None);
        assert_eq!(event_of(&first, Change::Followed, false), Some(NotifyEvent::External));
        let mut by_berth = first.clone();
        by_berth.actor = "ann".into();
        assert_eq!(
            event_of(&by_berth, Change::Followed, false),
            Some(NotifyEvent::Started),
            "a service update in Berth"
        );
    }

    #[test]
    fn keys_name_the_deployment_and_the_event() {
        assert_eq!(key_of(12, NotifyEvent::Succeeded), "deployment-12-succeeded");
        assert_eq!(key_of(3, NotifyEvent::External), "deployment-3-external");
    }

    #[test]
    fn a_filter_takes_its_events_of_its_services() {
        let filter = Filter { id: 1, services: Json(vec!["demo/web".into()]), events: Json(vec![NotifyEvent::Failed]) };
        assert!(filter.takes(NotifyEvent::Failed, "demo/web"));
        assert!(!filter.takes(NotifyEvent::Succeeded, "demo/web"));
        assert!(!filter.takes(NotifyEvent::Failed, "other/web"));
        let every = Filter { services: Json(vec![]), ..filter };
        assert!(every.takes(NotifyEvent::Failed, "other/web"));
    }
}
