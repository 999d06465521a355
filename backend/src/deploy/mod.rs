//! The deploy engine: deployments recorded before acting, one at a time per service, followed
//! through one shared poller per service, resumed after a crash. Starting one, step by step up to
//! the service update, is `engine.rs`; following it to its end, `follow.rs`.

mod engine;
mod external;
mod follow;
pub mod history;
pub(crate) mod hub;
mod key;
mod lease;
mod native;
pub(crate) mod plan;
pub mod records;
pub(crate) mod rollback;
mod verdict;

use std::sync::Arc;

use shared::deploy::{DeploymentKind, DeploymentRecord};

pub(crate) use engine::{StepError, check_images, resolve, with_images};
use hub::Hub;
use records::Row;

use crate::aws::Environments;
use crate::config::DeploySettings;
use crate::error::AppError;
use crate::replicas::Replicas;
use crate::store::Store;

#[derive(Clone)]
pub struct Deployer {
    pub(crate) hub: Arc<Hub>,
    environments: Arc<Environments>,
    store: Store,
    settings: DeploySettings,
    replicas: Arc<Replicas>,
}

/// What starting a deployment gave.
pub struct Started {
    pub record: DeploymentRecord,
    /// The idempotency key was used before: this is that deployment, nothing new was started.
    pub repeated: bool,
}

/// What a rollback or redeploy targets.
pub(crate) struct Target {
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    /// The deployment whose revision goes out again.
    pub source: Row,
    /// Made during a freeze window: the window and the admin's reason.
    pub freeze_override: Option<String>,
    /// A promotion: the source deployment and its environment.
    pub promoted_from: Option<(i64, String)>,
}

/// Who a deployment is recorded as made by: the caller, or, for one that waited for approval,
/// its requester (and who approved it).
pub struct Actor {
    pub name: String,
    pub via: String,
    pub approved_by: Option<String>,
}

impl Actor {
    pub fn of(principal: &crate::auth::Principal) -> Self {
        Self { name: principal.name.clone(), via: principal.via_label(), approved_by: None }
    }
}

impl Deployer {
    /// Polls the service now (after an answer to ECS changed its rollout).
    pub(crate) fn poke(&self, environment: &str, cluster: &str, service: &str) {
        self.hub.poke(&key::ServiceKey {
            environment: environment.into(),
            cluster: cluster.into(),
            service: service.into(),
        });
    }

    #[cfg(test)]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub fn new(
        environments: Arc<Environments>,
        store: Store,
        settings: DeploySettings,
        replicas: Arc<Replicas>,
    ) -> Self {
        let hub = Hub::new(environments.clone(), store.clone(), settings.clone(), replicas.clone());
        if let Some(every) = settings.external_sweep {
            let candidate = replicas.candidate("external sweep");
            tokio::spawn(external::sweep(environments.clone(), store.pool().clone(), every, candidate));
        }
        Self { hub, environments, store, settings, replicas }
    }

    pub(crate) async fn record(&self, id: i64) -> Result<DeploymentRecord, AppError> {
        Ok(self.row(id).await?.record())
    }

    pub(crate) async fn row(&self, id: i64) -> Result<Row, AppError> {
        records::get(self.store.pool(), id).await?.ok_or_else(|| AppError::NotFound(format!("No deployment #{id}.")))
    }

    /// The crash test's hook (only in a build with the `fault-injection` feature): with
    /// `pause_after_step` set to `step`, says so on stderr and blocks this thread for good (the test
    /// then kills the process).
    #[cfg(feature = "fault-injection")]
    fn pause_point(&self, step: &str) {
        if self.settings.pause_after_step.as_deref() == Some(step) {
            eprintln!("BERTH PAUSED AFTER STEP {step}");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    fn pause_point(&self, _step: &str) {}
}
