//! A notice as each kind of destination takes it: the webhook's JSON (the notice and links back to
//! Berth) with its signature, and Slack's message format (an attachment in the outcome's colour).

use hmac::{KeyInit, Mac};
use shared::notify::NotifyEvent;

use super::Notice;

/// Links back to Berth's pages of the notice's deployment and service.
fn links(notice: &Notice, public_url: &str) -> Option<(String, String)> {
    let d = notice.deployment.as_ref()?;
    let base = public_url.trim_end_matches('/');
    Some((
        format!("{base}/deployments/{}", d.id),
        format!("{base}/e/{}/services/{}/{}", notice.environment, d.cluster, d.service),
    ))
}

/// The webhook's body: the notice with `links` (`deployment`, `service`).
pub(crate) fn webhook_body(notice: &Notice, public_url: &str) -> Vec<u8> {
    let mut value = serde_json::to_value(notice).unwrap_or_default();
    if let (Some((deployment, service)), Some(object)) = (links(notice, public_url), value.as_object_mut()) {
        object.insert("links".into(), serde_json::json!({ "deployment": deployment, "service": service }));
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

/// `v1=` and the hex HMAC-SHA256, keyed with the secret, of `{timestamp}.{body}`.
pub(crate) fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2_11::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("v1={hex}")
}

/// Slack's colours: good, danger, warning, and neutral ones.
fn colour(event: NotifyEvent) -> &'static str {
    match event {
        NotifyEvent::Succeeded => "#2eb886",
        NotifyEvent::Failed => "#d40e0d",
        NotifyEvent::RolledBack | NotifyEvent::AwaitingApproval | NotifyEvent::ApprovalRequested => "#daa038",
        NotifyEvent::Stopped => "#9e9e9e",
        NotifyEvent::External => "#7f57c4",
        NotifyEvent::Started | NotifyEvent::Test => "#439fe0",
    }
}

/// Slack's mrkdwn reads `&`, `<` and `>` as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Slack's message: a fallback `text` and one attachment (colour, title linking to the
/// deployment, the service linked, what changed, who, why it failed).
pub(crate) fn slack_body(notice: &Notice, public_url: &str) -> Vec<u8> {
    let label = notice.event.label();
    let Some(d) = &notice.deployment else {
        let text = notice.message.as_deref().unwrap_or("Test notification from Berth.");
        let message = serde_json::json!({
            "text": escape(text),
            "attachments": [{ "color": colour(notice.event), "fallback": escape(text), "text": escape(text),
                              "footer": format!("Berth · {}", notice.environment) }],
        });
        return serde_json::to_vec(&message).unwrap_or_default();
    };
    let (deployment_url, service_url) = links(notice, public_url).unwrap_or_default();
    let service = format!("{}/{}", d.cluster, d.service);
    let change = match (&d.from_task_definition, &d.to_task_definition) {
        (Some(from), Some(to)) => format!("{from} → {to}"),
        (None, Some(to)) => to.clone(),
        _ => "—".into(),
    };
    let title = format!("{label}: {} (#{})", d.service, d.id);
    let fallback = format!("{label}: {service} {change} by {} ({})", d.actor, notice.environment);
    let mut fields = vec![
        serde_json::json!({"title": "Service", "value": format!("<{service_url}|{}>", escape(&service)), "short": true}),
        serde_json::json!({"title": "Environment", "value": escape(&notice.environment), "short": true}),
        serde_json::json!({"title": "Revision", "value": escape(&change), "short": true}),
        serde_json::json!({"title": "By", "value": escape(&d.actor), "short": true}),
    ];
    if let Some(back) = &d.rolled_back_to {
        fields.push(serde_json::json!({"title": "Rolled back to", "value": escape(back), "short": true}));
    }
    let why = d.summary.as_ref().or(d.reason.as_ref()).map(|s| escape(s)).unwrap_or_default();
    let message = serde_json::json!({
        "text": escape(&fallback),
        "attachments": [{
            "color": colour(notice.event),
            "fallback": escape(&fallback),
            "title": escape(&title),
            "title_link": deployment_url,
            "text": why,
            "fields": fields,
            "footer": "Berth",
        }],
    });
    serde_json::to_vec(&message).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use shared::deploy::{DeploymentKind, Outcome};

    use super::*;
    use crate::notify::outbox::NoticeDeployment;

    fn failed() -> Notice {
        Notice {
            idempotency_key: "deployment-7-failed".into(),
            event: NotifyEvent::Failed,
            occurred_at: "2026-12-02T10:00:00Z".into(),
            environment: "prod".into(),
            deployment: Some(NoticeDeployment {
                id: 7,
                cluster: "demo".into(),
                service: "web".into(),
                kind: DeploymentKind::Deploy,
                actor: "ann".into(),
                outcome: Outcome::Failed,
                from_task_definition: Some("web:3".into()),
                to_task_definition: Some("web:4".into()),
                rolled_back_to: None,
                reason: Some("circuit breaker".into()),
                summary: Some("4 of 4 tasks failed to start: <CannotPull>".into()),
                images: vec![],
            }),
            message: None,
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Python: hmac.new(b"whsec-0123456789abcdef", b'1700000000.{"event":"test"}', hashlib.sha256).hexdigest()
        assert_eq!(
            signature("whsec-0123456789abcdef", 1_700_000_000, br#"{"event":"test"}"#),
            "v1=b988d128e149191238e2483bda5f6b7b6b6120fd7e9e5b2833656e1b7a269bea"
        );
    }

    #[test]
    fn the_webhook_body_is_the_notice_with_links() {
        let body: serde_json::Value =
            serde_json::from_slice(&webhook_body(&failed(), "https://berth.example/")).unwrap();
        assert_eq!(body["idempotencyKey"], "deployment-7-failed");
        assert_eq!(body["event"], "deployment.failed");
        assert_eq!(body["deployment"]["summary"], "4 of 4 tasks failed to start: <CannotPull>");
        assert_eq!(body["links"]["deployment"], "https://berth.example/deployments/7");
        assert_eq!(body["links"]["service"], "https://berth.example/e/prod/services/demo/web");
    }

    #[test]
    fn slack_gets_the_outcome_colour_the_links_and_the_verdict_escaped() {
        let body: serde_json::Value = serde_json::from_slice(&slack_body(&failed(), "https://berth.example")).unwrap();
        let a = &body["attachments"][0];
        assert_eq!(a["color"], "#d40e0d");
        assert_eq!(a["title_link"], "https://berth.example/deployments/7");
        assert_eq!(a["text"], "4 of 4 tasks failed to start: &lt;CannotPull&gt;");
        assert_eq!(a["fields"][0]["value"], "<https://berth.example/e/prod/services/demo/web|demo/web>");
        assert!(body["text"].as_str().unwrap().starts_with("Deployment failed: demo/web web:3 → web:4 by ann"));
    }
}
