//! The deploy engine: deployments recorded before acting, one at a time per service, followed
//! through one shared poller per service, resumed after a crash.

mod engine;
mod external;
mod follow;
pub mod history;
pub mod hub;
pub(crate) mod images;
mod key;
pub(crate) mod plan;
pub mod records;
pub(crate) mod rollback;
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
