-- Approval before start (approvals.rs): a deploy, rollback, redeploy or promotion waiting for
-- another deployer's decision. `operation` is what starts once approved (JSON); `expected` what
-- must still hold then for it to be what the approver saw (JSON); `changes` the task definition
-- diff shown to the approver.
CREATE TABLE approval_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    environment     TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    service         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    summary         TEXT NOT NULL,
    operation       TEXT NOT NULL,
    expected        TEXT NOT NULL,
    changes         TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    requested_via   TEXT NOT NULL,
    idempotency_key TEXT,
    note            TEXT,
    requested_at    INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    status          TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      INTEGER,
    reason          TEXT,
    deployment_id   INTEGER
);
CREATE INDEX approval_requests_status ON approval_requests(status, environment);
CREATE UNIQUE INDEX approval_requests_idempotency ON approval_requests(requested_by, idempotency_key);

-- Who approved a deployment's request; a promotion's source deployment and its environment.
ALTER TABLE deployments ADD COLUMN approved_by TEXT;
ALTER TABLE deployments ADD COLUMN promoted_from INTEGER;
ALTER TABLE deployments ADD COLUMN promoted_from_environment TEXT;

-- Services named differently across environments, lined up as one row of the live view
-- (live_links.rs): each service belongs to one link at most.
CREATE TABLE live_links (
    link        TEXT NOT NULL,
    environment TEXT NOT NULL,
    cluster     TEXT NOT NULL,
    service     TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (environment, cluster, service)
);
