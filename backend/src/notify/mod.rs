//! Notifications of deployment events to an environment's destinations (a Slack incoming webhook,
//! or a JSON webhook signed with HMAC-SHA256). Durable: an event goes into the outbox in the same
//! SQL transaction as the deployment change it reports ([`outbox`]), with one delivery per
//! destination whose filter takes it; the [`sender`] works through the deliveries with retries and
//! exponential backoff, so a restart or a kill -9 loses nothing. Delivery is at least once: an
//! attempt cut short by a crash is made again, with the same idempotency key.

pub(crate) mod deliveries;
pub(crate) mod destinations;
pub(crate) mod outbox;
mod render;
pub(crate) mod sender;

pub(crate) use outbox::{Change, Notice};
pub use sender::NotifySettings;

/// Wakes the senders (a test was just queued). Every sender of the process checks the store; one
/// that has nothing due goes back to sleep.
pub(crate) static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

pub(crate) fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
