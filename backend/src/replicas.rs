//! Several `berth serve` processes on one PostgreSQL behave as one Berth, through PostgreSQL's own
//! mechanisms rather than a coordination layer of ours:
//! - a session advisory lock elects the one replica that does a job (polls a service, sweeps for
//!   deployments made outside Berth); when that replica dies its connection closes and PostgreSQL
//!   frees the lock, so another replica's next try wins it;
//! - LISTEN/NOTIFY carries what the others need: a poll's snapshot (its text in
//!   `service_snapshots`, as it may exceed a notification's 8000 bytes) and pokes;
//! - deployments in flight are leased (`deploy::lease`), taken over with `SKIP LOCKED`.
//!
//! Sessions, CSRF tokens, idempotency keys and the per-service deploy lock are rows or unique
//! indexes in the shared database already. On a SQLite file there is one process: every election
//! is won at once and nothing is sent.

use std::sync::Arc;

use anyhow::Context;
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgListener, PgPool, PgPoolOptions};
use tokio::sync::broadcast;

use crate::store::{Backend, Store};

/// NOTIFY channels.
pub(crate) const SNAPSHOTS: &str = "berth_snapshots";
pub(crate) const POKES: &str = "berth_pokes";

/// A notification from another replica (or this one: check `from`).
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    pub channel: String,
    pub payload: String,
}

pub struct Replicas {
    id: String,
    postgres: Option<Shared>,
}

struct Shared {
    url: String,
    pool: PgPool,
    incoming: broadcast::Sender<Incoming>,
}

impl Replicas {
    /// One process on its own database (SQLite, and unit tests).
    pub fn single() -> Arc<Self> {
        Arc::new(Self { id: new_id(), postgres: None })
    }

    /// For the store's database: on PostgreSQL, listens to the other replicas.
    pub async fn start(store: &Store) -> anyhow::Result<Arc<Self>> {
        let Some(url) = store.postgres_url().filter(|_| store.backend() == Backend::Postgres) else {
            return Ok(Self::single());
        };
        let pool = PgPoolOptions::new().max_connections(4).connect(url).await.context("connecting to PostgreSQL")?;
        let mut listener = PgListener::connect_with(&pool).await.context("listening to the other replicas")?;
        listener.listen_all([SNAPSHOTS, POKES]).await.context("listening to the other replicas")?;
        let (incoming, _) = broadcast::channel(1024);
        let tx = incoming.clone();
        tokio::spawn(async move {
            loop {
                // On a lost connection `recv` reconnects and listens again.
                match listener.recv().await {
                    Ok(n) => {
                        let _ =
                            tx.send(Incoming { channel: n.channel().to_string(), payload: n.payload().to_string() });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listening to the other replicas; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let id = new_id();
        tracing::info!(replica = %id, "sharing the database with any other replicas");
        Ok(Arc::new(Self { id, postgres: Some(Shared { url: url.to_string(), pool, incoming }) }))
    }

    /// This process's name among the replicas (random per start).
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn is_shared(&self) -> bool {
        self.postgres.is_some()
    }

    /// What the other replicas send; `None` alone on its database.
    pub(crate) fn incoming(&self) -> Option<broadcast::Receiver<Incoming>> {
        self.postgres.as_ref().map(|p| p.incoming.subscribe())
    }

    /// The pool for the replicas' own tables (`service_snapshots`); `None` alone on its database.
    pub(crate) fn pool(&self) -> Option<&PgPool> {
        self.postgres.as_ref().map(|p| &p.pool)
    }

    /// Sends `payload` to every replica listening on `channel` (this one included).
    pub(crate) async fn send(&self, channel: &str, payload: &str) {
        let Some(p) = &self.postgres else { return };
        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&p.pool).await {
            tracing::warn!(error = %e, channel, "notifying the other replicas");
        }
    }

    /// A candidate for the job `name`, to [`Candidate::lead`] with.
    pub(crate) fn candidate(&self, name: &str) -> Candidate {
        Candidate {
            name: name.to_string(),
            url: self.postgres.as_ref().map(|p| p.url.clone()),
            conn: None,
            leading: false,
        }
    }
}

/// Whether this replica does a job. Keeps a connection of its own, on which it holds the job's
/// advisory lock once won, until dropped (closing the connection frees the lock).
pub(crate) struct Candidate {
    name: String,
    url: Option<String>,
    conn: Option<PgConnection>,
    leading: bool,
}

impl Candidate {
    /// True when this replica does the job now: always alone on a database; on PostgreSQL once
    /// this candidate holds the job's advisory lock. Cheap to call before each round of the job.
    pub(crate) async fn lead(&mut self) -> bool {
        let Some(url) = &self.url else { return true };
        match self.try_lead(url.clone()).await {
            Ok(leading) => {
                if leading && !self.leading {
                    tracing::info!(job = %self.name, "this replica leads");
                }
                self.leading = leading;
            }
            Err(e) => {
                tracing::warn!(error = %e, job = %self.name, "trying to lead");
                // A broken connection held nothing PostgreSQL still counts.
                (self.conn, self.leading) = (None, false);
            }
        }
        self.leading
    }

    async fn try_lead(&mut self, url: String) -> anyhow::Result<bool> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => self.conn.insert(PgConnection::connect(&url).await?),
        };
        if self.leading {
            // Still ours while the connection that holds it is alive.
            conn.ping().await?;
            return Ok(true);
        }
        let (won,): (bool,) =
            sqlx::query_as("SELECT pg_try_advisory_lock(hashtext($1))").bind(&self.name).fetch_one(&mut *conn).await?;
        Ok(won)
    }
}

fn new_id() -> String {
    let bytes: [u8; 6] = rand_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rand_bytes<const N: usize>() -> [u8; N] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}
