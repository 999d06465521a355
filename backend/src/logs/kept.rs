//! A failed deployment keeps the last lines of each container that failed, with its verdict: the
//! deployment's page explains the failure after ECS forgets the task and CloudWatch Logs' retention
//! drops the lines.

use shared::deploy::StoppedTask;
use shared::logs::{KEPT_LINES, LogLine};

use super::Resolver;
use crate::aws::AwsEnv;

/// Fills in the last lines of the failed containers of `tasks` (exited non-zero, or with a
/// reason). A read that fails leaves the container without lines (logged): the verdict matters
/// more than its logs.
pub(crate) async fn last_lines(aws: &AwsEnv, tasks: &mut [StoppedTask]) {
    let resolver = Resolver::default();
    for task in tasks.iter_mut() {
        let sources = match resolver.sources(aws, &task.task_definition).await {
            Ok(sources) => sources,
            Err(e) => {
                tracing::warn!(error = %e, task = %task.task_id, "reading a failed task's log configuration");
                continue;
            }
        };
        for container in
            task.containers.iter_mut().filter(|c| c.exit_code.is_some_and(|x| x != 0) || c.reason.is_some())
        {
            let Some(source) = sources.iter().flatten().find(|s| s.container == container.name) else { continue };
            let stream = source.stream(&task.task_id);
            match aws.last_log_events(&source.group, source.region.as_deref(), &stream, KEPT_LINES).await {
                Ok(events) => {
                    container.last_lines = events
                        .into_iter()
                        .map(|e| LogLine {
                            timestamp: e.timestamp,
                            message: e.message,
                            task_id: task.task_id.clone(),
                            container: container.name.clone(),
                            task_definition: task.task_definition.clone(),
                            event_id: e.event_id,
                        })
                        .collect();
                }
                Err(e) => tracing::warn!(error = %e, task = %task.task_id, "reading a failed container's last lines"),
            }
        }
    }
}
