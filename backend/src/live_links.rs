//! The `live_links` table: services named differently across environments, lined up as one row of
//! the live view and taken as a promotion's default target (`shared::live::ServiceLink`).

use shared::live::{LinkedService, ServiceLink};

use crate::store::{Db, Doing, StoreResult};

/// Every link, in name order, its services in the order they were set.
pub(crate) async fn all(pool: &Db) -> StoreResult<Vec<ServiceLink>> {
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT link, environment, cluster, service FROM live_links ORDER BY link, position")
            .fetch_all(pool)
            .await
            .doing(|| "reading the live view's links".to_string())?;
    let mut links: Vec<ServiceLink> = Vec::new();
    for (link, environment, cluster, service) in rows {
        let member = LinkedService { environment, cluster, service };
        match links.last_mut() {
            Some(last) if last.name == link => last.services.push(member),
            _ => links.push(ServiceLink { name: link, services: vec![member] }),
        }
    }
    Ok(links)
}

/// Replaces every link (one transaction: readers see the old set or the new one).
pub(crate) async fn set(pool: &Db, links: &[ServiceLink]) -> StoreResult<()> {
    let what = || "setting the live view's links".to_string();
    let mut tx = pool.begin().await.doing(what)?;
    sqlx::query("DELETE FROM live_links").execute(&mut *tx).await.doing(what)?;
    let mut order = 0i64;
    for link in links {
        for s in &link.services {
            order += 1;
            sqlx::query(
                "INSERT INTO live_links (link, environment, cluster, service, position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(link.name.trim())
            .bind(&s.environment)
            .bind(&s.cluster)
            .bind(&s.service)
            .bind(order)
            .execute(&mut *tx)
            .await
            .doing(what)?;
        }
    }
    tx.commit().await.doing(what)
}

/// The service of environment `to` linked to `from`'s `cluster`/`service`, if an admin linked them.
pub(crate) async fn linked(
    pool: &Db,
    from: &str,
    cluster: &str,
    service: &str,
    to: &str,
) -> StoreResult<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT b.cluster, b.service FROM live_links a JOIN live_links b ON a.link = b.link \
         WHERE a.environment = $1 AND a.cluster = $2 AND a.service = $3 AND b.environment = $4",
    )
    .bind(from)
    .bind(cluster)
    .bind(service)
    .bind(to)
    .fetch_optional(pool)
    .await
    .doing(|| format!("finding the service of {to} linked to {from}'s {cluster}/{service}"))
}
