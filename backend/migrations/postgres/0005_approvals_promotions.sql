-- Approval before start (approvals.rs): a deploy, rollback, redeploy or promotion waiting for
-- another deployer's decision. `operation` is what starts once approved (JSON); `changes` the
-- task definition diff shown to the approver.
CREATE TABLE approval_requests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment     TEXT NOT NULL,
    cluster         TEXT NOT NULL,
    service         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    summary         TEXT NOT NULL,
    operation       TEXT NOT NULL,
    changes         TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    requested_via   TEXT NOT NULL,
    idempotency_key TEXT,
    note            TEXT,
    requested_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    status          TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      BIGINT,
    reason          TEXT,
    deployment_id   BIGINT
);
CREATE INDEX approval_requests_status ON approval_requests(status, environment);
CREATE UNIQUE INDEX approval_requests_idempotency ON approval_requests(requested_by, idempotency_key);

-- Who approved a deployment's request; a promotion's source deployment and its environment.
ALTER TABLE deployments ADD COLUMN approved_by TEXT;
ALTER TABLE deployments ADD COLUMN promoted_from BIGINT;
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

-- A kind of deployment of its own for promotions.
ALTER TABLE deployments DROP CONSTRAINT deployments_kind_check;
ALTER TABLE deployments ADD CONSTRAINT deployments_kind_check
    CHECK (kind IN ('deploy', 'rollback', 'redeploy', 'external', 'create', 'promotion'));
