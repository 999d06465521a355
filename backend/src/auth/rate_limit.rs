//! Login attempts, counted in memory over sliding windows. A restart forgets them: acceptable for
//! a single server; the limits are what stops guessing.
//!
//! An attempt takes its slot under the lock *before* the password is checked, so parallel
//! requests can't all pass the check before any failure is recorded. A failure keeps its slot; a
//! success gives it back. Three limits apply at once:
//! - per user name and client address (5 in 15 minutes): stops guessing one account from one
//!   place without letting anyone lock an admin out from everywhere;
//! - per user name from any address (50 in an hour): slows guessing spread over many addresses;
//! - per client address (20 in 15 minutes): stops one client trying many names.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub max: usize,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub per_user_and_address: Limit,
    pub per_user: Limit,
    pub per_address: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        Self {
            per_user_and_address: Limit { max: 5, window: minutes(15) },
            per_user: Limit { max: 50, window: minutes(60) },
            per_address: Limit { max: 20, window: minutes(15) },
        }
    }
}

pub struct LoginLimiter {
    limits: Limits,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// A reserved attempt: counted as a failure unless [`LoginLimiter::succeeded`] gives it back.
#[must_use = "a successful login must give its slot back"]
pub(crate) struct Attempt {
    keys: [String; 3],
    user_and_address: String,
    at: Instant,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl LoginLimiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits, attempts: Mutex::new(HashMap::new()) }
    }

    fn keyed(&self, ip: &str, user: &str) -> [(String, Limit); 3] {
        let user = user.to_lowercase();
        [
            (format!("user+address:{user}\n{ip}"), self.limits.per_user_and_address),
            (format!("user:{user}"), self.limits.per_user),
            (format!("address:{ip}"), self.limits.per_address),
        ]
    }

    /// Takes a slot in every limit, or says how many seconds until one frees up.
    pub(crate) fn reserve(&self, ip: &str, user: &str) -> Result<Attempt, u64> {
        let keyed = self.keyed(ip, user);
        let now = Instant::now();
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        // Guessing with ever new names must not grow memory without bound: drop what has expired.
        if map.len() > 10_000 {
            let longest = self.longest_window();
            map.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < longest));
        }
        let wait = keyed
            .iter()
            .filter_map(|(key, limit)| {
                let times = map.get_mut(key)?;
                while times.front().is_some_and(|t| now.duration_since(*t) >= limit.window) {
                    times.pop_front();
                }
                let oldest = *times.front()?;
                (times.len() >= limit.max).then(|| (limit.window - now.duration_since(oldest)).as_secs().max(1))
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in &keyed {
            map.entry(key.clone()).or_default().push_back(now);
        }
        let [(a, _), (b, _), (c, _)] = keyed;
        Ok(Attempt { user_and_address: a.clone(), keys: [a, b, c], at: now })
    }

    /// The password was right: the attempt's slots are given back, and the failures of this user
    /// from this address are forgotten (not those from elsewhere, nor the address's).
    pub(crate) fn succeeded(&self, attempt: Attempt) {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&attempt.user_and_address);
        for key in &attempt.keys {
            if let Some(times) = map.get_mut(key) {
                if let Some(i) = times.iter().rposition(|t| *t == attempt.at) {
                    times.remove(i);
                }
                if times.is_empty() {
                    map.remove(key);
                }
            }
        }
    }

    fn longest_window(&self) -> Duration {
        let l = self.limits;
        l.per_user_and_address.window.max(l.per_user.window).max(l.per_address.window)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn small() -> LoginLimiter {
        let limit = |max| Limit { max, window: Duration::from_secs(60) };
        LoginLimiter::new(Limits { per_user_and_address: limit(2), per_user: limit(3), per_address: limit(4) })
    }

    #[test]
    fn the_user_limit_holds_per_address_and_other_addresses_still_get_in() {
        let limiter = small();
        let _ = limiter.reserve("1.1.1.1", "ann").unwrap();
        let _ = limiter.reserve("1.1.1.1", "Ann").unwrap();
        assert!(limiter.reserve("1.1.1.1", "ann").is_err(), "two failures from this address");
        let ok = limiter.reserve("2.2.2.2", "ann").expect("another address is not locked out");
        limiter.succeeded(ok);
        let _ = limiter.reserve("3.3.3.3", "ann").unwrap();
        assert!(limiter.reserve("4.4.4.4", "ann").is_err(), "three failures from anywhere: the slower global limit");
    }

    #[test]
    fn the_address_limit_counts_every_name() {
        let limiter = small();
        for name in ["a", "b", "c", "d"] {
            let _ = limiter.reserve("1.1.1.1", name).unwrap();
        }
        assert!(limiter.reserve("1.1.1.1", "e").is_err());
        assert!(limiter.reserve("2.2.2.2", "e").is_ok());
    }

    #[test]
    fn a_success_gives_its_slot_back_and_forgets_failures_from_that_address() {
        let limiter = small();
        let _ = limiter.reserve("1.1.1.1", "ann").unwrap();
        let ok = limiter.reserve("1.1.1.1", "ann").unwrap();
        limiter.succeeded(ok);
        for _ in 0..2 {
            let _ = limiter.reserve("1.1.1.1", "ann").unwrap();
        }
        assert!(limiter.reserve("1.1.1.1", "ann").is_err());
    }

    #[test]
    fn parallel_attempts_never_get_more_slots_than_the_limit() {
        let limiter = Arc::new(small());
        let granted = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..32)
            .map(|_| {
                let (limiter, granted) = (limiter.clone(), granted.clone());
                std::thread::spawn(move || {
                    if limiter.reserve("1.1.1.1", "ann").is_ok() {
                        granted.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(granted.load(Ordering::SeqCst), 2);
    }
}
