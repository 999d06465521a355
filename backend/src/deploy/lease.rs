//! Deployments in flight are leased to the process that drives them. Alone on a SQLite file, a
//! restart takes up every deployment left in flight (`resume_in_flight`). Among replicas on
//! PostgreSQL, each renews its leases every third of a lease (the heartbeat); a deployment whose
//! lease ran out (its replica died) is taken over by the first replica to claim it (`FOR UPDATE
//! SKIP LOCKED`: each is claimed once) and finished from its recorded step, so it is finished
//! exactly once, without a second revision.

use super::Deployer;
use super::records::{Lease, now_ms};
use crate::store::{Db, Doing, StoreResult};

impl Deployer {
    /// This replica's lease on a deployment it starts now.
    pub(super) fn lease(&self) -> Lease<'_> {
        Lease { owner: self.replicas.id(), until: now_ms() + self.settings.lease.as_millis() as i64 }
    }

    /// Among replicas: the heartbeat, and taking over what a dead replica left (at once, then
    /// every third of a lease).
    pub(crate) fn spawn_leases(&self) {
        let me = self.clone();
        tokio::spawn(async move {
            let every = me.settings.lease / 3;
            loop {
                let until = now_ms() + me.settings.lease.as_millis() as i64;
                let pool = me.store.pool();
                if let Err(e) = renew(pool, me.replicas.id(), until).await {
                    tracing::error!(error = ?e, "renewing this replica's deployment leases");
                }
                match take_over(pool, me.replicas.id(), until).await {
                    Ok(ids) => {
                        for id in ids {
                            tracing::warn!(
                                deployment = id,
                                "taking over a deployment whose replica stopped renewing it"
                            );
                            me.resume(id).await;
                        }
                    }
                    Err(e) => tracing::error!(error = ?e, "taking over deployments"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}

async fn renew(pool: &Db, owner: &str, until: i64) -> StoreResult<u64> {
    sqlx::query("UPDATE deployments SET lease_until = $1 WHERE lease_owner = $2 AND ended_at IS NULL")
        .bind(until)
        .bind(owner)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
        .doing(|| "renewing deployment leases".into())
}

/// Claims Berth's deployments in flight whose lease ran out (or that never had one).
async fn take_over(pool: &Db, owner: &str, until: i64) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar(
        "UPDATE deployments SET lease_owner = $1, lease_until = $2 WHERE id IN ( \
             SELECT id FROM deployments WHERE ended_at IS NULL AND kind NOT IN ('external', 'create') \
             AND (lease_until IS NULL OR lease_until < $3) ORDER BY id FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind(owner)
    .bind(until)
    .bind(now_ms())
    .fetch_all(pool)
    .await
    .doing(|| "claiming deployments whose lease ran out".into())
}
