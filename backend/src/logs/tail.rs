//! Following a service's logs: one poller per followed service, however many viewers. Each
//! interval it lists the service's running tasks (new ones join), reads every known task's streams
//! with FilterLogEvents from a moving start (the newest line seen, less a margin for CloudWatch
//! Logs' ingestion delay), drops the events it already delivered (by event ID), and broadcasts the
//! rest. It backs off while AWS throttles and stops when the last viewer leaves. A new viewer first
//! gets the last [`RECENT`] lines.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use shared::logs::{LogLine, LogQuery};
use tokio::sync::broadcast;

use super::{Resolver, TaskRef, service_tasks};
use crate::aws::Environments;
use crate::config::DeploySettings;
use crate::deploy::hub::ServiceKey;
use crate::deploy::records::now_ms;
use crate::error::AppError;
use crate::store::Store;

/// How many of the latest lines a new viewer gets first.
pub(crate) const RECENT: usize = 500;
/// How far before the newest line seen each read starts: lines CloudWatch Logs ingests late (up to
/// this) are still delivered, once.
const MARGIN_MS: i64 = 30_000;
/// A new poller starts this far back.
const BACKLOG_MS: i64 = 5 * 60_000;

/// A batch of new lines, as every viewer receives it.
pub(crate) type Batch = Arc<Vec<LogLine>>;

struct Tail {
    tx: broadcast::Sender<Batch>,
    recent: Arc<Mutex<VecDeque<LogLine>>>,
}

pub struct LogHub {
    environments: Arc<Environments>,
    store: Store,
    settings: DeploySettings,
    resolver: Resolver,
    tails: Mutex<HashMap<ServiceKey, Tail>>,
}

/// A viewer's stream: the recent lines, then each new batch.
pub(crate) struct Following {
    pub recent: Vec<LogLine>,
    pub batches: broadcast::Receiver<Batch>,
}

impl LogHub {
    pub fn new(environments: Arc<Environments>, store: Store, settings: DeploySettings) -> Arc<Self> {
        Arc::new(Self { environments, store, settings, resolver: Resolver::default(), tails: Mutex::default() })
    }

    pub(crate) fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// Follows the service's logs. The first viewer starts the poller; it stops after the last
    /// one leaves.
    pub(crate) fn follow(self: &Arc<Self>, key: ServiceKey) -> Result<Following, AppError> {
        self.environments.get(&key.environment)?;
        let mut tails = self.tails.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tail) = tails.get(&key) {
            let recent = tail.recent.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
            return Ok(Following { recent, batches: tail.tx.subscribe() });
        }
        let (tx, batches) = broadcast::channel(64);
        let recent = Arc::new(Mutex::new(VecDeque::new()));
        tails.insert(key.clone(), Tail { tx: tx.clone(), recent: recent.clone() });
        tokio::spawn(self.clone().poll(key, tx, recent));
        Ok(Following { recent: Vec::new(), batches })
    }

    async fn poll(
        self: Arc<Self>,
        key: ServiceKey,
        tx: broadcast::Sender<Batch>,
        recent: Arc<Mutex<VecDeque<LogLine>>>,
    ) {
        let mut state = PollState { start: now_ms() - BACKLOG_MS, ..PollState::default() };
        let mut wait = self.settings.poll_interval;
        loop {
            match self.once(&key, &mut state).await {
                Ok(lines) => {
                    wait = self.settings.poll_interval;
                    if !lines.is_empty() {
                        let mut buffer = recent.lock().unwrap_or_else(|p| p.into_inner());
                        buffer.extend(lines.iter().cloned());
                        let excess = buffer.len().saturating_sub(RECENT);
                        buffer.drain(..excess);
                        drop(buffer);
                        let _ = tx.send(Arc::new(lines));
                    }
                }
                Err(e) if e.to_api_error().code == shared::error::ErrorCode::Throttled => {
                    wait = (wait * 2).min(self.settings.max_backoff);
                    tracing::warn!(service = %key.service, wait_ms = wait.as_millis() as u64, "AWS throttled a log read; backing off");
                }
                Err(e) => tracing::warn!(service = %key.service, error = %e, "following a service's logs"),
            }
            tokio::time::sleep(wait).await;
            let mut tails = self.tails.lock().unwrap_or_else(|p| p.into_inner());
            if tx.receiver_count() == 0 {
                tails.remove(&key);
                return;
            }
        }
    }

    /// One read: the lines not delivered yet, oldest first.
    async fn once(&self, key: &ServiceKey, state: &mut PollState) -> Result<Vec<LogLine>, AppError> {
        let aws = self.environments.get(&key.environment)?;
        let found = if state.tasks.is_empty() {
            service_tasks(aws, self.store.pool(), &key.cluster, &key.service).await?
        } else {
            let live = aws.live_tasks(&key.cluster, &key.service).await?;
            live.into_iter().map(|t| TaskRef { task_id: t.task_id, revision: t.task_definition }).collect()
        };
        for task in found {
            if !state.tasks.contains(&task) {
                state.tasks.push(task);
            }
        }
        let plan = self.resolver.plan(aws, &state.tasks, &LogQuery::default()).await?;
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let (lines, _) = plan.read(aws, Some(state.start - MARGIN_MS), None, None, usize::MAX).await?;
        Ok(state.fresh(lines))
    }
}

#[derive(Default)]
struct PollState {
    tasks: Vec<TaskRef>,
    /// The newest line's timestamp seen.
    start: i64,
    /// The IDs delivered within the margin, with their timestamps.
    delivered: HashMap<String, i64>,
}

impl PollState {
    /// The lines of `lines` not delivered before; moves the start on and forgets IDs older than
    /// the margin.
    fn fresh(&mut self, lines: Vec<LogLine>) -> Vec<LogLine> {
        let fresh: Vec<LogLine> = lines.into_iter().filter(|l| !self.delivered.contains_key(&l.event_id)).collect();
        for line in &fresh {
            self.delivered.insert(line.event_id.clone(), line.timestamp);
            self.start = self.start.max(line.timestamp);
        }
        let horizon = self.start - MARGIN_MS;
        self.delivered.retain(|_, t| *t >= horizon);
        fresh
    }
}

/// A viewer's filters over the shared stream.
pub(crate) fn kept_for(query: &LogQuery, lines: &[LogLine]) -> Vec<LogLine> {
    lines.iter().filter(|l| query.keeps(l)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use aws_sdk_cloudwatchlogs::error::ErrorMetadata;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::{FilterLogEventsError, FilterLogEventsOutput};
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    use aws_smithy_mocks::mock;

    use super::*;
    use crate::aws::instant::InstantEcs;

    /// Throttled three times, the poller waits 2, 4 and 8 intervals (capped), then reads at the
    /// interval again; the line arrives once.
    #[tokio::test]
    async fn a_throttled_poller_backs_off_then_delivers() {
        let throttled = || {
            FilterLogEventsError::generic(
                ErrorMetadata::builder().code("ThrottlingException").message("Rate exceeded").build(),
            )
        };
        let line = || {
            let event = FilteredLogEvent::builder()
                .log_stream_name("ecs/web/0123abcd")
                .timestamp(now_ms())
                .event_id("e1")
                .message("up")
                .build();
            FilterLogEventsOutput::builder().events(event).build()
        };
        let reads = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events)
            .sequence()
            .error(throttled)
            .times(3)
            .output(line)
            .repeatedly()
            .build();
        let aws = InstantEcs::with_log_rules(vec![reads]);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("berth.db")).await.unwrap();
        let settings = DeploySettings {
            poll_interval: Duration::from_millis(50),
            max_backoff: Duration::from_millis(300),
            ..DeploySettings::default()
        };
        let hub = LogHub::new(aws.environments.clone(), store, settings);
        let key = ServiceKey { environment: "prod".into(), cluster: "prod".into(), service: "web".into() };
        let started = Instant::now();
        let mut following = hub.follow(key).unwrap();
        let batch = tokio::time::timeout(Duration::from_secs(10), following.batches.recv()).await.unwrap().unwrap();
        let waited = started.elapsed();
        assert_eq!(
            batch.iter().map(|l| (l.message.as_str(), l.task_id.as_str())).collect::<Vec<_>>(),
            [("up", "0123abcd")]
        );
        // 100 + 200 + 300 ms of backing off (without it: 3 × 50 ms).
        assert!(waited >= Duration::from_millis(600), "backed off: {waited:?}");
        assert_eq!(aws.filter_log_events_calls(), 4);
        // At the interval again (3 more calls take 150 ms; a busy machine gets up to 3 s), and the
        // same event is not delivered twice.
        for _ in 0..60 {
            if aws.filter_log_events_calls() >= 7 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(aws.filter_log_events_calls() >= 7, "{}", aws.filter_log_events_calls());
        assert!(following.batches.try_recv().is_err(), "e1 once");
    }

    fn line(id: &str, timestamp: i64) -> LogLine {
        LogLine { event_id: id.into(), timestamp, ..LogLine::default() }
    }

    #[test]
    fn a_line_read_twice_within_the_margin_is_delivered_once() {
        let mut state = PollState::default();
        assert_eq!(state.fresh(vec![line("a", 1_000), line("b", 2_000)]).len(), 2);
        assert_eq!(state.start, 2_000);
        let again = state.fresh(vec![line("a", 1_000), line("b", 2_000), line("c", 2_000)]);
        assert_eq!(again, [line("c", 2_000)]);
        // A late line, older than the newest but within the margin, still arrives.
        assert_eq!(state.fresh(vec![line("late", 1_500)]), [line("late", 1_500)]);
        // IDs older than the margin are forgotten.
        state.fresh(vec![line("z", 2_000 + MARGIN_MS + 10)]);
        assert!(!state.delivered.contains_key("a") && state.delivered.contains_key("z"));
    }
}
