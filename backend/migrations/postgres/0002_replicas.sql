-- Several replicas on one database.
-- A deployment in flight is driven by the replica that holds its lease: it renews `lease_until`
-- (unix ms) while alive; once that passes, another replica takes the deployment over and
-- finishes it (deploy/lease.rs).
ALTER TABLE deployments ADD COLUMN lease_owner TEXT;
ALTER TABLE deployments ADD COLUMN lease_until BIGINT;
CREATE INDEX deployments_lease ON deployments(lease_until) WHERE ended_at IS NULL;

-- The latest snapshot of each watched service, written by the one replica that polls it and read
-- by the others when it NOTIFYs them (a snapshot is often larger than a notification's 8000
-- bytes). Unlogged: a crash loses only what the next poll writes again.
CREATE UNLOGGED TABLE service_snapshots (
    service_key TEXT PRIMARY KEY,
    snapshot    TEXT NOT NULL,
    written_at  BIGINT NOT NULL
);
