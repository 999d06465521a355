//! Failed logins, counted in memory per client address and per user name over a sliding window.
//! A restart forgets them: acceptable for a single server; the limits are what stops guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_ip: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: usize, per_ip: usize) -> Self {
        Self { window, per_user, per_ip, failures: Mutex::new(HashMap::new()) }
    }

    /// Seconds until a login may be tried again, if the limit is reached for either key.
    pub fn blocked(&self, ip: &str, user: &str) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        [(format!("ip:{ip}"), self.per_ip), (format!("user:{}", user.to_lowercase()), self.per_user)]
            .into_iter()
            .filter_map(|(key, limit)| {
                let times = map.get_mut(&key)?;
                times.retain(|t| now.duration_since(*t) < self.window);
                let wait =
                    (times.len() >= limit).then(|| (self.window - now.duration_since(times[0])).as_secs().max(1));
                if times.is_empty() {
                    map.remove(&key);
                }
                wait
            })
            .max()
    }

    pub fn record_failure(&self, ip: &str, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Guessing with ever new names must not grow memory without bound: drop what has expired.
        if map.len() > 10_000 {
            map.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        map.entry(format!("ip:{ip}")).or_default().push(now);
        map.entry(format!("user:{}", user.to_lowercase())).or_default().push(now);
    }

    /// A successful login clears the user's failures (not the address's).
    pub fn record_success(&self, user: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("user:{}", user.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_limit_and_the_address_limit_both_apply() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 2, 3);
        limiter.record_failure("1.1.1.1", "ann");
        assert!(limiter.blocked("1.1.1.1", "ann").is_none());
        limiter.record_failure("2.2.2.2", "ann");
        assert!(limiter.blocked("3.3.3.3", "ann").is_some(), "per user, from any address");
        assert!(limiter.blocked("1.1.1.1", "bob").is_none());
        limiter.record_failure("1.1.1.1", "bob");
        limiter.record_failure("1.1.1.1", "cid");
        assert!(limiter.blocked("1.1.1.1", "dan").is_some(), "per address, for any user");
        limiter.record_success("ann");
        assert!(limiter.blocked("4.4.4.4", "ann").is_none());
    }
}
