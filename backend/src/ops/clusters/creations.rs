//! Creating a cluster with its EC2 capacity, step by step in the background so the wizard can show
//! each step live; undoing a failed creation; deleting a cluster with the capacity Berth built.
//! A step that fails stops the creation: the UI says which and why, and offers to remove what the
//! earlier steps made — nothing is left behind silently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shared::ecs::cluster::{ClusterSpec, Creation, CreationState, Step, StepId, StepState};

use crate::auth::secrets::random_secret;
use crate::aws::{AwsEnv, Environments, resource_name};
use crate::error::AppError;

/// What a creation made so far (what removing it must undo).
#[derive(Debug, Clone, Default)]
struct Made {
    cluster: bool,
    role: Option<String>,
    security_group: Option<String>,
    launch_template: Option<String>,
    auto_scaling_group: Option<String>,
    capacity_provider: Option<String>,
}

struct Entry {
    environment: String,
    creation: Creation,
    made: Made,
}

/// The creations of this server's lifetime, by id.
#[derive(Default, Clone)]
pub struct Creations(Arc<Mutex<HashMap<String, Entry>>>);

/// How long to wait for a new cluster's instances to register (they keep joining after).
const REGISTRATION_WAIT: Duration = Duration::from_secs(300);

fn step(id: StepId, title: String) -> Step {
    Step { id, title, state: StepState::Pending, detail: None }
}

fn plan(spec: &ClusterSpec) -> Vec<Step> {
    let mut steps = vec![step(StepId::Cluster, format!("Create cluster {}", spec.cluster_name))];
    if let Some(ec2) = &spec.ec2 {
        steps.push(step(StepId::InstanceRole, format!("Instance role {}", ec2.instance_role)));
        if let Some(ports) = &ec2.open_ports {
            let list: Vec<String> = ports.iter().map(i64::to_string).collect();
            steps.push(step(StepId::SecurityGroup, format!("Security group opening TCP {}", list.join(", "))));
        }
        steps.push(step(
            StepId::LaunchTemplate,
            format!("Launch template ({}, {} GiB)", ec2.instance_type, ec2.root_volume_gib),
        ));
        steps.push(step(
            StepId::AutoScalingGroup,
            format!("Auto Scaling group ({} instances, {} subnets)", ec2.desired_capacity, ec2.subnet_ids.len()),
        ));
        steps.push(step(StepId::CapacityProvider, "Capacity provider bound to the group".into()));
        steps.push(step(StepId::DefaultStrategy, "Default capacity provider strategy of the cluster".into()));
        steps.push(step(StepId::Instances, format!("{} container instances registered", ec2.desired_capacity)));
    }
    steps
}

/// What a person reads when a step fails (internal errors are logged, not shown).
fn reason(e: &AppError) -> String {
    if let AppError::Internal(err) = e {
        tracing::error!(error = ?err, "cluster step failed");
    }
    let api = e.to_api_error();
    if api.fields.is_empty() {
        return api.message;
    }
    let fields: Vec<String> = api
        .fields
        .iter()
        .map(|f| if f.path.is_empty() { f.message.clone() } else { format!("{}: {}", f.path, f.message) })
        .collect();
    format!("AWS refused it: {}", fields.join("; "))
}

impl Creations {
    pub(crate) fn get(&self, environment: &str, id: &str) -> Option<Creation> {
        let map = self.0.lock().ok()?;
        map.get(id).filter(|e| e.environment == environment).map(|e| e.creation.clone())
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Entry)) {
        if let Ok(mut map) = self.0.lock()
            && let Some(entry) = map.get_mut(id)
        {
            f(entry);
        }
    }

    fn set_step(&self, id: &str, step: StepId, state: StepState, detail: Option<String>) {
        self.update(id, |e| {
            if let Some(s) = e.creation.steps.iter_mut().find(|s| s.id == step) {
                s.state = state;
                s.detail = detail;
            }
        });
    }

    /// Records a new creation with its planned steps.
    fn begin(&self, environment: &str, spec: &ClusterSpec) -> Creation {
        let id = random_secret()[..16].to_string();
        let creation =
            Creation { id, cluster_name: spec.cluster_name.clone(), state: CreationState::Running, steps: plan(spec) };
        if let Ok(mut map) = self.0.lock() {
            let entry = Entry { environment: environment.into(), creation: creation.clone(), made: Made::default() };
            map.insert(creation.id.clone(), entry);
        }
        creation
    }

    async fn finish(&self, aws: &AwsEnv, id: &str, spec: &ClusterSpec) {
        let outcome = self.run(aws, id, spec).await;
        self.update(id, |e| {
            e.creation.state = if outcome.is_ok() { CreationState::Succeeded } else { CreationState::Failed }
        });
    }

    /// Starts creating; returns at once with the planned steps.
    pub(crate) fn start(&self, environments: Arc<Environments>, environment: &str, spec: ClusterSpec) -> Creation {
        let creation = self.begin(environment, &spec);
        let (this, id, environment) = (self.clone(), creation.id.clone(), environment.to_string());
        tokio::spawn(async move {
            if let Ok(aws) = environments.get(&environment) {
                this.finish(aws, &id, &spec).await;
            }
        });
        creation
    }

    /// Creates and waits for the end (local mode's demo data).
    pub(crate) async fn create_now(&self, aws: &AwsEnv, spec: ClusterSpec) -> Creation {
        let begun = self.begin(aws.name(), &spec);
        self.finish(aws, &begun.id, &spec).await;
        self.get(aws.name(), &begun.id).unwrap_or(begun)
    }

    /// Runs one step: marks it running, then done (with what it made) or failed (with why).
    async fn step<T>(
        &self,
        id: &str,
        step: StepId,
        work: impl Future<Output = Result<T, AppError>>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, ()> {
        self.set_step(id, step, StepState::Running, None);
        match work.await {
            Ok(value) => {
                self.set_step(id, step, StepState::Done, Some(detail(&value)));
                Ok(value)
            }
            Err(e) => {
                self.set_step(id, step, StepState::Failed, Some(reason(&e)));
                Err(())
            }
        }
    }

    async fn run(&self, aws: &AwsEnv, id: &str, spec: &ClusterSpec) -> Result<(), ()> {
        let name = &spec.cluster_name;
        self.step(id, StepId::Cluster, aws.create_cluster(spec), |c| c.cluster_arn.clone()).await?;
        self.update(id, |e| e.made.cluster = true);
        let Some(ec2) = &spec.ec2 else { return Ok(()) };

        let role = &ec2.instance_role;
        let created_role = self
            .step(
                id,
                StepId::InstanceRole,
                async {
                    if aws.instance_role_exists(role).await? {
                        return Ok(false);
                    }
                    if !ec2.create_instance_role {
                        return Err(AppError::Conflict {
                            message: format!(
                                "The role {role} (with an instance profile of the same name) does not exist: let Berth create it, or create it in IAM."
                            ),
                            field: Some("ec2.instanceRole".into()),
                        });
                    }
                    aws.create_instance_role(role).await?;
                    Ok(true)
                },
                |created| if *created { "created with AmazonEC2ContainerServiceforEC2Role".into() } else { "exists".into() },
            )
            .await?;
        if created_role {
            self.update(id, |e| e.made.role = Some(role.clone()));
        }

        let mut groups = ec2.security_group_ids.clone();
        if let Some(ports) = &ec2.open_ports {
            let group = self
                .step(id, StepId::SecurityGroup, aws.create_security_group(name, &ec2.vpc_id, ports), String::clone)
                .await?;
            self.update(id, |e| e.made.security_group = Some(group.clone()));
            groups.push(group);
        }

        let template = self
            .step(
                id,
                StepId::LaunchTemplate,
                async {
                    let image = match &ec2.image_id {
                        Some(image) => image.clone(),
                        None => aws.recommended_ecs_ami().await?,
                    };
                    let template = aws.create_launch_template(name, ec2, &image, &groups).await?;
                    Ok((template, image))
                },
                |(template, image)| format!("{template} (AMI {image})"),
            )
            .await?
            .0;
        self.update(id, |e| e.made.launch_template = Some(template.clone()));

        let group_arn = self
            .step(id, StepId::AutoScalingGroup, aws.create_auto_scaling_group(name, ec2, &template), |_| {
                resource_name(name)
            })
            .await?;
        self.update(id, |e| e.made.auto_scaling_group = Some(resource_name(name)));

        let provider = self
            .step(
                id,
                StepId::CapacityProvider,
                aws.create_capacity_provider(name, &group_arn, ec2.managed_scaling),
                String::clone,
            )
            .await?;
        self.update(id, |e| e.made.capacity_provider = Some(provider.clone()));

        self.step(id, StepId::DefaultStrategy, aws.set_cluster_capacity_provider(name, Some(&provider)), |_| {
            format!("{provider}, weight 1")
        })
        .await?;

        let wanted = ec2.desired_capacity;
        self.step(id, StepId::Instances, wait_for_instances(aws, name, wanted), |n| {
            format!("{n} of {wanted} registered")
        })
        .await?;
        Ok(())
    }

    /// Removes what a failed creation made, newest first. Returns at once; the steps show progress.
    pub(crate) fn remove(
        &self,
        environments: Arc<Environments>,
        environment: &str,
        id: &str,
    ) -> Result<Creation, AppError> {
        let (creation, made) = {
            let mut map = self.0.lock().map_err(|_| AppError::Internal(anyhow::anyhow!("creations lock poisoned")))?;
            let entry = map
                .get_mut(id)
                .filter(|e| e.environment == environment)
                .ok_or_else(|| AppError::NotFound(format!("No cluster creation {id}.")))?;
            if entry.creation.state != CreationState::Failed {
                return Err(AppError::Conflict {
                    message: format!(
                        "This creation is {}: only a failed one is removed this way.",
                        entry.creation.state.as_str()
                    ),
                    field: None,
                });
            }
            entry.creation.state = CreationState::Removing;
            (entry.creation.clone(), entry.made.clone())
        };
        let this = self.clone();
        let (environment, id, name) = (environment.to_string(), id.to_string(), creation.cluster_name.clone());
        tokio::spawn(async move {
            let Ok(aws) = environments.get(&environment) else { return };
            let ok = this.undo(aws, &id, &name, &made).await;
            this.update(&id, |e| e.creation.state = if ok { CreationState::Removed } else { CreationState::Failed });
        });
        Ok(creation)
    }

    async fn undo(&self, aws: &AwsEnv, id: &str, cluster: &str, made: &Made) -> bool {
        let mut ok = true;
        let mut mark = |this: &Self, step: StepId, result: Result<(), AppError>| match result {
            Ok(()) => this.set_step(id, step, StepState::Removed, None),
            Err(e) => {
                ok = false;
                this.set_step(id, step, StepState::Failed, Some(format!("Could not remove: {}", reason(&e))));
            }
        };
        if let Some(provider) = &made.capacity_provider {
            let detached = aws.set_cluster_capacity_provider(cluster, None).await;
            let removed = match detached {
                Ok(()) => aws.remove_capacity_provider(provider).await,
                Err(e) => Err(e),
            };
            mark(self, StepId::CapacityProvider, removed);
        }
        if let Some(group) = &made.auto_scaling_group {
            mark(self, StepId::AutoScalingGroup, aws.remove_auto_scaling_group(group).await);
        }
        if let Some(template) = &made.launch_template {
            mark(self, StepId::LaunchTemplate, aws.remove_launch_template(template).await);
        }
        if let Some(group) = &made.security_group {
            mark(self, StepId::SecurityGroup, aws.remove_security_group(group).await);
        }
        if let Some(role) = &made.role {
            mark(self, StepId::InstanceRole, aws.remove_instance_role(role).await);
        }
        if made.cluster {
            let gone = wait_for_no_instances(aws, cluster).await;
            mark(
                self,
                StepId::Cluster,
                match gone {
                    Ok(()) => aws.delete_cluster(cluster).await,
                    Err(e) => Err(e),
                },
            );
        }
        ok
    }
}

async fn wait_for_instances(aws: &AwsEnv, cluster: &str, wanted: i64) -> Result<i64, AppError> {
    let deadline = tokio::time::Instant::now() + REGISTRATION_WAIT;
    loop {
        let registered = aws.container_instances(cluster).await?.len() as i64;
        if registered >= wanted || tokio::time::Instant::now() >= deadline {
            return Ok(registered);
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// A cluster can't be deleted while instances are registered: wait for the terminated ones to leave.
async fn wait_for_no_instances(aws: &AwsEnv, cluster: &str) -> Result<(), AppError> {
    let deadline = tokio::time::Instant::now() + REGISTRATION_WAIT;
    while !aws.container_instances(cluster).await?.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    Ok(())
}

/// Deletes a cluster: refused while it has services (naming them); with `remove_capacity`, first
/// the capacity Berth built for it (capacity provider, Auto Scaling group and its instances,
/// launch template, security group).
pub(crate) async fn delete_cluster(aws: &AwsEnv, name: &str, remove_capacity: bool) -> Result<(), AppError> {
    let services = aws.services_of(name).await?;
    if !services.is_empty() {
        let names: Vec<&str> = services.iter().map(|s| s.service_name.as_str()).collect();
        return Err(AppError::Conflict {
            message: format!(
                "Cluster {name} still has services: {}. Delete them first (scale to 0, then delete).",
                names.join(", ")
            ),
            field: None,
        });
    }
    if remove_capacity {
        let cluster = aws.cluster(name).await?;
        let capacity = aws.berth_capacity(&cluster).await?;
        if let Some(provider) = &capacity.capacity_provider {
            aws.set_cluster_capacity_provider(name, None).await?;
            aws.remove_capacity_provider(provider).await?;
        }
        if let Some(group) = &capacity.auto_scaling_group {
            aws.remove_auto_scaling_group(group).await?;
        }
        if let Some(template) = &capacity.launch_template_id {
            aws.remove_launch_template(template).await?;
        }
        wait_for_no_instances(aws, name).await?;
        if let Some(group) = &capacity.security_group_id {
            aws.remove_security_group(group).await?;
        }
    }
    aws.delete_cluster(name).await
}
