//! Watch once, fan out: one poller per watched service, however many browsers (SSE) and
//! deployments follow it. The poller reads the service page once per interval, backs off while
//! AWS throttles, records deployments made outside Berth, reads ECS's own record of the rollout
//! and the load balancer targets' health, and stops when nobody watches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared::deploy::{NativeRollout, ServiceSnapshot};
use tokio::sync::{Notify, watch};

pub(crate) use super::key::ServiceKey;
use super::{external, native, records};
use crate::aws::Environments;
use crate::config::DeploySettings;
use crate::error::AppError;
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
    watches: Mutex<HashMap<ServiceKey, Watch>>,
}

impl Hub {
    pub(crate) fn new(environments: Arc<Environments>, store: Store, settings: DeploySettings) -> Arc<Self> {
        Arc::new(Self { environments, store, settings, watches: Mutex::default() })
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
        tokio::spawn(self.clone().poll(key, tx, poke));
        Ok(rx)
    }

    /// Polls the service now rather than at the end of the interval (after a deployment changed).
    pub(crate) fn poke(&self, key: &ServiceKey) {
        if let Some(w) = self.watches.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            w.poke.notify_one();
        }
    }

    async fn poll(self: Arc<Self>, key: ServiceKey, tx: watch::Sender<Arc<ServiceSnapshot>>, poke: Arc<Notify>) {
        let mut seq = 0;
        let mut backoff = self.settings.poll_interval;
        let mut last_rollout = None;
        loop {
            seq += 1;
            let started = records::now_ms();
            let snapshot = self.snapshot(&key, seq, started, last_rollout.clone()).await;
            // A failed poll keeps the last record (and when its stage was first seen).
            if snapshot.error.is_none() {
                last_rollout = snapshot.rollout.clone();
            }
            let throttled = snapshot.error.as_ref().is_some_and(|e| e.code == shared::error::ErrorCode::Throttled);
            tx.send_replace(Arc::new(snapshot));
            let wait = if throttled {
                backoff = (backoff * 2).min(self.settings.max_backoff);
                tracing::warn!(service = %key.service, wait_ms = backoff.as_millis() as u64, "AWS throttled a poll; backing off");
                backoff
            } else {
                backoff = self.settings.poll_interval;
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
