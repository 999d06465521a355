//! Notifications: where an environment's deployment events are sent (a Slack incoming webhook, or
//! a JSON webhook signed with HMAC-SHA256), which events, and how each delivery went. A
//! destination's URL and secret go in once; they come back only as hints ([`DestinationInfo`]).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::validate::{Errors, char_len};

/// What happened. The names (`deployment.started`, …) are the webhook payload's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotifyEvent {
    /// A deployment made in Berth updated the service (or Berth created the service).
    #[serde(rename = "deployment.started")]
    Started,
    /// Its rollout COMPLETED.
    #[serde(rename = "deployment.succeeded")]
    Succeeded,
    /// It FAILED (the verdict's one-line summary comes with it).
    #[serde(rename = "deployment.failed")]
    Failed,
    /// The service went back to an earlier release: ECS's circuit breaker rolled a failed
    /// deployment back, or a rollback made in Berth succeeded.
    #[serde(rename = "deployment.rolled_back")]
    RolledBack,
    /// It ended before its rollout did: another deployment replaced it, or it timed out.
    #[serde(rename = "deployment.stopped")]
    Stopped,
    /// It waits for someone to approve its next stage (for strategies with approval pauses; none
    /// exists yet, so nothing sends it).
    #[serde(rename = "deployment.awaiting_approval")]
    AwaitingApproval,
    /// A deployment made outside Berth (AWS CLI, console, another tool) was detected.
    #[serde(rename = "deployment.external")]
    External,
    /// A deploy, rollback or promotion waits for another deployer's approval (environments whose
    /// guardrails ask for it).
    #[serde(rename = "approval.requested")]
    ApprovalRequested,
    /// "Send test": only to the destination it was sent from, whatever its filter.
    #[serde(rename = "test")]
    Test,
}

impl NotifyEvent {
    /// The events a destination can choose, in the order the form shows them.
    pub const CHOOSABLE: [NotifyEvent; 8] = [
        Self::Started,
        Self::Succeeded,
        Self::Failed,
        Self::RolledBack,
        Self::Stopped,
        Self::AwaitingApproval,
        Self::External,
        Self::ApprovalRequested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "deployment.started",
            Self::Succeeded => "deployment.succeeded",
            Self::Failed => "deployment.failed",
            Self::RolledBack => "deployment.rolled_back",
            Self::Stopped => "deployment.stopped",
            Self::AwaitingApproval => "deployment.awaiting_approval",
            Self::External => "deployment.external",
            Self::ApprovalRequested => "approval.requested",
            Self::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::CHOOSABLE.into_iter().chain([Self::Test]).find(|e| e.as_str() == s)
    }

    /// As people read it: "Deployment succeeded".
    pub fn label(self) -> &'static str {
        match self {
            Self::Started => "Deployment started",
            Self::Succeeded => "Deployment succeeded",
            Self::Failed => "Deployment failed",
            Self::RolledBack => "Rolled back",
            Self::Stopped => "Deployment stopped",
            Self::AwaitingApproval => "Awaiting approval",
            Self::External => "Deployment made outside Berth",
            Self::ApprovalRequested => "Approval requested",
            Self::Test => "Test",
        }
    }
}

/// Where notifications go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    /// A Slack incoming webhook (its URL is its secret).
    #[default]
    Slack,
    /// Any HTTP endpoint: a JSON body signed with HMAC-SHA256 (README, "Notifications").
    Webhook,
}

/// A destination as an admin adds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDestination {
    /// Unique in its environment, e.g. `#deploys`.
    pub name: String,
    pub kind: DestinationKind,
    /// `https://…` (or `http://` to a loopback address); shown back only as a hint.
    pub url: String,
    /// Webhooks only: the HMAC-SHA256 key, 16 to 256 characters; never shown back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Services whose events are sent, each `cluster/service`; empty: every service.
    #[serde(default)]
    pub services: Vec<String>,
    /// The events sent (at least one).
    pub events: Vec<NotifyEvent>,
}

pub const DESTINATION_NAME_MAX: usize = 64;
pub const URL_MAX: usize = 2048;
pub const SECRET_MIN: usize = 16;
pub const SECRET_MAX: usize = 256;

fn loopback(host: &str) -> bool {
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    name == "localhost" || name == "::1" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why `url` can't be a destination's, if it can't.
pub fn url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return Some("URL is required.".into());
    }
    if char_len(url) > URL_MAX {
        return Some(format!("URL must be at most {URL_MAX} characters."));
    }
    if url.chars().any(char::is_whitespace) {
        return Some("URL can't contain spaces.".into());
    }
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Some("URL must start with https://.".into()),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Some("URL must name a host, as https://host/path.".into());
    }
    if !https && !loopback(host) {
        return Some("URL must use https:// (plain http:// only to a loopback address).".into());
    }
    None
}

/// `cluster/service`, each part non-blank.
pub fn is_service_name(s: &str) -> bool {
    s.split_once('/').is_some_and(|(c, n)| !c.trim().is_empty() && !n.trim().is_empty() && !n.contains('/'))
}

impl NewDestination {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let len = char_len(self.name.trim());
        if len == 0 {
            errors.add("name", "Destination name is required.");
        } else if len > DESTINATION_NAME_MAX {
            errors.add("name", format!("Destination name must be at most {DESTINATION_NAME_MAX} characters."));
        }
        if let Some(problem) = url_problem(&self.url) {
            errors.add("url", problem);
        }
        match (self.kind, self.secret.as_deref()) {
            (DestinationKind::Slack, Some(_)) => {
                errors.add("secret", "A Slack destination has no secret: its webhook URL is the secret.")
            }
            (DestinationKind::Webhook, None) => errors.add("secret", "A webhook needs a secret to sign with."),
            (DestinationKind::Webhook, Some(secret)) => {
                let n = char_len(secret);
                if !(SECRET_MIN..=SECRET_MAX).contains(&n) {
                    errors
                        .add("secret", format!("Secret must be {SECRET_MIN} to {SECRET_MAX} characters (it is {n})."));
                }
            }
            (DestinationKind::Slack, None) => {}
        }
        for (i, s) in self.services.iter().enumerate() {
            if !is_service_name(s) {
                errors.add(
                    format!("services[{i}]"),
                    "Name the service with its cluster, as cluster/service (e.g. itflex-nginx/nginx-web-access).",
                );
            }
        }
        if self.events.is_empty() {
            errors.add("events", "Choose at least one event.");
        }
        for (i, e) in self.events.iter().enumerate() {
            if *e == NotifyEvent::Test {
                errors.add(format!("events[{i}]"), "'test' is not an event to choose: use \"Send test\".");
            } else if self.events[..i].contains(e) {
                errors.add(format!("events[{i}]"), format!("'{}' is chosen twice.", e.as_str()));
            }
        }
        errors.finish()
    }
}

/// How a destination's deliveries stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; the next attempt is due at `nextAttemptAt`.
    Pending,
    /// The destination answered 2xx.
    Delivered,
    /// Every attempt failed; no more are made.
    GaveUp,
}

/// A destination as listed: its URL and secret only as hints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DestinationInfo {
    pub id: i64,
    pub environment: String,
    pub name: String,
    pub kind: DestinationKind,
    /// Scheme and host, then the URL's last 4 characters: `https://hooks.slack.com/…AbCd`.
    pub url_hint: String,
    /// Webhooks: the secret's last 4 characters after `…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hint: Option<String>,
    pub services: Vec<String>,
    pub events: Vec<NotifyEvent>,
    pub created_by: String,
    pub created_at: String,
}

/// One event's delivery to one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryInfo {
    pub id: i64,
    pub event: NotifyEvent,
    /// The payload's idempotency key (also the `X-Berth-Idempotency-Key` header).
    pub idempotency_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<i64>,
    /// `cluster/service`, for deployment events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The HTTP status of the latest attempt, if it got an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<i64>,
    /// Why the latest attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
}

/// The shortened form of a saved URL: scheme and host, then its last 4 characters.
pub fn url_hint(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let chars: Vec<char> = rest.chars().collect();
    let tail: String =
        if chars.len() > host.chars().count() + 8 { chars[chars.len() - 4..].iter().collect() } else { String::new() };
    format!("{scheme}://{host}/…{tail}")
}

/// The shortened form of a saved secret: its last 4 characters.
pub fn secret_hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook() -> NewDestination {
        NewDestination {
            name: "ci".into(),
            kind: DestinationKind::Webhook,
            url: "https://example.com/hook".into(),
            secret: Some("0123456789abcdef".into()),
            services: vec!["itflex-nginx/nginx-web-access".into()],
            events: vec![NotifyEvent::Succeeded],
        }
    }

    #[test]
    fn a_valid_webhook_passes() {
        assert_eq!(webhook().validate(), Ok(()));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let bad = NewDestination {
            name: " ".into(),
            url: "http://example.com/hook".into(),
            secret: Some("short".into()),
            services: vec!["web".into()],
            events: vec![NotifyEvent::Test, NotifyEvent::Failed, NotifyEvent::Failed],
            ..webhook()
        };
        let paths: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["name", "url", "secret", "services[0]", "events[0]", "events[2]"]);
        let slack = NewDestination { kind: DestinationKind::Slack, events: vec![], ..webhook() };
        let paths: Vec<String> = slack.validate().unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["secret", "events"]);
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert_eq!(url_problem("http://127.0.0.1:9000/hook"), None);
        assert_eq!(url_problem("http://localhost/hook"), None);
        assert_eq!(url_problem("http://[::1]:80/"), None);
        assert!(url_problem("http://127.0.0.1.example.com/hook").is_some());
        assert!(url_problem("ftp://example.com").is_some());
        assert!(url_problem("https:///path").is_some());
    }

    #[test]
    fn hints_show_neither_the_url_path_nor_the_secret() {
        let url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXAbCd";
        assert_eq!(url_hint(url), "https://hooks.slack.com/…AbCd");
        assert_eq!(url_hint("http://127.0.0.1:9/x"), "http://127.0.0.1:9/…");
        assert_eq!(secret_hint("0123456789abcdef"), "…cdef");
    }

    #[test]
    fn event_names_are_the_payloads() {
        for e in NotifyEvent::CHOOSABLE.into_iter().chain([NotifyEvent::Test]) {
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
    }
}
