//! Local mode's demo data: the seed lab's repository `nginxweb` with images `v1`, `v2` and
//! `latest` (the same image as `v2`, as after the lab's pipeline pushed v2), and its cluster
//! `itflex-nginx` with 2 t2.micro instances, built as the cluster wizard builds it, running the
//! lab's task definition `nginx-web` (plus CloudWatch Logs, `/ecs/nginx-web`) as the service
//! `nginx-web-access` (REPLICA, 4 tasks); and beside it `nginx-web-bluegreen` (2 tasks of the same
//! image, `nginx-web-bg` with dynamic host ports) behind an Application Load Balancer with two
//! target groups, deployed BLUE_GREEN with a PAUSE hook before production traffic moves — so a
//! newcomer sees an approval.

use shared::auth::{Grant, Role};
use shared::ecs::cluster::{ClusterSpec, Ec2Capacity};
use shared::ecs::service::{
    AdvancedConfiguration, DeploymentConfiguration, DeploymentController, LifecycleHook, LoadBalancer,
    PlacementStrategy, ServiceSpec,
};
use shared::ecs::task_definition::TaskDefinitionSpec;

use crate::auth::{secrets, users};
use crate::aws::{DemoImage, Environments};
use crate::error::AppError;
use crate::store::Store;

pub(crate) const DEMO_REPOSITORY: &str = "nginxweb";

fn manifest(config_digest: char, layer_digest: char, layer_size: u64) -> String {
    let hex = |c: char| c.to_string().repeat(64);
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7_650,
            "digest": format!("sha256:{}", hex(config_digest)),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": layer_size,
            "digest": format!("sha256:{}", hex(layer_digest)),
        }],
    })
    .to_string()
}

pub(crate) fn demo_images() -> Vec<DemoImage> {
    let v1 = manifest('1', 'a', 67_108_864);
    let v2 = manifest('2', 'b', 67_371_008);
    // An image that exists but can't start (local mode's `cannot-start` convention): the lab's
    // "deploy a broken release" step without pushing anything.
    let broken = manifest('3', 'c', 67_402_112);
    vec![
        DemoImage { tag: "v1", manifest: v1 },
        DemoImage { tag: "v2", manifest: v2.clone() },
        DemoImage { tag: "latest", manifest: v2 },
        DemoImage { tag: "v3-cannot-start", manifest: broken },
    ]
}

pub(crate) const DEMO_CLUSTER: &str = "itflex-nginx";

/// Loads the demo data into the environment `local`; does nothing if there is none.
pub(crate) async fn load(environments: &Environments) -> Result<(), AppError> {
    let Ok(local) = environments.get("local") else { return Ok(()) };
    local.ensure_demo_repository(DEMO_REPOSITORY, &demo_images()).await?;
    ensure_demo_cluster(local).await?;
    ensure_demo_service(local).await?;
    ensure_blue_green_service(local).await
}

pub(crate) const DEMO_BLUE_GREEN_SERVICE: &str = "nginx-web-bluegreen";

/// The demo's blue/green service: the lab's container with dynamic host ports (two revisions'
/// tasks share the instances while traffic moves), behind the load balancer `nginx-web-alb`.
async fn ensure_blue_green_service(local: &crate::aws::AwsEnv) -> Result<(), AppError> {
    if local.describe_service(DEMO_CLUSTER, DEMO_BLUE_GREEN_SERVICE).await.is_ok() {
        return Ok(());
    }
    let vpcs = local.list_vpcs().await?;
    let Some(vpc) = vpcs.iter().find(|v| v.is_default).or(vpcs.first()) else { return Ok(()) };
    let subnets: Vec<String> = local.list_subnets(&vpc.id).await?.into_iter().take(2).map(|s| s.id).collect();
    let rig = local.ensure_traffic_rig("nginx-web-alb", &vpc.id, &subnets).await?;
    let mut task: TaskDefinitionSpec = serde_json::from_str(SEED_TASK_DEFINITION)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the seed task definition: {e}")))?;
    task.family = "nginx-web-bg".into();
    // No CPU reservation: the lab's tasks reserve all of each t2.micro's 1024 units, and ECS
    // places a task only where its reservation fits (memory: 256 MiB of the 982 left beside them).
    task.cpu = None;
    let repository = local.describe_repository(DEMO_REPOSITORY).await?;
    for container in &mut task.container_definitions {
        container.image = format!("{}:v2", repository.repository_uri);
        container.log_configuration = Some(shared::logs::awslogs_default(&task.family, &local.info.region));
        for mapping in container.port_mappings.iter_mut().flatten() {
            mapping.host_port = Some(0);
        }
    }
    local.register_task_definition(&task).await?;
    let account = repository.repository_uri.split('.').next().unwrap_or_default().to_string();
    let container = task.container_definitions.first().map(|c| c.name.clone());
    let service = ServiceSpec {
        cluster: Some(DEMO_CLUSTER.into()),
        service_name: DEMO_BLUE_GREEN_SERVICE.into(),
        task_definition: Some(task.family.clone()),
        desired_count: Some(2),
        launch_type: Some("EC2".into()),
        scheduling_strategy: Some("REPLICA".into()),
        load_balancers: Some(vec![LoadBalancer {
            target_group_arn: Some(rig.blue_target_group),
            container_name: container,
            container_port: Some(80),
            advanced_configuration: Some(AdvancedConfiguration {
                alternate_target_group_arn: Some(rig.green_target_group),
                production_listener_rule: Some(rig.production_rule),
                test_listener_rule: Some(rig.test_rule),
                role_arn: Some(format!("arn:aws:iam::{account}:role/ecsInfrastructureRoleForLoadBalancers")),
            }),
            ..LoadBalancer::default()
        }]),
        deployment_configuration: Some(DeploymentConfiguration {
            strategy: Some("BLUE_GREEN".into()),
            bake_time_in_minutes: Some(2),
            ..DeploymentConfiguration::rolling_with_rollback()
        }),
        deployment_controller: Some(DeploymentController { kind: "ECS".into() }),
        enable_ecs_managed_tags: Some(true),
        ..ServiceSpec::default()
    };
    let created = local.create_service(&service).await?;
    // The pause is added once the service exists: hooks run on every deployment, its first too,
    // and the demo's first release needs nobody's approval.
    let mut with_pause = created.deployment_configuration.unwrap_or_default();
    with_pause.lifecycle_hooks = Some(vec![LifecycleHook::approval_pause()]);
    let update = shared::ecs::service::ServiceUpdate {
        cluster: Some(DEMO_CLUSTER.into()),
        service: DEMO_BLUE_GREEN_SERVICE.into(),
        deployment_configuration: Some(with_pause),
        ..Default::default()
    };
    local.update_service(&update).await.map(|_| ())
}

pub(crate) const DEMO_SERVICE: &str = "nginx-web-access";
const SEED_TASK_DEFINITION: &str = include_str!("../assets/lab-task-definition.json");

/// The lab's task definition (its image pointed at the demo repository) and its service.
async fn ensure_demo_service(local: &crate::aws::AwsEnv) -> Result<(), AppError> {
    if local.describe_service(DEMO_CLUSTER, DEMO_SERVICE).await.is_ok() {
        return Ok(());
    }
    let mut task: TaskDefinitionSpec = serde_json::from_str(SEED_TASK_DEFINITION)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the seed task definition: {e}")))?;
    let repository = local.describe_repository(DEMO_REPOSITORY).await?;
    for container in &mut task.container_definitions {
        container.image = format!("{}:v2", repository.repository_uri);
        // The lab sends no logs anywhere; the demo adds CloudWatch Logs as the task definition
        // wizard fills them in, so its Logs panel has lines.
        container.log_configuration = Some(shared::logs::awslogs_default(&task.family, &local.info.region));
    }
    local.register_task_definition(&task).await?;
    let service = ServiceSpec {
        cluster: Some(DEMO_CLUSTER.into()),
        service_name: DEMO_SERVICE.into(),
        task_definition: Some(task.family.clone()),
        desired_count: Some(4),
        launch_type: Some("EC2".into()),
        scheduling_strategy: Some("REPLICA".into()),
        deployment_configuration: Some(DeploymentConfiguration::rolling_with_rollback()),
        placement_strategy: Some(vec![PlacementStrategy::spread_across_zones()]),
        enable_ecs_managed_tags: Some(true),
        ..ServiceSpec::default()
    };
    local.create_service(&service).await.map(|_| ())
}

/// The lab's cluster: 2 × t2.micro in the default VPC's first two subnets, ports 80 and 443 open.
async fn ensure_demo_cluster(local: &crate::aws::AwsEnv) -> Result<(), AppError> {
    if local.cluster(DEMO_CLUSTER).await.is_ok() {
        return Ok(());
    }
    let vpcs = local.list_vpcs().await?;
    let Some(vpc) = vpcs.iter().find(|v| v.is_default).or(vpcs.first()) else { return Ok(()) };
    let subnets: Vec<String> = local.list_subnets(&vpc.id).await?.into_iter().take(2).map(|s| s.id).collect();
    let spec = ClusterSpec {
        cluster_name: DEMO_CLUSTER.into(),
        ec2: Some(Ec2Capacity {
            vpc_id: vpc.id.clone(),
            subnet_ids: subnets,
            open_ports: Some(vec![80, 443]),
            create_instance_role: true,
            ..Ec2Capacity::default()
        }),
        ..ClusterSpec::default()
    };
    let creation = crate::ops::clusters::Creations::default().create_now(local, spec).await;
    match creation.steps.iter().find(|s| s.state == shared::ecs::cluster::StepState::Failed) {
        None => Ok(()),
        Some(step) => Err(AppError::Internal(anyhow::anyhow!(
            "demo cluster step {}: {}",
            step.id.as_str(),
            step.detail.clone().unwrap_or_default()
        ))),
    }
}

pub(crate) const DEMO_ADMIN: &str = "admin";

/// Creates the user `admin` (admin everywhere) with a random password and prints it, once: when
/// the user already exists nothing is printed (`berth user passwd admin` sets a new password).
pub(crate) async fn ensure_admin(store: &Store) -> anyhow::Result<()> {
    if users::exists(store.pool(), DEMO_ADMIN).await? {
        println!(
            "Log in as '{DEMO_ADMIN}' (its password was printed when it was created; `berth user passwd {DEMO_ADMIN}` sets a new one)."
        );
        return Ok(());
    }
    let password = secrets::random_secret()[..20].to_string();
    users::add(store.pool(), DEMO_ADMIN, &password, &Grant { environment: "*".into(), role: Role::Admin }).await?;
    println!("Demo admin created — user: {DEMO_ADMIN}  password: {password}  (shown only now)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_admin_is_created_once_as_admin_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("berth.db")).await.unwrap();
        ensure_admin(&store).await.unwrap();
        let (id, hash) = users::credentials(store.pool(), DEMO_ADMIN).await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert_eq!(
            users::grants(store.pool(), id).await.unwrap(),
            [Grant { environment: "*".into(), role: Role::Admin }]
        );
        ensure_admin(&store).await.unwrap();
        let (_, again) = users::credentials(store.pool(), DEMO_ADMIN).await.unwrap().unwrap();
        assert_eq!(again, hash, "a restart keeps the password");
    }
}
