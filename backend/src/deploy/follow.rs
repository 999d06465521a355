//! Following a deployment after its service update: the rollout watched through the service's one
//! poller until ECS says how it ended (its events kept, a failure's verdict read), deployments
//! left in flight by a restart taken up again, and waiting for the ending.

use shared::deploy::{DeploymentKind, DeploymentRecord, Outcome};
use shared::ecs::service::ServiceDetail;

use super::engine::{StepError, primary};
use super::hub::ServiceKey;
use super::records::{self, Ending, Row};
use super::{Deployer, Started, Target, external, plan, verdict};
use crate::auth::Principal;
use crate::aws::AwsEnv;
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
        let timeout_ms = self.settings.timeout.as_millis() as i64;
        // A rollout waiting at a PAUSE hook waits for a person (the hook has its own timeout):
        // Berth's clock restarts when it moves on.
        let mut deadline = row.started_at + timeout_ms;
        let mut awaiting = row.awaiting_approval.as_ref().map(|h| h.0.clone());
        loop {
            let left = deadline - records::now_ms();
            let changed =
                tokio::time::timeout(std::time::Duration::from_millis(left.max(0) as u64), rx.changed()).await;
            if changed.is_err() || left <= 0 {
                let minutes = self.settings.timeout.as_secs().div_ceil(60);
                let ending = Ending::new(
                    Outcome::TimedOut,
                    format!("Not ended after {minutes} min; Berth stopped waiting (ECS goes on with the rollout)."),
                );
                let last = rx.borrow().service.clone();
                self.keep_verdict(&row, &ecs_id, last.as_ref(), &ending).await;
                records::finish(pool, id, &ending).await?;
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
                    let ending = Ending::new(Outcome::Failed, "The service was deleted during the rollout.");
                    records::finish(pool, id, &ending).await?;
                    break;
                }
                continue;
            }
            let Some(service) = &snapshot.service else { continue };
            // ECS's record is this deployment's when it rolls out this record's revision.
            let ours = snapshot.rollout.as_ref().filter(|r| {
                r.target.as_ref().and_then(|t| t.task_definition.as_deref()) == row.to_task_definition.as_deref()
            });
            let hook = ours.and_then(|r| r.awaiting_approval()).cloned();
            if hook.is_some() {
                deadline = deadline.max(records::now_ms() + timeout_ms);
            }
            if hook != awaiting {
                records::set_awaiting_approval(pool, id, hook.as_ref()).await?;
                awaiting = hook;
            }
            let during: Vec<_> = service
                .events
                .iter()
                .filter(|e| external::ms_of(e.created_at.as_deref()).is_none_or(|t| t + 1000 >= row.started_at))
                .cloned()
                .collect();
            records::add_events(pool, id, &during).await?;
            let ours = row.to_task_definition.as_deref();
            if let Some(ending) =
                judge(service, &ecs_id).map(|e| super::native::explain(e, snapshot.rollout.as_ref(), ours))
            {
                if ending.outcome == Outcome::Failed {
                    self.keep_verdict(&row, &ecs_id, Some(service), &ending).await;
                }
                records::finish(pool, id, &ending).await?;
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
    pub(super) async fn keep_verdict(&self, row: &Row, ecs_id: &str, service: Option<&ServiceDetail>, ending: &Ending) {
        let Ok(aws) = self.environments.get(&row.environment) else { return };
        let row = self.row(row.id).await.unwrap_or_else(|_| row.clone());
        let found = verdict::read(aws, &row, ecs_id, service, ending.reason.as_deref()).await;
        if let Err(e) = records::set_verdict(self.store.pool(), row.id, &found).await {
            tracing::error!(error = ?e, deployment = row.id, "keeping a verdict");
        }
    }

    /// After a restart: every deployment left in flight is taken up where it stopped.
    pub(crate) async fn resume_in_flight(&self) {
        let rows = match records::all_in_flight(self.store.pool()).await {
            Ok(rows) => rows,
            Err(e) => return tracing::error!(error = ?e, "listing deployments in flight"),
        };
        for row in rows {
            tracing::info!(deployment = row.id, step = row.step.as_str(), "resuming a deployment left in flight");
            self.resume(row.id).await;
        }
    }

    /// Takes a deployment up from its recorded step and follows it to its end.
    pub(super) async fn resume(&self, id: i64) {
        match self.advance(id, true).await {
            Ok(()) => self.spawn_follow(id),
            Err(StepError::Refused(e)) => {
                let ending = Ending::new(Outcome::Failed, e.to_api_error().message);
                let _ = records::finish(self.store.pool(), id, &ending).await;
            }
            Err(StepError::Failed(e)) => tracing::error!(error = ?e, deployment = id, "resuming a deployment"),
        }
    }

    /// Returns once the deployment has ended (for `wait`), bake time included, or once its
    /// rollout waits at a PAUSE hook for someone's answer (then `awaiting_approval` says which).
    pub async fn wait(&self, id: i64) -> Result<DeploymentRecord, AppError> {
        loop {
            let record = self.record(id).await?;
            if record.outcome.ended() || record.awaiting_approval.is_some() {
                return Ok(record);
            }
            tokio::time::sleep(self.settings.poll_interval / 2).await;
        }
    }

    /// Stops a rollout that keeps failing: a Berth deployment in flight ends FAILED (stopped by the
    /// caller, with its verdict), then the last good revision is deployed again as a rollback.
    pub(crate) async fn stop_rollout(
        &self,
        principal: &Principal,
        aws: &AwsEnv,
        environment: &str,
        cluster: &str,
        service: &str,
        note: Option<&str>,
    ) -> Result<Started, AppError> {
        let pool = self.store.pool();
        let resolved = plan::for_rollback(aws, pool, environment, cluster, service, None).await?;
        let Some(source) = resolved.target else {
            return Err(AppError::Conflict { message: resolved.plan.message, field: None });
        };
        let back_to = source.to_task_definition.clone().unwrap_or_default();
        if let Some(stuck) = records::in_flight_of(pool, environment, cluster, service).await? {
            let ending = Ending::new(
                Outcome::Failed,
                format!("Stopped by {}: the service goes back to {back_to}.", principal.name),
            );
            if let Some(ecs_id) = stuck.ecs_deployment_id.clone() {
                let current = aws.describe_service(cluster, service).await.ok();
                self.keep_verdict(&stuck, &ecs_id, current.as_ref(), &ending).await;
            }
            records::finish(pool, stuck.id, &ending).await?;
        }
        let target = Target {
            environment: environment.to_string(),
            cluster: cluster.to_string(),
            service: service.to_string(),
            kind: DeploymentKind::Rollback,
            source,
            freeze_override: None,
            promoted_from: None,
        };
        self.redeploy(&super::Actor::of(principal), &target, note, None).await
    }
}

/// How the ECS deployment `ecs_id` stands in a poll of its service: `None` while it rolls out.
pub(crate) fn judge(service: &ServiceDetail, ecs_id: &str) -> Option<Ending> {
    let primary = primary(service);
    let other_primary = primary.filter(|p| p.id != ecs_id);
    let ours = service.deployments.iter().find(|d| d.id == ecs_id);
    let failed_event = format!("(deployment {ecs_id}) deployment failed");
    let failed_by_event = service.events.iter().any(|e| e.message.contains(&failed_event));
    match ours.and_then(|d| d.rollout_state.as_deref()) {
        Some("COMPLETED") => {
            let reason = ours.and_then(|d| d.rollout_state_reason.clone()).unwrap_or_else(|| "Completed.".into());
            Some(Ending::new(Outcome::Succeeded, reason))
        }
        Some("FAILED") => Some(failure(ours.and_then(|d| d.rollout_state_reason.clone()), other_primary)),
        _ if ours.is_none() && failed_by_event => Some(failure(None, other_primary)),
        _ => other_primary.map(|p| {
            Ending::new(
                Outcome::Superseded,
                format!("Deployment {} ({}) replaced it before its rollout ended.", p.id, p.task_definition),
            )
        }),
    }
}

fn failure(reason: Option<String>, rollback: Option<&shared::ecs::service::Deployment>) -> Ending {
    let reason = reason.unwrap_or_else(|| "The rollout failed.".into());
    match rollback {
        Some(back) => Ending {
            outcome: Outcome::Failed,
            reason: Some(format!("{reason} Rolled back to {}.", back.task_definition)),
            rolled_back_to: Some((back.task_definition.clone(), back.id.clone())),
            ended_at: None,
        },
        None => Ending { outcome: Outcome::Failed, reason: Some(reason), rolled_back_to: None, ended_at: None },
    }
}
