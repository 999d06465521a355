//! The sender: works through the deliveries that are due, each attempt leased in the store first;
//! a 2xx answer delivers, anything else (another status, no answer within the timeout) is tried
//! again after `retry_base × 2^(attempts − 1)` (at most an hour), until `max_attempts`.

use std::time::Duration;

use shared::notify::DestinationKind;

use super::deliveries::{self, Due};
use super::render;
use crate::deploy::records::now_ms;
use crate::store::Store;

/// How notifications are sent.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// Berth's address as people open it, for the links in notifications (default: the address
    /// it listens on).
    pub public_url: Option<String>,
    /// How often the store is checked for deliveries due.
    pub poll_interval: Duration,
    /// The wait after a first failed attempt; it doubles after each further one.
    pub retry_base: Duration,
    /// Attempts per delivery, the first included; then it is given up.
    pub max_attempts: u32,
    /// An attempt without an answer within this is a failure.
    pub timeout: Duration,
    /// The crash test's fault injection: record notifications but send none.
    #[cfg(feature = "fault-injection")]
    pub hold: bool,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            public_url: None,
            poll_interval: Duration::from_secs(1),
            retry_base: Duration::from_secs(10),
            max_attempts: 10,
            timeout: Duration::from_secs(10),
            #[cfg(feature = "fault-injection")]
            hold: false,
        }
    }
}

/// Events and their delivery logs are kept 30 days (those still pending, until they are not).
const KEEP_MS: i64 = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS: i64 = 3600 * 1000;

const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The wait after the `attempts`-th failed attempt.
pub(crate) fn backoff(base: Duration, attempts: u32) -> Duration {
    base.saturating_mul(1u32.checked_shl(attempts.saturating_sub(1)).unwrap_or(u32::MAX)).min(MAX_BACKOFF)
}

/// Starts the sender (unless held by fault injection).
pub(crate) fn spawn(store: Store, settings: NotifySettings, public_url: String) {
    #[cfg(feature = "fault-injection")]
    if settings.hold {
        tracing::warn!("notifications are held (fault injection): recorded, not sent");
        return;
    }
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .user_agent(USER_AGENT)
        // A redirect is an answer, not a 2xx: the destination is what the admin saved, nowhere else.
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "building the notification sender's HTTP client: notifications are not sent");
            return;
        }
    };
    let sender = Sender { store, settings, public_url, client };
    tokio::spawn(async move { sender.run().await });
}

const USER_AGENT: &str = concat!("Berth/", env!("CARGO_PKG_VERSION"));

struct Sender {
    store: Store,
    settings: NotifySettings,
    public_url: String,
    client: reqwest::Client,
}

impl Sender {
    async fn run(self) {
        let mut pruned_at = 0;
        loop {
            if let Err(e) = self.send_due().await {
                tracing::error!(error = ?e, "sending notifications");
            }
            if now_ms() - pruned_at > PRUNE_EVERY_MS {
                pruned_at = now_ms();
                if let Err(e) = deliveries::prune(self.store.pool(), pruned_at - KEEP_MS).await {
                    tracing::error!(error = ?e, "pruning old notifications");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(self.settings.poll_interval) => {}
                () = super::WAKE.notified() => {}
            }
        }
    }

    async fn send_due(&self) -> crate::store::StoreResult<()> {
        let pool = self.store.pool();
        loop {
            let due = deliveries::due(pool, now_ms(), 16).await?;
            if due.is_empty() {
                return Ok(());
            }
            // Destinations in parallel; each one's deliveries in the order they were recorded.
            let mut by_destination: Vec<Vec<&Due>> = Vec::new();
            for d in &due {
                match by_destination.iter_mut().find(|g| g[0].destination_id == d.destination_id) {
                    Some(group) => group.push(d),
                    None => by_destination.push(vec![d]),
                }
            }
            let results = futures::future::join_all(by_destination.into_iter().map(|group| self.send_in_order(group)));
            for result in results.await {
                result?;
            }
        }
    }

    async fn send_in_order(&self, group: Vec<&Due>) -> crate::store::StoreResult<()> {
        let pool = self.store.pool();
        for d in group {
            // Leased just before its attempt, for as long as the attempt may take.
            let now = now_ms();
            if !deliveries::lease(pool, d, now, now + self.settings.timeout.as_millis() as i64 + 5_000).await? {
                continue;
            }
            let attempts = d.attempts + 1;
            match self.attempt(d).await {
                Ok(status) => deliveries::delivered(pool, d.id, status, now_ms()).await?,
                Err((status, error)) => {
                    let retry = (attempts < i64::from(self.settings.max_attempts))
                        .then(|| now_ms() + backoff(self.settings.retry_base, attempts as u32).as_millis() as i64);
                    let key = &d.notice.0.idempotency_key;
                    tracing::warn!(delivery = d.id, key = %key, attempts, error = %error, "a notification attempt failed");
                    deliveries::failed(pool, d.id, status, &error, retry).await?;
                }
            }
        }
        Ok(())
    }

    /// One attempt: the answer's status if 2xx, else the status (if any) and why it failed.
    async fn attempt(&self, d: &Due) -> Result<u16, (Option<u16>, String)> {
        let notice = &d.notice.0;
        let request = match d.kind {
            DestinationKind::Slack => self.client.post(&d.url).body(render::slack_body(notice, &self.public_url)),
            DestinationKind::Webhook => {
                let body = render::webhook_body(notice, &self.public_url);
                let timestamp = now_ms() / 1000;
                let signature = render::signature(d.secret.as_deref().unwrap_or_default(), timestamp, &body);
                self.client
                    .post(&d.url)
                    .header("X-Berth-Event", notice.event.as_str())
                    .header("X-Berth-Idempotency-Key", &notice.idempotency_key)
                    .header("X-Berth-Timestamp", timestamp.to_string())
                    .header("X-Berth-Signature", signature)
                    .body(body)
            }
        };
        let answer = request.header("Content-Type", "application/json").send().await;
        match answer {
            Ok(resp) if resp.status().is_success() => Ok(resp.status().as_u16()),
            Ok(resp) => Err((Some(resp.status().as_u16()), format!("The destination answered {}.", resp.status()))),
            // reqwest's error names the URL: keep it out of the log and the delivery log.
            Err(e) if e.is_timeout() => Err((None, format!("No answer within {:?}.", self.settings.timeout))),
            Err(e) if e.is_connect() => Err((None, "Could not connect to the destination.".into())),
            Err(_) => Err((None, "The request failed before an answer came.".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_base_up_to_an_hour() {
        let base = Duration::from_secs(10);
        let waits: Vec<u64> = (1..=10).map(|n| backoff(base, n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
        assert_eq!(backoff(base, 60), MAX_BACKOFF);
    }
}
