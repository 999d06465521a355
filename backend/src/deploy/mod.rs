//! The deploy engine: deployments recorded before acting, one at a time per service, followed
//! through one shared poller per service, resumed after a crash.

mod engine;
mod external;
pub mod history;
pub mod hub;
pub mod images;
pub mod plan;
pub mod records;
pub mod rollback;
mod verdict;

use std::sync::Arc;

use shared::deploy::{DeployRequest, DeployStep, DeploymentKind, DeploymentRecord, validate_deploy};

use engine::StepError;
pub use engine::{DEPLOYMENT_TAG, judge};
use hub::{Hub, ServiceKey};
use records::{Ending, Inserted, NewDeployment, Row};

use crate::auth::Principal;
use crate::aws::Environments;
use crate::config::DeploySettings;
use crate::error::AppError;
use crate::store::Store;

#[derive(Clone)]
pub struct Deployer {
    pub hub: Arc<Hub>,
    environments: Arc<Environments>,
    store: Store,
    settings: DeploySettings,
}

/// What starting a deployment gave.
pub struct Started {
    pub record: DeploymentRecord,
    /// The idempotency key was used before: this is that deployment, nothing new was started.
    pub repeated: bool,
}

/// What a rollback or redeploy targets.
pub struct Target {
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    /// The deployment whose revision goes out again.
    pub source: Row,
}

impl Deployer {
    pub fn new(environments: Arc<Environments>, store: Store, settings: DeploySettings) -> Self {
        let hub = Hub::new(environments.clone(), store.clone(), settings.clone());
        if let Some(every) = settings.external_sweep {
            tokio::spawn(external::sweep(environments.clone(), store.pool().clone(), every));
        }
        Self { hub, environments, store, settings }
    }

    /// A service update made in Berth (settings, an update-service document) that started a new
    /// ECS deployment is recorded with who made it, not as made outside Berth.
    pub async fn note_service_update(
        &self,
        principal: &Principal,
        environment: &str,
        before: &shared::ecs::service::ServiceDetail,
        after: &shared::ecs::service::ServiceDetail,
    ) -> Result<(), AppError> {
        let primary = |s: &shared::ecs::service::ServiceDetail| {
            s.deployments.iter().find(|d| d.status == "PRIMARY").map(|d| d.id.clone())
        };
        if primary(after).is_none() || primary(after) == primary(before) {
            return Ok(());
        }
        let key = ServiceKey {
            environment: environment.to_string(),
            cluster: after.cluster.clone(),
            service: after.service_name.clone(),
        };
        let via = principal.via_label();
        let aws = self.environments.get(environment).ok();
        let pool = self.store.pool();
        // What ran before is the history's starting point if Berth had not seen it yet (a
        // rollback needs it as the last good release).
        let recorded = async {
            external::observe(pool, aws, &key, before, false, None).await?;
            external::observe(pool, aws, &key, after, false, Some((&principal.name, &via))).await
        };
        recorded.await.map_err(|e| AppError::Internal(anyhow::Error::new(e).context("recording a service update")))
    }

    /// A service created in Berth: its first deployment is recorded as created by the caller.
    pub async fn note_service_created(
        &self,
        principal: &Principal,
        environment: &str,
        created: &shared::ecs::service::ServiceDetail,
    ) -> Result<(), AppError> {
        let Some(primary) = created.deployments.iter().find(|d| d.status == "PRIMARY") else { return Ok(()) };
        let via = principal.via_label();
        let pool = self.store.pool();
        let documents = match self.environments.get(environment) {
            Ok(aws) => external::documents(aws, None, &primary.task_definition).await,
            Err(_) => records::Documents::default(),
        };
        let external = records::External {
            environment,
            cluster: &created.cluster,
            service: &created.service_name,
            kind: DeploymentKind::Create,
            ecs_deployment_id: &primary.id,
            from_task_definition: None,
            to_task_definition: &primary.task_definition,
            started_at: external::ms_of(primary.created_at.as_deref()).unwrap_or_else(records::now_ms),
            deploying: true,
            by: Some((&principal.name, &via)),
            documents,
        };
        records::insert_external(pool, &external)
            .await
            .map(drop)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("recording a service's creation")))
    }

    /// Stops a rollout that keeps failing: a Berth deployment in flight ends FAILED (stopped by the
    /// caller, with its verdict), then the last good revision is deployed again as a rollback.
    pub async fn stop_rollout(
        &self,
        principal: &Principal,
        aws: &crate::aws::AwsEnv,
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
        if let Some(stuck) = records::in_flight_of(pool, environment, cluster, service).await.map_err(internal)? {
            let ending = Ending::new(
                shared::deploy::Outcome::Failed,
                format!("Stopped by {}: the service goes back to {back_to}.", principal.name),
            );
            if let Some(ecs_id) = stuck.ecs_deployment_id.clone() {
                let current = aws.describe_service(cluster, service).await.ok();
                self.keep_verdict(&stuck, &ecs_id, current.as_ref(), &ending).await;
            }
            records::finish(pool, stuck.id, &ending).await.map_err(internal)?;
        }
        let target = Target {
            environment: environment.to_string(),
            cluster: cluster.to_string(),
            service: service.to_string(),
            kind: DeploymentKind::Rollback,
            source,
        };
        self.redeploy(principal, &target, note, None).await
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Deploys new images: records, registers the revision, updates the service, then follows
    /// the rollout in the background. The caller's role and scope are checked (`ops`).
    pub async fn deploy(
        &self,
        principal: &Principal,
        environment: &str,
        request: &DeployRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Started, AppError> {
        validate_deploy(request)?;
        let aws = self.environments.get(environment)?;
        images::check(aws, &request.images).await?;
        let new = NewDeployment {
            environment,
            cluster: &request.cluster,
            service: &request.service,
            kind: DeploymentKind::Deploy,
            actor: &principal.name,
            via: &principal.via_label(),
            note: request.note.as_deref(),
            idempotency_key,
            request: records::Asked { images: Some(request.images.clone()), revision_of: None },
            to_task_definition: None,
            to_spec: None,
        };
        self.begin(&new).await
    }

    /// Deploys again the revision of an earlier deployment (re-registered if it was deregistered).
    pub async fn redeploy(
        &self,
        principal: &Principal,
        target: &Target,
        note: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<Started, AppError> {
        let new = NewDeployment {
            environment: &target.environment,
            cluster: &target.cluster,
            service: &target.service,
            kind: target.kind,
            actor: &principal.name,
            via: &principal.via_label(),
            note,
            idempotency_key,
            request: records::Asked { images: None, revision_of: Some(target.source.id) },
            to_task_definition: target.source.to_task_definition.as_deref(),
            to_spec: target.source.to_spec.as_ref().map(|s| &s.0),
        };
        self.begin(&new).await
    }

    async fn begin(&self, new: &NewDeployment<'_>) -> Result<Started, AppError> {
        let pool = self.store.pool();
        let id = match records::insert(pool, new).await.map_err(internal)? {
            Inserted::Repeated(id) => return Ok(Started { record: self.record(id).await?, repeated: true }),
            Inserted::Locked(holder) => {
                return Err(AppError::Conflict {
                    message: format!(
                        "Service {} is being deployed by {} (deployment #{}, started {}); wait for it to end.",
                        holder.service,
                        holder.actor,
                        holder.id,
                        holder.record().started_at
                    ),
                    field: None,
                });
            }
            Inserted::New(id) => id,
        };
        self.pause_point("recorded");
        match self.advance(id, false).await {
            Ok(()) => {}
            Err(StepError::Refused(e)) => {
                records::delete(pool, id).await.map_err(internal)?;
                return Err(e);
            }
            Err(StepError::Failed(e)) => return Err(e),
        }
        self.spawn_follow(id);
        Ok(Started { record: self.record(id).await?, repeated: false })
    }

    pub async fn record(&self, id: i64) -> Result<DeploymentRecord, AppError> {
        Ok(self.row(id).await?.record())
    }

    pub async fn row(&self, id: i64) -> Result<Row, AppError> {
        records::get(self.store.pool(), id)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("No deployment #{id}.")))
    }

    /// Runs the steps not yet done, up to the service update. A failure is recorded as FAILED.
    async fn advance(&self, id: i64, resumed: bool) -> Result<(), StepError> {
        let pool = self.store.pool();
        let result = async {
            let row = self.row(id).await.map_err(StepError::Failed)?;
            let aws = self.environments.get(&row.environment).map_err(StepError::Failed)?;
            if row.step == DeployStep::Recorded {
                engine::register(aws, pool, &row, resumed, &|step| self.pause_point(step)).await?;
                self.pause_point("registered");
            }
            let row = self.row(id).await.map_err(StepError::Failed)?;
            if row.step == DeployStep::Registered {
                engine::update(aws, pool, &row, resumed, &|step| self.pause_point(step)).await?;
                self.pause_point("updated");
            }
            Ok(())
        }
        .await;
        if let Err(StepError::Failed(e)) = &result {
            let message = e.to_api_error().message;
            let verdict = shared::deploy::Verdict { summary: message.clone(), ..Default::default() };
            let _ = records::set_verdict(pool, id, &verdict).await;
            let _ = records::finish(pool, id, &Ending::new(shared::deploy::Outcome::Failed, message)).await;
        }
        result
    }

    fn spawn_follow(&self, id: i64) {
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
    async fn keep_verdict(
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

/// The task definition a deploy of `images` would register (for the preview's diff).
pub fn preview(
    spec: &shared::ecs::task_definition::TaskDefinitionSpec,
    images: &[shared::deploy::ImageChange],
) -> Result<(shared::ecs::task_definition::TaskDefinitionSpec, Vec<shared::deploy::DeployedImage>), AppError> {
    let (mut next, deployed) = engine::with_images(spec, images, 0).map_err(|e| match e {
        StepError::Refused(e) | StepError::Failed(e) => e,
    })?;
    next.tags = spec.tags.clone();
    Ok((next, deployed))
}

fn internal(e: sqlx::Error) -> AppError {
    AppError::Internal(e.into())
}
