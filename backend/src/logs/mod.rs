//! Container logs: which tasks' streams to read (a service's running, stopped and kept tasks; ECS's
//! stream naming from each revision's log configuration), reading them once (`read`), following a
//! service live through one poller for all viewers (`tail`), and keeping a failed deployment's last
//! lines (`kept`).

pub(crate) mod kept;
pub mod tail;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::store::Db;
use shared::logs::{LogLine, LogQuery, LogSource, Logs, NoLogs, source_of};

use crate::aws::{AwsEnv, EventFilter, LogEvent};
use crate::deploy::records;
use crate::error::AppError;

/// A task whose lines to read: its ID and revision (`family:revision`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TaskRef {
    pub task_id: String,
    pub revision: String,
}

type Sources = Arc<Vec<Result<LogSource, NoLogs>>>;

/// A read takes at most this many times the lines asked for before the range is narrowed.
const READ_FACTOR: usize = 5;
/// How often a range is halved, at most (a week halves to about ten minutes in 10).
const NARROWINGS: usize = 10;

/// Each revision's log sources, read once: a revision never changes.
#[derive(Default)]
pub struct Resolver {
    cache: Mutex<HashMap<(String, String), Sources>>,
}

impl Resolver {
    async fn sources(&self, aws: &AwsEnv, revision: &str) -> Result<Sources, AppError> {
        let key = (aws.info.name.clone(), revision.to_string());
        if let Some(found) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(found.clone());
        }
        let described = aws.describe_task_definition_ref(revision).await?;
        let sources: Sources =
            Arc::new(described.spec.container_definitions.iter().map(|c| source_of(revision, c)).collect());
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, sources.clone());
        Ok(sources)
    }

    /// Where the lines of `tasks` are, narrowed by the query's container, task and revision.
    pub(crate) async fn plan(&self, aws: &AwsEnv, tasks: &[TaskRef], query: &LogQuery) -> Result<Plan, AppError> {
        let mut plan = Plan::default();
        let mut revisions: Vec<&str> = tasks.iter().map(|t| t.revision.as_str()).collect();
        revisions.sort_unstable();
        revisions.dedup();
        for revision in revisions {
            if query.revision.as_ref().is_some_and(|r| r != revision) {
                continue;
            }
            for source in self.sources(aws, revision).await?.iter() {
                match source {
                    Ok(s) if query.container.as_ref().is_none_or(|c| *c == s.container) => {
                        plan.sources.push(s.clone());
                    }
                    Ok(_) => {}
                    Err(no) => plan.unreadable.push(no.clone()),
                }
            }
        }
        for task in tasks {
            if query.task.as_ref().is_some_and(|t| *t != task.task_id)
                || query.revision.as_ref().is_some_and(|r| *r != task.revision)
            {
                continue;
            }
            plan.tasks.insert(task.task_id.clone(), task.revision.clone());
            for source in plan.sources.iter().filter(|s| s.task_definition == task.revision) {
                let stream = source.stream(&task.task_id);
                let read = (source.group.clone(), source.region.clone());
                plan.streams.entry(read).or_default().push(stream.clone());
                plan.owners.insert(
                    (source.group.clone(), stream),
                    (task.task_id.clone(), source.container.clone(), task.revision.clone()),
                );
            }
        }
        Ok(plan)
    }
}

/// Where some tasks' lines are: the streams to read per log group (and region), and whose each is.
#[derive(Default)]
pub(crate) struct Plan {
    streams: BTreeMap<(String, Option<String>), Vec<String>>,
    owners: HashMap<(String, String), (String, String, String)>,
    sources: Vec<LogSource>,
    unreadable: Vec<NoLogs>,
    tasks: BTreeMap<String, String>,
}

impl Plan {
    /// The matching lines between `start` and `end` (now when absent), oldest first: at most
    /// `limit`, the newest kept (`true` when older ones were left out). CloudWatch Logs answers
    /// oldest first, so a range with more lines than a read takes is narrowed to its newer half
    /// until one read holds it, rather than paging through all of it.
    pub(crate) async fn read(
        &self,
        aws: &AwsEnv,
        start: Option<i64>,
        end: Option<i64>,
        pattern: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<LogLine>, bool), AppError> {
        let mut start = start;
        let last = end.unwrap_or_else(records::now_ms);
        let mut narrowed = false;
        let mut round = 0;
        loop {
            let (mut lines, more) = self.read_once(aws, start, end, pattern, limit.saturating_mul(READ_FACTOR)).await?;
            let narrowest = round == NARROWINGS || start.is_some_and(|s| s >= last);
            if !more || lines.len() < limit || narrowest {
                // All of the range, or enough of its newest part: keep the newest `limit`.
                // Stable: lines of one millisecond keep CloudWatch's (ingestion) order.
                lines.sort_by_key(|l| l.timestamp);
                let truncated = narrowed || more || lines.len() > limit;
                let excess = lines.len().saturating_sub(limit);
                lines.drain(..excess);
                return Ok((lines, truncated));
            }
            let from = start.unwrap_or(0);
            start = Some(from + (last - from) / 2);
            narrowed = true;
            round += 1;
        }
    }

    /// One read of every group's streams; `true` when some group had more than `cap` lines.
    async fn read_once(
        &self,
        aws: &AwsEnv,
        start: Option<i64>,
        end: Option<i64>,
        pattern: Option<&str>,
        cap: usize,
    ) -> Result<(Vec<LogLine>, bool), AppError> {
        let mut lines = Vec::new();
        let mut more = false;
        for ((group, region), streams) in &self.streams {
            let filter = EventFilter { group, region: region.as_deref(), streams, start, end, pattern, limit: cap };
            let (events, over) = aws.filter_log_events(&filter).await?;
            more |= over;
            lines.extend(events.into_iter().filter_map(|e| self.line(group, e)));
        }
        Ok((lines, more))
    }

    fn line(&self, group: &str, event: LogEvent) -> Option<LogLine> {
        let (task_id, container, revision) = self.owners.get(&(group.to_string(), event.stream))?;
        Some(LogLine {
            timestamp: event.timestamp,
            message: event.message,
            task_id: task_id.clone(),
            container: container.clone(),
            task_definition: revision.clone(),
            event_id: event.event_id,
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// The answer of a one-off read: the lines and where they came from.
    fn answer(self, lines: Vec<LogLine>, truncated: bool) -> Logs {
        Logs { lines, truncated, sources: self.sources, unreadable: self.unreadable, tasks: self.tasks }
    }
}

/// A service's tasks whose lines may be asked for: RUNNING and PENDING ones, the stopped ones ECS
/// still lists (about an hour), and those failed deployments kept.
pub(crate) async fn service_tasks(
    aws: &AwsEnv,
    pool: &Db,
    cluster: &str,
    service: &str,
) -> Result<Vec<TaskRef>, AppError> {
    let (live, stopped) = tokio::try_join!(aws.live_tasks(cluster, service), aws.stopped_tasks(cluster, service))?;
    let kept = records::kept_tasks_of_service(pool, aws.name(), cluster, service).await?;
    let mut tasks: Vec<TaskRef> = live
        .into_iter()
        .chain(stopped)
        .map(|t| TaskRef { task_id: t.task_id, revision: t.task_definition })
        .chain(kept.into_iter().map(|t| TaskRef { task_id: t.task_id, revision: t.task_definition }))
        .collect();
    let mut seen = std::collections::HashSet::new();
    tasks.retain(|t| seen.insert(t.task_id.clone()));
    Ok(tasks)
}

/// The default time range of a service's logs: the last hour.
pub(crate) const DEFAULT_RANGE_MS: i64 = 3_600_000;

/// Reads the lines of `tasks` the query asks for, over its time range (`default_start` when it
/// has none).
pub(crate) async fn read(
    resolver: &Resolver,
    aws: &AwsEnv,
    tasks: &[TaskRef],
    query: &LogQuery,
    default_start: Option<i64>,
) -> Result<Logs, AppError> {
    let plan = resolver.plan(aws, tasks, query).await?;
    if plan.is_empty() {
        return Ok(plan.answer(Vec::new(), false));
    }
    let pattern = query.filter_pattern();
    let start = query.start.or(default_start);
    let (lines, truncated) = plan.read(aws, start, query.end, pattern.as_deref(), shared::logs::MAX_LINES).await?;
    Ok(plan.answer(lines, truncated))
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudwatchlogs::Client;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::*;

    fn events(times: &[i64]) -> FilterLogEventsOutput {
        let events = times.iter().map(|t| {
            FilteredLogEvent::builder()
                .log_stream_name("ecs/web/t1")
                .timestamp(*t)
                .event_id(t.to_string())
                .message(format!("line at {t}"))
                .build()
        });
        FilterLogEventsOutput::builder().set_events(Some(events.collect())).build()
    }

    /// CloudWatch Logs answers oldest first: a range with more lines than a read takes is narrowed
    /// to its newer half, so the newest lines are the ones shown.
    #[tokio::test]
    async fn a_busy_range_shows_its_newest_lines_not_its_oldest() {
        let wide = mock!(Client::filter_log_events)
            .match_requests(|r| r.start_time() == Some(0))
            .then_output(|| events(&(0..20).map(|i| i * 10).collect::<Vec<_>>()));
        let narrow = mock!(Client::filter_log_events)
            .match_requests(|r| r.start_time() == Some(500))
            .then_output(|| events(&[900, 950, 990]));
        let client = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[&wide, &narrow]);
        let aws = AwsEnv::scripted("prod", None, None).with_logs_client(client);
        let mut plan = Plan::default();
        plan.streams.insert(("/ecs/web".into(), None), vec!["ecs/web/t1".into()]);
        plan.owners.insert(("/ecs/web".into(), "ecs/web/t1".into()), ("t1".into(), "web".into(), "web:1".into()));
        let (lines, truncated) = plan.read(&aws, Some(0), Some(1000), None, 2).await.unwrap();
        let times: Vec<i64> = lines.iter().map(|l| l.timestamp).collect();
        assert_eq!(times, [950, 990]);
        assert!(truncated);
        assert_eq!((wide.num_calls(), narrow.num_calls()), (1, 1));
        assert_eq!((lines[0].task_id.as_str(), lines[0].container.as_str()), ("t1", "web"));
    }
}
