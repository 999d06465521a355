//! Watch once, fan out: one poller per watched service, however many browsers (SSE) and
//! deployments follow it. The poller reads the service page once per interval, backs off while
//! AWS throttles, records deployments made outside Berth, reads ECS's own record of the rollout
//! and the load balancer targets' health, and stops when nobody watches.
//!
//! Among replicas (`crate::replicas`) each watched service has one poller across all of them: the
//! replica whose candidate leads "poll <service>" polls and publishes each snapshot; the others'
//! viewers receive it through NOTIFY, and try to lead at each interval, so one takes over when the
//! poller's replica stops watching or dies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared::deploy::{NativeRollout, ServiceSnapshot};
use tokio::sync::{Notify, broadcast, watch};

pub(crate) use super::key::ServiceKey;
use super::{external, native, records};
use crate::aws::Environments;
use crate::config::DeploySettings;
use crate::error::AppError;
use crate::replicas::{Incoming, POKES, Replicas, SNAPSHOTS};
use crate::store::Store;

/// What a watcher of a service receives: each poll's snapshot.
pub(crate) type Snapshots = watch::Receiver<Arc<ServiceSnapshot>>;

struct Watch {
    tx: watch::Sender<Arc<ServiceSnapshot>>,
    poke: Arc<Notify>,
}

pub(crate) struct Hub {
    environments: Arc<Environments>,
    store: Store,
    settings: DeploySettings,
    replicas: Arc<Replicas>,
    watches: Mutex<HashMap<ServiceKey, Watch>>,
}

/// What replicas tell each other about a service.
#[derive(serde::Serialize, serde::Deserialize)]
struct Heard {
    from: String,
    key: ServiceKey,
}

impl Hub {
    pub(crate) fn new(
        environments: Arc<Environments>,
        store: Store,
        settings: DeploySettings,
        replicas: Arc<Replicas>,
    ) -> Arc<Self> {
        let incoming = replicas.incoming();
        let hub = Arc::new(Self { environments, store, settings, replicas, watches: Mutex::default() });
        if let Some(rx) = incoming {
            tokio::spawn(hub.clone().hear(rx));
        }
        hub
    }

    /// Follows the service: the receiver sees each poll's snapshot. The first subscriber starts
    /// the poller; it stops after the last receiver is dropped.
    pub(crate) fn subscribe(self: &Arc<Self>, key: ServiceKey) -> Result<Snapshots, AppError> {
        self.environments.get(&key.environment)?;
        let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = watches.get(&key) {
            return Ok(w.tx.subscribe());
        }
        let empty = ServiceSnapshot {
            seq: 0,
            polled_at_ms: 0,
            service: None,
            error: None,
            deployment: None,
            rollout: None,
            targets: Vec::new(),
        };
        let (tx, rx) = watch::channel(Arc::new(empty));
        let poke = Arc::new(Notify::new());
        watches.insert(key.clone(), Watch { tx: tx.clone(), poke: poke.clone() });
        if self.replicas.is_shared() {
            // The poller's latest, until the next one arrives.
            let hub = self.clone();
            let shown = key.clone();
            tokio::spawn(async move { hub.deliver(&shown).await });
        }
        tokio::spawn(self.clone().poll(key, tx, poke));
        Ok(rx)
    }

    /// Polls the service now rather than at the end of the interval (after a deployment changed),
    /// on whichever replica polls it.
    pub(crate) fn poke(&self, key: &ServiceKey) {
        self.poke_here(key);
        if self.replicas.is_shared() {
            let heard = Heard { from: self.replicas.id().to_string(), key: key.clone() };
            let replicas = self.replicas.clone();
            tokio::spawn(async move {
                let payload = serde_json::to_string(&heard).unwrap_or_default();
                replicas.send(POKES, &payload).await;
            });
        }
    }

    fn poke_here(&self, key: &ServiceKey) {
        if let Some(w) = self.watches.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            w.poke.notify_one();
        }
    }

    async fn poll(self: Arc<Self>, key: ServiceKey, tx: watch::Sender<Arc<ServiceSnapshot>>, poke: Arc<Notify>) {
        let mut candidate = self.replicas.candidate(&format!("poll {}", key_text(&key)));
        let mut backoff = self.settings.poll_interval;
        let mut last_rollout = None;
        loop {
            let wait = if candidate.lead().await {
                // Numbered on from the last snapshot seen, whichever replica polled it.
                let seq = tx.borrow().seq + 1;
                if last_rollout.is_none() {
                    last_rollout = tx.borrow().rollout.clone();
                }
                let started = records::now_ms();
                let snapshot = self.snapshot(&key, seq, started, last_rollout.clone()).await;
                // A failed poll keeps the last record (and when its stage was first seen).
                if snapshot.error.is_none() {
                    last_rollout = snapshot.rollout.clone();
                }
                let throttled = snapshot.error.as_ref().is_some_and(|e| e.code == shared::error::ErrorCode::Throttled);
                let snapshot = Arc::new(snapshot);
                tx.send_replace(snapshot.clone());
                self.publish(&key, &snapshot).await;
                if throttled {
                    backoff = (backoff * 2).min(self.settings.max_backoff);
                    tracing::warn!(service = %key.service, wait_ms = backoff.as_millis() as u64, "AWS throttled a poll; backing off");
                    backoff
                } else {
                    backoff = self.settings.poll_interval;
                    self.settings.poll_interval
                }
            } else {
                // Another replica polls; its snapshots arrive through `hear`.
                last_rollout = None;
                self.settings.poll_interval
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = poke.notified() => {}
            }
            let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
            if tx.receiver_count() == 0 {
                watches.remove(&key);
                return;
            }
        }
    }

    /// Hands a snapshot this replica polled to the others.
    async fn publish(&self, key: &ServiceKey, snapshot: &ServiceSnapshot) {
        let Some(pool) = self.replicas.pool() else { return };
        let (Ok(text), Ok(heard)) = (
            serde_json::to_string(snapshot),
            serde_json::to_string(&Heard { from: self.replicas.id().to_string(), key: key.clone() }),
        ) else {
            return;
        };
        let written = sqlx::query(
            "INSERT INTO service_snapshots (service_key, snapshot, written_at) VALUES ($1, $2, $3) \
             ON CONFLICT (service_key) DO UPDATE SET snapshot = EXCLUDED.snapshot, written_at = EXCLUDED.written_at",
        )
        .bind(key_text(key))
        .bind(text)
        .bind(records::now_ms())
        .execute(pool)
        .await;
        match written {
            Ok(_) => self.replicas.send(SNAPSHOTS, &heard).await,
            Err(e) => tracing::warn!(error = %e, "publishing a snapshot to the other replicas"),
        }
    }

    /// What the other replicas say: a snapshot of a service watched here, or a poke for a service
    /// polled here.
    async fn hear(self: Arc<Self>, mut rx: broadcast::Receiver<Incoming>) {
        loop {
            let incoming = match rx.recv().await {
                Ok(incoming) => incoming,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let Ok(heard) = serde_json::from_str::<Heard>(&incoming.payload) else { continue };
            if heard.from == self.replicas.id() {
                continue;
            }
            match incoming.channel.as_str() {
                SNAPSHOTS => self.deliver(&heard.key).await,
                POKES => self.poke_here(&heard.key),
                _ => {}
            }
        }
    }

    /// The latest published snapshot of `key` to this replica's viewers, when newer than theirs.
    async fn deliver(&self, key: &ServiceKey) {
        let Some(tx) = self.watches.lock().unwrap_or_else(|p| p.into_inner()).get(key).map(|w| w.tx.clone()) else {
            return;
        };
        let Some(pool) = self.replicas.pool() else { return };
        let read: Result<Option<(String,)>, _> =
            sqlx::query_as("SELECT snapshot FROM service_snapshots WHERE service_key = $1")
                .bind(key_text(key))
                .fetch_optional(pool)
                .await;
        let snapshot = match read {
            Ok(Some((text,))) => match serde_json::from_str::<ServiceSnapshot>(&text) {
                Ok(snapshot) => snapshot,
                Err(e) => return tracing::warn!(error = %e, "reading another replica's snapshot"),
            },
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, "reading another replica's snapshot"),
        };
        if snapshot.polled_at_ms > tx.borrow().polled_at_ms {
            tx.send_replace(Arc::new(snapshot));
        }
    }

    async fn snapshot(
        &self,
        key: &ServiceKey,
        seq: u64,
        polled_at_ms: i64,
        last_rollout: Option<NativeRollout>,
    ) -> ServiceSnapshot {
        let aws = match self.environments.get(&key.environment) {
            Ok(aws) => aws,
            Err(e) => return failed(seq, polled_at_ms, &e),
        };
        let service = match aws.service_page(&key.cluster, &key.service).await {
            Ok(service) => service,
            Err(e) => return failed(seq, polled_at_ms, &e),
        };
        if let Err(e) = external::observe(self.store.pool(), Some(aws), key, &service, false, None).await {
            tracing::error!(error = ?e, "recording an external deployment");
        }
        let deployment = records::latest_of(self.store.pool(), &key.environment, &key.cluster, &key.service)
            .await
            .ok()
            .flatten()
            .map(|row| row.record());
        let rollout = native::follow(aws, &service, last_rollout, polled_at_ms).await;
        let targets = native::targets(aws, &service).await;
        ServiceSnapshot { seq, polled_at_ms, service: Some(service), error: None, deployment, rollout, targets }
    }
}

/// The service's name among replicas: its lock's and its stored snapshot's.
fn key_text(key: &ServiceKey) -> String {
    format!("{}/{}/{}", key.environment, key.cluster, key.service)
}

fn failed(seq: u64, polled_at_ms: i64, e: &AppError) -> ServiceSnapshot {
    if let AppError::Internal(err) = e {
        tracing::error!(error = ?err, "polling a service");
    }
    ServiceSnapshot {
        seq,
        polled_at_ms,
        service: None,
        error: Some(e.to_api_error()),
        deployment: None,
        rollout: None,
        targets: Vec::new(),
    }
}
