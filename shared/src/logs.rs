//! Container logs in CloudWatch Logs: where a container's lines are (its log group and stream, from
//! its task definition's log configuration, by ECS's naming), and the lines as Berth shows them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ecs::task_definition::{ContainerDefinition, LogConfiguration};

/// One log line of one container of one task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Milliseconds since the epoch (the event's timestamp in CloudWatch Logs).
    pub timestamp: i64,
    pub message: String,
    pub task_id: String,
    pub container: String,
    /// The task's revision, `family:revision`.
    pub task_definition: String,
    /// CloudWatch Logs' event ID: a line is delivered once, however often it is read.
    pub event_id: String,
}

/// What a logs view asks for; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    /// Only this container's lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Only this task's lines (its ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Only the tasks of this revision (`family:revision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Only lines containing this text (case-sensitive, as CloudWatch Logs' quoted term).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// From (ms since the epoch); default: an hour ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// Until (ms since the epoch); default: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<i64>,
}

impl LogQuery {
    /// Whether `line` passes the filters other than time.
    pub fn keeps(&self, line: &LogLine) -> bool {
        self.container.as_ref().is_none_or(|c| *c == line.container)
            && self.task.as_ref().is_none_or(|t| *t == line.task_id)
            && self.revision.as_ref().is_none_or(|r| *r == line.task_definition)
            && self.text.as_ref().is_none_or(|t| t.is_empty() || line.message.contains(t.as_str()))
    }

    /// The filter pattern that asks CloudWatch Logs for the text: a quoted term (an exact,
    /// case-sensitive phrase; "Filter pattern syntax", CloudWatch Logs User Guide).
    pub fn filter_pattern(&self) -> Option<String> {
        let text = self.text.as_deref().filter(|t| !t.is_empty())?;
        Some(format!("\"{}\"", text.replace('"', "\\\"")))
    }
}

/// The most lines one query answers; older ones are left out (`truncated`).
pub const MAX_LINES: usize = 2_000;

/// How many lines of each failed container a failed deployment keeps.
pub const KEPT_LINES: usize = 50;

/// A service's (or a task's) lines, oldest first, and where they come from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Logs {
    pub lines: Vec<LogLine>,
    /// More lines matched than [`MAX_LINES`]: the oldest were left out (narrow the time range).
    pub truncated: bool,
    /// The containers whose lines were read, and where.
    pub sources: Vec<LogSource>,
    /// The containers whose logs Berth can't read, and why.
    pub unreadable: Vec<NoLogs>,
    /// The tasks read (ID -> revision); a line's task links to its page.
    pub tasks: BTreeMap<String, String>,
}

/// Where a container of a revision sends its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogSource {
    pub task_definition: String,
    pub container: String,
    pub group: String,
    /// The group's region when the log configuration names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub naming: StreamNaming,
}

/// How a task's stream is named, from the log driver's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum StreamNaming {
    /// awslogs: `prefix/container/task-id` ("Using the awslogs log driver", ECS Developer Guide:
    /// "prefix-name/container-name/ecs-task-id").
    Awslogs { prefix: String },
    /// FireLens to CloudWatch (the `cloudwatch` / `cloudwatch_logs` output):
    /// `log_stream_prefix` + the tag `container-firelens-task-id` ("Custom log routing", ECS
    /// Developer Guide: the tag is `<container name>-firelens-<task ID>`).
    Firelens { prefix: String },
}

impl Default for StreamNaming {
    fn default() -> Self {
        Self::Awslogs { prefix: String::new() }
    }
}

impl LogSource {
    /// The stream of `task_id`'s container.
    pub fn stream(&self, task_id: &str) -> String {
        match &self.naming {
            StreamNaming::Awslogs { prefix } => format!("{prefix}/{}/{task_id}", self.container),
            StreamNaming::Firelens { prefix } => format!("{prefix}{}-firelens-{task_id}", self.container),
        }
    }
}

/// A container whose lines are not in CloudWatch Logs where Berth can find them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NoLogs {
    pub task_definition: String,
    pub container: String,
    /// Why, and how to turn CloudWatch Logs on.
    pub reason: String,
}

const TURN_ON: &str = "Set its log driver to awslogs with a group and a stream prefix (the task definition wizard's Logging section fills them in), then deploy the new revision.";

/// Where `container` of `task_definition` sends its lines, or why Berth can't read them.
pub fn source_of(task_definition: &str, container: &ContainerDefinition) -> Result<LogSource, NoLogs> {
    let no = |why: String| NoLogs {
        task_definition: task_definition.to_string(),
        container: container.name.clone(),
        reason: format!("{why} {TURN_ON}"),
    };
    let Some(config) = &container.log_configuration else {
        return Err(no(
            "No log configuration: the container's output stays on its instance (Docker's json-file).".into()
        ));
    };
    let options = config.options.clone().unwrap_or_default();
    let option = |k: &str| options.get(k).filter(|v| !v.is_empty()).cloned();
    let source = |group: String, region: Option<String>, naming| LogSource {
        task_definition: task_definition.to_string(),
        container: container.name.clone(),
        group,
        region,
        naming,
    };
    match config.log_driver.as_str() {
        "awslogs" => {
            let Some(group) = option("awslogs-group") else {
                return Err(no("awslogs without awslogs-group.".into()));
            };
            let Some(prefix) = option("awslogs-stream-prefix") else {
                return Err(no(format!(
                    "awslogs without awslogs-stream-prefix: on EC2 its streams in {group} are named by Docker container ID, which ties no line to a task."
                )));
            };
            Ok(source(group, option("awslogs-region"), StreamNaming::Awslogs { prefix }))
        }
        "awsfirelens" => {
            let cloudwatch = matches!(option("Name").as_deref(), Some("cloudwatch" | "cloudwatch_logs"));
            match (cloudwatch, option("log_group_name")) {
                (true, Some(group)) => Ok(source(
                    group,
                    option("region"),
                    StreamNaming::Firelens { prefix: option("log_stream_prefix").unwrap_or_default() },
                )),
                _ => Err(no(
                    "FireLens routes its lines elsewhere than a CloudWatch log group Berth can read from the options."
                        .into(),
                )),
            }
        }
        other => Err(no(format!("Log driver {other}: its lines are not in CloudWatch Logs."))),
    }
}

/// The log configuration the AWS console fills in for a new container: CloudWatch Logs, a group
/// per family (`/ecs/family`), the environment's region, the prefix `ecs`, the group created on
/// first use.
pub fn awslogs_default(family: &str, region: &str) -> LogConfiguration {
    let family = if family.is_empty() { "my-task" } else { family };
    let options = BTreeMap::from([
        ("awslogs-group".to_string(), format!("/ecs/{family}")),
        ("awslogs-region".to_string(), region.to_string()),
        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
        ("awslogs-create-group".to_string(), "true".to_string()),
    ]);
    LogConfiguration { log_driver: "awslogs".into(), options: Some(options), secret_options: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(config: Option<LogConfiguration>) -> ContainerDefinition {
        ContainerDefinition { name: "web".into(), log_configuration: config, ..ContainerDefinition::default() }
    }

    #[test]
    fn awslogs_streams_are_prefix_container_task() {
        let source = source_of("web:3", &container(Some(awslogs_default("web", "eu-west-1")))).unwrap();
        assert_eq!(source.group, "/ecs/web");
        assert_eq!(source.region.as_deref(), Some("eu-west-1"));
        assert_eq!(source.stream("0123abcd"), "ecs/web/0123abcd");
    }

    #[test]
    fn firelens_to_cloudwatch_streams_carry_the_firelens_tag() {
        let options = BTreeMap::from([
            ("Name".to_string(), "cloudwatch_logs".to_string()),
            ("log_group_name".to_string(), "/app".to_string()),
            ("log_stream_prefix".to_string(), "from-fluent-bit-".to_string()),
        ]);
        let config =
            LogConfiguration { log_driver: "awsfirelens".into(), options: Some(options), secret_options: None };
        let source = source_of("web:3", &container(Some(config))).unwrap();
        assert_eq!(source.stream("0123abcd"), "from-fluent-bit-web-firelens-0123abcd");
    }

    #[test]
    fn containers_without_readable_logs_say_why_and_how_to_turn_them_on() {
        let none = source_of("web:3", &container(None)).unwrap_err();
        assert!(none.reason.contains("No log configuration") && none.reason.contains("awslogs"), "{}", none.reason);
        let mut no_prefix = awslogs_default("web", "eu-west-1");
        no_prefix.options.as_mut().unwrap().remove("awslogs-stream-prefix");
        let why = source_of("web:3", &container(Some(no_prefix))).unwrap_err().reason;
        assert!(why.contains("Docker container ID"), "{why}");
        let splunk = LogConfiguration { log_driver: "splunk".into(), ..LogConfiguration::default() };
        assert!(source_of("web:3", &container(Some(splunk))).unwrap_err().reason.contains("splunk"));
    }

    #[test]
    fn a_query_keeps_lines_by_container_task_revision_and_text() {
        let line = LogLine {
            timestamp: 1,
            message: "GET / 200".into(),
            task_id: "t1".into(),
            container: "web".into(),
            task_definition: "web:3".into(),
            event_id: "1".into(),
        };
        assert!(LogQuery::default().keeps(&line));
        let q = |f: fn(&mut LogQuery)| {
            let mut q = LogQuery::default();
            f(&mut q);
            q
        };
        assert!(q(|q| q.container = Some("web".into())).keeps(&line));
        assert!(!q(|q| q.container = Some("sidecar".into())).keeps(&line));
        assert!(!q(|q| q.task = Some("t2".into())).keeps(&line));
        assert!(!q(|q| q.revision = Some("web:4".into())).keeps(&line));
        assert!(q(|q| q.text = Some("200".into())).keeps(&line));
        assert!(!q(|q| q.text = Some("get".into())).keeps(&line), "case-sensitive, as CloudWatch");
        assert_eq!(q(|q| q.text = Some("say \"hi\"".into())).filter_pattern().unwrap(), "\"say \\\"hi\\\"\"");
    }
}
