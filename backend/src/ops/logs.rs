//! Container logs: a service's (its running, stopped and kept tasks), a task's, and a service's
//! followed live.

use shared::logs::{LogQuery, Logs};

use super::Caller;
use crate::deploy::hub::ServiceKey;
use crate::deploy::records::{self, now_ms};
use crate::error::AppError;
use crate::logs::tail::Following;
use crate::logs::{self as lines, DEFAULT_RANGE_MS, TaskRef};

/// The service's lines over the query's range (the last hour by default), oldest first.
pub(crate) async fn service(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    query: &LogQuery,
) -> Result<Logs, AppError> {
    let aws = caller.read(env)?;
    aws.describe_service(cluster, service).await?;
    let tasks = lines::service_tasks(aws, caller.state.store.pool(), cluster, service).await?;
    lines::read(caller.state.logs.resolver(), aws, &tasks, query, Some(now_ms() - DEFAULT_RANGE_MS)).await
}

/// One task's lines (its whole life unless the query narrows it), also when ECS has forgotten the
/// task and a failed deployment kept it.
pub(crate) async fn task(
    caller: &Caller,
    env: &str,
    cluster: &str,
    task_id: &str,
    query: &LogQuery,
) -> Result<Logs, AppError> {
    let aws = caller.read(env)?;
    let revision = match aws.task_details(cluster, &[task_id.to_string()]).await?.into_iter().next() {
        Some(found) => found.task_definition,
        None => match records::kept_task(caller.state.store.pool(), env, cluster, task_id).await? {
            Some(kept) => kept.task_definition,
            None => return Err(AppError::NotFound(format!("No task {task_id} in cluster {cluster}."))),
        },
    };
    let query = LogQuery { task: Some(task_id.to_string()), ..query.clone() };
    let tasks = [TaskRef { task_id: task_id.to_string(), revision }];
    lines::read(caller.state.logs.resolver(), aws, &tasks, &query, None).await
}

/// Follows the service's lines: one poller for all its viewers.
pub(crate) async fn follow(caller: &Caller, env: &str, cluster: &str, service: &str) -> Result<Following, AppError> {
    let aws = caller.read(env)?;
    aws.describe_service(cluster, service).await?;
    let key = ServiceKey { environment: env.to_string(), cluster: cluster.to_string(), service: service.to_string() };
    caller.state.logs.follow(key)
}
