//! Following a deployment after its service update: the rollout watched through the service's one
//! poller until ECS says how it ended (its events kept, a failure's verdict read), deployments
//! left in flight by a restart taken up again, and waiting for the ending.

use shared::deploy::DeploymentRecord;

use super::engine::{StepError, judge};
use super::hub::ServiceKey;
use super::records::{self, Ending, Row};
use super::{Deployer, external, internal, verdict};
use crate::error::AppError;

impl Deployer {
    pub(super) fn spawn_follow(&self, id: i64) {
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.follow(id).await {
                tracing::error!(error = ?e, deployment = id, "following a deployment");
            }
        });
    }

    /// Watches the service until ECS says how the deployment ended, keeping its events.
    async fn follow(&self, id: i64) -> Result<(), AppError> {
        let pool = self.store.pool();
        let row = self.row(id).await?;
        let Some(ecs_id) = row.ecs_deployment_id.clone() else { return Ok(()) };
        let key = ServiceKey {
            environment: row.environment.clone(),
            cluster: row.cluster.clone(),
            service: row.service.clone(),
        };
        let mut rx = self.hub.subscribe(key.clone())?;
        self.hub.poke(&key);
        // Only polls started after this point can know the deployment.
        let since = records::now_ms();
        let deadline = row.started_at + self.settings.timeout.as_millis() as i64;
        loop {
            let left = deadline - records::now_ms();
            let changed =
                tokio::time::timeout(std::time::Duration::from_millis(left.max(0) as u64), rx.changed()).await;
            if changed.is_err() || left <= 0 {
                let minutes = self.settings.timeout.as_secs().div_ceil(60);
                let ending = Ending::new(
                    shared::deploy::Outcome::TimedOut,
                    format!("Not ended after {minutes} min; Berth stopped waiting (ECS goes on with the rollout)."),
                );
                let last = rx.borrow().service.clone();
                self.keep_verdict(&row, &ecs_id, last.as_ref(), &ending).await;
                records::finish(pool, id, &ending).await.map_err(internal)?;
                break;
            }
            if changed.is_ok_and(|r| r.is_err()) {
                return Err(AppError::Internal(anyhow::anyhow!("the service's poller stopped")));
            }
            let snapshot = rx.borrow_and_update().clone();
            if snapshot.polled_at_ms < since {
                continue;
            }
            if let Some(error) = &snapshot.error {
                if error.code == shared::error::ErrorCode::NotFound {
                    let ending =
                        Ending::new(shared::deploy::Outcome::Failed, "The service was deleted during the rollout.");
                    records::finish(pool, id, &ending).await.map_err(internal)?;
                    break;
                }
                continue;
            }
            let Some(service) = &snapshot.service else { continue };
            let during: Vec<_> = service
                .events
                .iter()
                .filter(|e| external::ms_of(e.created_at.as_deref()).is_none_or(|t| t + 1000 >= row.started_at))
                .cloned()
                .collect();
            records::add_events(pool, id, &during).await.map_err(internal)?;
            if let Some(ending) = judge(service, &ecs_id) {
                if ending.outcome == shared::deploy::Outcome::Failed {
                    self.keep_verdict(&row, &ecs_id, Some(service), &ending).await;
                }
                records::finish(pool, id, &ending).await.map_err(internal)?;
                break;
            }
        }
        // One more poll while still subscribed: viewers see the ending at once, and a deployment
        // that replaced this one is recorded.
        self.hub.poke(&key);
        let _ = tokio::time::timeout(self.settings.poll_interval * 2, rx.changed()).await;
        Ok(())
    }

    /// Keeps why the rollout failed (best effort: a verdict that can't be read leaves the reason).
    pub(super) async fn keep_verdict(
        &self,
        row: &Row,
        ecs_id: &str,
        service: Option<&shared::ecs::service::ServiceDetail>,
        ending: &Ending,
    ) {
        let Ok(aws) = self.environments.get(&row.environment) else { return };
        let row = self.row(row.id).await.unwrap_or_else(|_| row.clone());
        let found = verdict::read(aws, &row, ecs_id, service, ending.reason.as_deref()).await;
        if let Err(e) = records::set_verdict(self.store.pool(), row.id, &found).await {
            tracing::error!(error = ?e, deployment = row.id, "keeping a verdict");
        }
    }

    /// After a restart: every deployment left in flight is taken up where it stopped.
    pub async fn resume_in_flight(&self) {
        let rows = match records::all_in_flight(self.store.pool()).await {
            Ok(rows) => rows,
            Err(e) => return tracing::error!(error = ?e, "listing deployments in flight"),
        };
        for row in rows {
            tracing::info!(deployment = row.id, step = row.step.as_str(), "resuming a deployment left in flight");
            match self.advance(row.id, true).await {
                Ok(()) => self.spawn_follow(row.id),
                Err(StepError::Refused(e)) => {
                    let ending = Ending::new(shared::deploy::Outcome::Failed, e.to_api_error().message);
                    let _ = records::finish(self.store.pool(), row.id, &ending).await;
                }
                Err(StepError::Failed(_)) => {}
            }
        }
    }

    /// Returns once the deployment has ended (for `wait`).
    pub async fn wait(&self, id: i64) -> Result<DeploymentRecord, AppError> {
        loop {
            let record = self.record(id).await?;
            if record.outcome.ended() {
                return Ok(record);
            }
            tokio::time::sleep(self.settings.poll_interval / 2).await;
        }
    }
}
