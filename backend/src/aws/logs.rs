//! CloudWatch Logs: a container's lines, by group and stream names (ECS's naming, see
//! `shared::logs`). FilterLogEvents takes at most 100 stream names per call (CloudWatch Logs API
//! Reference, FilterLogEvents: `logStreamNames`, 1–100 items), so larger sets are read in chunks.

use aws_config::Region;

use super::AwsEnv;
use super::errors::AwsResult;
use crate::error::AppError;

/// A line as CloudWatch Logs returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogEvent {
    pub stream: String,
    pub timestamp: i64,
    pub message: String,
    pub event_id: String,
}

/// What to read from one log group.
pub(crate) struct EventFilter<'a> {
    pub group: &'a str,
    /// The group's region, when not the environment's.
    pub region: Option<&'a str>,
    pub streams: &'a [String],
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub pattern: Option<&'a str>,
    /// Stop after this many lines (the oldest first): the answer says whether more matched.
    pub limit: usize,
}

const STREAMS_PER_CALL: usize = 100;

impl AwsEnv {
    /// FilterLogEvents over `filter.streams`, oldest first; `true` when more lines matched than
    /// `limit`. A group that does not exist (yet) has no lines.
    pub(crate) async fn filter_log_events(&self, filter: &EventFilter<'_>) -> Result<(Vec<LogEvent>, bool), AppError> {
        let mut events = Vec::new();
        let mut more = false;
        for chunk in filter.streams.chunks(STREAMS_PER_CALL) {
            let mut token: Option<String> = None;
            loop {
                let out = self
                    .logs_in(filter.region)
                    .filter_log_events()
                    .log_group_name(filter.group)
                    .set_log_stream_names(Some(chunk.to_vec()))
                    .set_start_time(filter.start)
                    .set_end_time(filter.end)
                    .set_filter_pattern(filter.pattern.map(str::to_string))
                    .set_next_token(token.clone())
                    .send()
                    .await;
                let Some(out) = self.no_group_is_empty(out, "logs:FilterLogEvents")? else { break };
                token = page(&mut events, out);
                if events.len() > filter.limit {
                    more = true;
                    break;
                }
                if token.is_none() {
                    break;
                }
            }
        }
        // Stable, by time only: CloudWatch answers in time and then ingestion order, which event IDs
        // don't always sort into as strings.
        events.sort_by_key(|e| e.timestamp);
        if events.len() > filter.limit {
            more = true;
            events.truncate(filter.limit);
        }
        Ok((events, more))
    }

    /// The last `count` lines of one stream (GetLogEvents from the end); none when the stream or
    /// its group does not exist.
    pub(crate) async fn last_log_events(
        &self,
        group: &str,
        region: Option<&str>,
        stream: &str,
        count: usize,
    ) -> Result<Vec<LogEvent>, AppError> {
        let out = self
            .logs_in(region)
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(false)
            .limit(count.min(10_000) as i32)
            .send()
            .await;
        let Some(out) = self.no_group_is_empty(out, "logs:GetLogEvents")? else { return Ok(Vec::new()) };
        Ok(out
            .events()
            .iter()
            .enumerate()
            .map(|(i, e)| LogEvent {
                stream: stream.to_string(),
                timestamp: e.timestamp().unwrap_or_default(),
                message: e.message().unwrap_or_default().to_string(),
                // GetLogEvents gives no event ID: the stream and the position name the line.
                event_id: format!("{stream}#{}#{i}", e.timestamp().unwrap_or_default()),
            })
            .collect())
    }

    /// The CloudWatch Logs client of `region` (a log configuration may name another region than
    /// the environment's).
    fn logs_in(&self, region: Option<&str>) -> aws_sdk_cloudwatchlogs::Client {
        match region {
            Some(r) if r != self.info.region => aws_sdk_cloudwatchlogs::Client::from_conf(
                self.logs.config().to_builder().region(Region::new(r.to_string())).build(),
            ),
            _ => self.logs.clone(),
        }
    }

    /// A call's answer, `None` when the group or stream does not exist (nothing logged yet).
    fn no_group_is_empty<T, E, R>(
        &self,
        out: Result<T, aws_sdk_cloudwatchlogs::error::SdkError<E, R>>,
        action: &'static str,
    ) -> Result<Option<T>, AppError>
    where
        E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        out.map(Some)
            .or_aws_unless(self.cx(action), |refusal| refusal.is("ResourceNotFoundException").then_some(Ok(None)))
    }
}

fn page(
    events: &mut Vec<LogEvent>,
    out: aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput,
) -> Option<String> {
    events.extend(out.events().iter().map(|e| LogEvent {
        stream: e.log_stream_name().unwrap_or_default().to_string(),
        timestamp: e.timestamp().unwrap_or_default(),
        message: e.message().unwrap_or_default().to_string(),
        event_id: e.event_id().unwrap_or_default().to_string(),
    }));
    out.next_token().map(str::to_string)
}
