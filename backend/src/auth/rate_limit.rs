//! Login attempts, counted in the store over sliding windows: the limits hold across restarts and
//! across every replica on one PostgreSQL (a guesser spreading attempts over replicas gets no more).
//!
//! An attempt takes its slot in one transaction *before* the password is checked, so parallel
//! requests can't all pass the check before any failure is recorded: on SQLite the transaction's
//! first statement is a write, which waits for the one writer; on PostgreSQL a transaction-scoped
//! advisory lock queues the attempts. A failure keeps its slot; a success gives it back. Three
//! limits apply at once:
//! - per user name and client address (5 in 15 minutes): stops guessing one account from one
//!   place without letting anyone lock an admin out from everywhere;
//! - per user name from any address (50 in an hour): slows guessing spread over many addresses;
//! - per client address (20 in 15 minutes): stops one client trying many names.

use std::time::Duration;

use crate::deploy::records::now_ms;
use crate::store::{Backend, Doing, Store, StoreResult};

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
    /// Attempts counted at once: the count is one transaction at a time anyway, and a flood of
    /// logins must not hold every connection of the store's pool while it queues.
    counting: tokio::sync::Semaphore,
}

/// A reserved attempt: counted as a failure unless [`LoginLimiter::succeeded`] gives it back.
#[must_use = "a successful login must give its slot back"]
pub(crate) struct Attempt {
    id: String,
    user_and_address: String,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl LoginLimiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits, counting: tokio::sync::Semaphore::new(2) }
    }

    fn keyed(&self, ip: &str, user: &str) -> [(String, Limit); 3] {
        let user = user.to_lowercase();
        [
            (format!("user+address:{user}\n{ip}"), self.limits.per_user_and_address),
            (format!("user:{user}"), self.limits.per_user),
            (format!("address:{ip}"), self.limits.per_address),
        ]
    }

    /// Takes a slot in every limit (`Ok(Ok(attempt))`), or says how many seconds until one frees
    /// up (`Ok(Err(seconds))`).
    pub(crate) async fn reserve(&self, store: &Store, ip: &str, user: &str) -> StoreResult<Result<Attempt, u64>> {
        let doing = || "counting login attempts".to_string();
        let keyed = self.keyed(ip, user);
        let now = now_ms();
        let _turn = self.counting.acquire().await;
        let mut tx = store.pool().begin().await.doing(doing)?;
        if store.backend() == Backend::Postgres {
            // Each statement sees what the previous holder of the lock committed (a stricter
            // isolation would read from before the wait).
            for statement in [
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "SELECT pg_advisory_xact_lock(hashtext('berth login attempts'))",
            ] {
                sqlx::query(statement).execute(&mut *tx).await.doing(doing)?;
            }
        }
        // What every window has forgotten goes first (also SQLite's write lock, taken before any
        // count is read): guessing with ever new names does not grow the table without bound.
        sqlx::query("DELETE FROM login_attempts WHERE at_ms <= $1")
            .bind(now - self.longest_window().as_millis() as i64)
            .execute(&mut *tx)
            .await
            .doing(doing)?;
        let mut wait = None;
        for (key, limit) in &keyed {
            let window = limit.window.as_millis() as i64;
            let (count, oldest): (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MIN(at_ms) FROM login_attempts WHERE key = $1 AND at_ms > $2")
                    .bind(key)
                    .bind(now - window)
                    .fetch_one(&mut *tx)
                    .await
                    .doing(doing)?;
            if count as usize >= limit.max {
                let frees_in = (window - (now - oldest.unwrap_or(now))).max(0) as u64 / 1000;
                wait = wait.max(Some(frees_in.max(1)));
            }
        }
        if let Some(wait) = wait {
            tx.commit().await.doing(doing)?;
            return Ok(Err(wait));
        }
        let id = crate::auth::secrets::random_secret();
        for (key, _) in &keyed {
            sqlx::query("INSERT INTO login_attempts (attempt, key, at_ms) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(key)
                .bind(now)
                .execute(&mut *tx)
                .await
                .doing(doing)?;
        }
        tx.commit().await.doing(doing)?;
        let [(user_and_address, _), _, _] = keyed;
        Ok(Ok(Attempt { id, user_and_address }))
    }

    /// The password was right: the attempt's slots are given back, and the failures of this user
    /// from this address are forgotten (not those from elsewhere, nor the address's).
    pub(crate) async fn succeeded(&self, store: &Store, attempt: Attempt) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_attempts WHERE attempt = $1 OR key = $2")
            .bind(&attempt.id)
            .bind(&attempt.user_and_address)
            .execute(store.pool())
            .await
            .doing(|| "giving a login's slot back".to_string())?;
        Ok(())
    }

    fn longest_window(&self) -> Duration {
        let l = self.limits;
        l.per_user_and_address.window.max(l.per_user.window).max(l.per_address.window)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::testing::Scratch;

    fn small() -> LoginLimiter {
        let limit = |max| Limit { max, window: Duration::from_secs(60) };
        LoginLimiter::new(Limits { per_user_and_address: limit(2), per_user: limit(3), per_address: limit(4) })
    }

    /// A fresh store on each backend.
    async fn stores() -> Vec<(Scratch, Store)> {
        let mut out = Vec::new();
        for scratch in Scratch::each().await {
            let store = Store::open(scratch.location()).await.unwrap();
            out.push((scratch, store));
        }
        out
    }

    async fn reserve(limiter: &LoginLimiter, store: &Store, ip: &str, user: &str) -> Result<Attempt, u64> {
        limiter.reserve(store, ip, user).await.unwrap()
    }

    #[tokio::test]
    async fn the_user_limit_holds_per_address_and_other_addresses_still_get_in() {
        for (_scratch, store) in stores().await {
            let limiter = small();
            let _ = reserve(&limiter, &store, "1.1.1.1", "ann").await.unwrap();
            let _ = reserve(&limiter, &store, "1.1.1.1", "Ann").await.unwrap();
            let wait = reserve(&limiter, &store, "1.1.1.1", "ann").await.err().expect("two failures from this address");
            assert!((59..=60).contains(&wait), "the window frees up in a minute, not {wait} s");
            let ok = reserve(&limiter, &store, "2.2.2.2", "ann").await.expect("another address is not locked out");
            limiter.succeeded(&store, ok).await.unwrap();
            let _ = reserve(&limiter, &store, "3.3.3.3", "ann").await.unwrap();
            assert!(
                reserve(&limiter, &store, "4.4.4.4", "ann").await.is_err(),
                "three failures from anywhere: the slower global limit"
            );
        }
    }

    #[tokio::test]
    async fn the_address_limit_counts_every_name() {
        for (_scratch, store) in stores().await {
            let limiter = small();
            for name in ["a", "b", "c", "d"] {
                let _ = reserve(&limiter, &store, "1.1.1.1", name).await.unwrap();
            }
            assert!(reserve(&limiter, &store, "1.1.1.1", "e").await.is_err());
            assert!(reserve(&limiter, &store, "2.2.2.2", "e").await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_success_gives_its_slot_back_and_forgets_failures_from_that_address() {
        for (_scratch, store) in stores().await {
            let limiter = small();
            let _ = reserve(&limiter, &store, "1.1.1.1", "ann").await.unwrap();
            let ok = reserve(&limiter, &store, "1.1.1.1", "ann").await.unwrap();
            limiter.succeeded(&store, ok).await.unwrap();
            for _ in 0..2 {
                let _ = reserve(&limiter, &store, "1.1.1.1", "ann").await.unwrap();
            }
            assert!(reserve(&limiter, &store, "1.1.1.1", "ann").await.is_err());
        }
    }

    /// Two replicas on one database (two stores, two limiters): the attempts on one count on the
    /// other, and parallel attempts on both never get more slots than the limit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_attempts_on_two_replicas_never_get_more_slots_than_the_limit() {
        for scratch in Scratch::each().await {
            let replicas = [
                (Arc::new(small()), Store::open(scratch.location()).await.unwrap()),
                (Arc::new(small()), Store::open(scratch.location()).await.unwrap()),
            ];
            let tries: Vec<_> = (0..32)
                .map(|i| {
                    let (limiter, store) = replicas[i % 2].clone();
                    tokio::spawn(async move { limiter.reserve(&store, "1.1.1.1", "ann").await.unwrap().is_ok() })
                })
                .collect();
            let mut granted = 0;
            for t in tries {
                granted += usize::from(t.await.unwrap());
            }
            assert_eq!(granted, 2, "{:?}", scratch.backend());
        }
    }
}
