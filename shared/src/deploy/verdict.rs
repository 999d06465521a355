//! Why a deployment failed, kept with it: ECS forgets stopped tasks within about an hour, and a
//! team asks "why did #5 fail?" days later.

use serde::{Deserialize, Serialize};

use crate::ecs::service::ContainerState;

/// A failed deployment's verdict: its target revision's stopped tasks and the circuit breaker's
/// figures, with a one-line summary for banners, lists and CI logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// "4 of 4 tasks failed to start: CannotPullContainerError: …nginxweb:cannot-start: not found".
    pub summary: String,
    /// The ECS deployment's `failedTasks` (what the circuit breaker counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_tasks: Option<i64>,
    /// The circuit breaker's failure threshold for the desired count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<i64>,
    /// The target revision's stopped tasks, newest first (at most [`KEPT_TASKS`]).
    #[serde(default)]
    pub stopped_tasks: Vec<StoppedTask>,
}

/// How many stopped tasks a verdict keeps.
pub const KEPT_TASKS: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoppedTask {
    pub task_id: String,
    pub task_definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerState>,
}

/// The deployment circuit breaker's failure threshold: half the desired count, at least 3 and at
/// most 200 (AWS: "Amazon ECS deployment circuit breaker", Developer Guide, failure threshold).
pub fn circuit_breaker_threshold(desired: i64) -> i64 {
    ((desired.max(0) + 1) / 2).clamp(3, 200)
}

/// Stop reasons ECS gives when the cause is in a container's own reason or exit code.
const GENERIC: [&str; 2] = ["Essential container in task exited", "Task failed container health checks"];

/// Why one task stopped, in one line: its stop reason, or (when that is generic) the first
/// container's reason or exit code.
pub fn cause_of(task: &StoppedTask) -> Option<String> {
    let reason = task.stopped_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let container = task.containers.iter().find_map(|c| match (&c.reason, c.exit_code) {
        (Some(r), _) if !r.trim().is_empty() => Some(format!("{}: {}", c.name, r.trim())),
        (_, Some(code)) if code != 0 => Some(format!("{} exited with code {code}", c.name)),
        _ => None,
    });
    match (reason, container) {
        (Some(r), Some(c)) if GENERIC.iter().any(|g| r.starts_with(g)) => Some(format!("{r} ({c})")),
        (Some(r), _) => Some(r.to_string()),
        (None, c) => c,
    }
}

/// A long cause kept readable: its error type, then an ellipsis and the end, cut at a `/` so an
/// image reference keeps its repository and tag.
pub fn shorten(cause: &str, max: usize) -> String {
    let chars: Vec<char> = cause.chars().collect();
    if chars.len() <= max {
        return cause.to_string();
    }
    let head: String = match cause.split_once(": ") {
        Some((kind, _)) if kind.chars().count() < max / 2 && !kind.contains(' ') => format!("{kind}: "),
        _ => String::new(),
    };
    let room = max.saturating_sub(head.chars().count() + 1).max(1);
    let tail: String = chars[chars.len() - room.min(chars.len())..].iter().collect();
    let tail = match tail.split_once('/') {
        Some((_, rest)) if rest.len() > room / 3 => rest.to_string(),
        _ => tail,
    };
    format!("{head}…{tail}")
}

/// Tasks the scheduler or a person stopped (scaling, a replaced deployment) did not fail: their
/// reason says nothing about why a rollout failed.
pub fn failed_by_itself(task: &StoppedTask) -> bool {
    !matches!(task.stop_code.as_deref(), Some("ServiceSchedulerInitiated" | "UserInitiated"))
}

/// The one-line summary: how many tasks failed of how many wanted, and the commonest cause among
/// the tasks that failed by themselves.
pub fn summarize(failed: Option<i64>, desired: Option<i64>, tasks: &[StoppedTask], fallback: &str) -> String {
    let own: Vec<&StoppedTask> = tasks.iter().filter(|t| failed_by_itself(t)).collect();
    let tasks: Vec<&StoppedTask> = if own.is_empty() { tasks.iter().collect() } else { own };
    let mut causes: Vec<(String, usize)> = Vec::new();
    for cause in tasks.iter().copied().filter_map(cause_of) {
        match causes.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, n)) => *n += 1,
            None => causes.push((cause, 1)),
        }
    }
    causes.sort_by(|a, b| b.1.cmp(&a.1));
    let cause = causes.first().map_or_else(|| fallback.to_string(), |(c, _)| shorten(c, 120));
    let to_start = tasks.iter().any(|t| t.stop_code.as_deref() == Some("TaskFailedToStart"));
    let verb = if to_start { "failed to start" } else { "stopped" };
    let failed = failed.filter(|n| *n > 0).unwrap_or(tasks.len() as i64);
    match desired {
        _ if failed == 0 => cause,
        Some(d) if d > 0 && failed <= d => format!("{failed} of {d} tasks {verb}: {cause}"),
        Some(d) if d > 0 => format!("{failed} tasks {verb} ({d} wanted): {cause}"),
        _ => format!("{failed} tasks {verb}: {cause}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull_failure(id: &str) -> StoppedTask {
        StoppedTask {
            task_id: id.into(),
            task_definition: "nginx-web:4".into(),
            stop_code: Some("TaskFailedToStart".into()),
            stopped_reason: Some(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \
                 123456789012.dkr.ecr.us-east-1.amazonaws.com/nginxweb:cannot-start: not found"
                    .into(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn the_summary_names_the_count_and_the_pull_error_with_its_repository_and_tag() {
        let tasks: Vec<_> = (0..4).map(|i| pull_failure(&i.to_string())).collect();
        let summary = summarize(Some(4), Some(4), &tasks, "The rollout failed.");
        assert!(summary.starts_with("4 of 4 tasks failed to start: CannotPullContainerError: …"), "{summary}");
        assert!(summary.ends_with("nginxweb:cannot-start: not found"), "{summary}");
        assert!(summary.chars().count() < 170, "{summary}");
    }

    #[test]
    fn a_generic_stop_reason_is_explained_by_the_container_exit_code() {
        let task = StoppedTask {
            stop_code: Some("EssentialContainerExited".into()),
            stopped_reason: Some("Essential container in task exited".into()),
            containers: vec![ContainerState { name: "web".into(), exit_code: Some(137), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(cause_of(&task).unwrap(), "Essential container in task exited (web exited with code 137)");
        assert_eq!(
            summarize(Some(3), Some(2), &[task], "x"),
            "3 tasks stopped (2 wanted): Essential container in task exited (web exited with code 137)"
        );
    }

    #[test]
    fn tasks_the_scheduler_stopped_do_not_hide_the_failure() {
        let cleared = StoppedTask {
            stop_code: Some("ServiceSchedulerInitiated".into()),
            stopped_reason: Some("Scaling activity initiated by (deployment ecs-svc/1)".into()),
            ..Default::default()
        };
        let tasks = vec![cleared.clone(), cleared.clone(), cleared, pull_failure("a")];
        let summary = summarize(Some(4), Some(4), &tasks, "x");
        assert!(summary.contains("CannotPullContainerError"), "{summary}");
    }

    #[test]
    fn without_stopped_tasks_the_fallback_is_the_summary() {
        assert_eq!(summarize(None, Some(4), &[], "The rollout failed."), "The rollout failed.");
    }

    #[test]
    fn the_threshold_is_half_the_desired_count_between_3_and_200() {
        assert_eq!(circuit_breaker_threshold(1), 3);
        assert_eq!(circuit_breaker_threshold(4), 3);
        assert_eq!(circuit_breaker_threshold(7), 4);
        assert_eq!(circuit_breaker_threshold(10_000), 200);
    }
}
