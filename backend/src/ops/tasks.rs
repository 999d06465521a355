//! Tasks: one task's page (kept by Berth when ECS has forgotten it), and where a service answers.

use shared::ecs::task::{ServiceAddresses, TaskDetail, addresses_of};

use super::Caller;
use crate::deploy::records;
use crate::error::AppError;

/// A task of `cluster`: as ECS describes it, else as a failed deployment's verdict kept it.
pub(crate) async fn detail(caller: &Caller, env: &str, cluster: &str, task_id: &str) -> Result<TaskDetail, AppError> {
    let aws = caller.read(env)?;
    if let Some(found) = aws.task_details(cluster, &[task_id.to_string()]).await?.into_iter().next() {
        return Ok(found);
    }
    let pool = caller.state.store.pool();
    let Some(kept) = records::kept_task(pool, env, cluster, task_id).await? else {
        return Err(AppError::NotFound(format!(
            "No task {task_id} in cluster {cluster}: ECS forgets stopped tasks after about an hour, and Berth kept no copy."
        )));
    };
    Ok(TaskDetail {
        cluster: cluster.to_string(),
        task_id: kept.task_id,
        task_definition: kept.task_definition,
        last_status: "STOPPED".into(),
        desired_status: "STOPPED".into(),
        stopped_at: kept.stopped_at,
        stop_code: kept.stop_code,
        stopped_reason: kept.stopped_reason,
        containers: kept
            .containers
            .into_iter()
            .map(|c| shared::ecs::task::TaskContainer {
                name: c.name,
                last_status: c.last_status,
                exit_code: c.exit_code,
                reason: c.reason,
                ..Default::default()
            })
            .collect(),
        kept: true,
        ..TaskDetail::default()
    })
}

/// Where the service answers: its load balancers' DNS names on their listeners' ports, then each
/// RUNNING task's host ports on its instance's public IP (else its private one), and notes for what
/// those leave out. Load balancers Berth may not read (IAM) become a note, not a failure.
pub(crate) async fn addresses(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
) -> Result<ServiceAddresses, AppError> {
    let aws = caller.read(env)?;
    let (found, tasks) = tokio::try_join!(aws.describe_service(cluster, service), aws.running_tasks(cluster, service))?;
    let mut notes = Vec::new();
    let target_groups: Vec<String> = found.load_balancers.iter().filter_map(|lb| lb.target_group_arn.clone()).collect();
    let load_balancers = match aws.load_balancer_addresses(&target_groups).await {
        Ok(found) => found,
        Err(e) => {
            notes.push(format!(
                "The load balancers in front of the service could not be read: {}",
                e.to_api_error().message
            ));
            Vec::new()
        }
    };
    for lb in found.load_balancers.iter().filter(|lb| lb.target_group_arn.is_none()) {
        notes.push(format!(
            "Behind the Classic Load Balancer {}: its DNS name is the address to open (EC2 console, Load Balancers).",
            lb.load_balancer_name.as_deref().unwrap_or("?")
        ));
    }
    for lb in load_balancers.iter().filter(|lb| lb.scheme == "internal") {
        notes.push(format!("{} is internal: reachable only from inside its VPC.", lb.load_balancer_name));
    }
    for task in tasks.iter().filter(|t| t.last_status == "RUNNING") {
        if let Some(ip) = &task.private_ip {
            notes.push(format!(
                "Task {} (awsvpc) has its own network interface, private IP {ip}, on its container ports.",
                task.task_id
            ));
        }
    }
    if !tasks.iter().any(|t| t.last_status == "RUNNING") {
        notes.push("No task is running: nothing answers.".into());
    }
    let mut addresses = addresses_of(&tasks);
    let stand_ins = aws.loopback_listeners().await;
    let mut standing_in = false;
    for a in &mut addresses {
        if let Some(url) = stand_ins.get(&(a.task_id.clone(), a.container.clone(), a.container_port)) {
            a.on_aws = Some(std::mem::replace(&mut a.url, url.clone()));
            standing_in = true;
        }
    }
    if standing_in {
        notes.push(
            "Local mode: each address is the local AWS's stand-in for a container, on this machine — a page naming the task, its revision and image; each request is an access-log line in the task's log stream. On AWS the address is the instance's IP (in each link's title)."
                .into(),
        );
    }
    Ok(ServiceAddresses { load_balancers, addresses, notes })
}
