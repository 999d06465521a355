-- Which Berth process drives a deployment in flight, and until when (unix ms) it has said it is
-- alive. One SQLite file has one process, so nothing takes a lease over here; the columns keep
-- the schema the same as PostgreSQL's, where replicas do (see deploy/lease.rs).
ALTER TABLE deployments ADD COLUMN lease_owner TEXT;
ALTER TABLE deployments ADD COLUMN lease_until INTEGER;
