-- no-transaction
-- A kind of deployment of its own for promotions (issue 20). SQLite can't change a CHECK
-- constraint, so the table is rebuilt as 0010 did; foreign keys are off meanwhile, or dropping the
-- old table would delete every deployment's events (ON DELETE CASCADE).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE deployments_rebuilt (
    id                   INTEGER PRIMARY KEY,
    environment          TEXT NOT NULL,
    cluster              TEXT NOT NULL,
    service              TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback', 'redeploy', 'external', 'create', 'promotion')),
    actor                TEXT NOT NULL,
    via                  TEXT NOT NULL,
    note                 TEXT,
    idempotency_key      TEXT,
    request              TEXT NOT NULL,
    step                 TEXT NOT NULL CHECK (step IN ('recorded', 'registered', 'updated', 'ended')),
    outcome              TEXT NOT NULL CHECK (outcome IN ('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'SUPERSEDED', 'TIMED_OUT')),
    reason               TEXT,
    from_task_definition TEXT,
    to_task_definition   TEXT,
    from_spec            TEXT,
    to_spec              TEXT,
    images               TEXT NOT NULL DEFAULT '[]',
    ecs_deployment_id    TEXT,
    rolled_back_to       TEXT,
    rollback_ecs_deployment_id TEXT,
    started_at           INTEGER NOT NULL,
    ended_at             INTEGER,
    -- JSON of shared::deploy::Verdict, for FAILED deployments.
    verdict              TEXT,
    awaiting_approval    TEXT,
    lease_owner          TEXT,
    lease_until          INTEGER,
    freeze_override      TEXT,
    approved_by          TEXT,
    promoted_from        INTEGER,
    promoted_from_environment TEXT
);
INSERT INTO deployments_rebuilt (id, environment, cluster, service, kind, actor, via, note, idempotency_key, request,
    step, outcome, reason, from_task_definition, to_task_definition, from_spec, to_spec, images, ecs_deployment_id,
    rolled_back_to, rollback_ecs_deployment_id, started_at, ended_at, verdict, awaiting_approval, lease_owner,
    lease_until, freeze_override, approved_by, promoted_from, promoted_from_environment)
SELECT id, environment, cluster, service, kind, actor, via, note, idempotency_key, request,
    step, outcome, reason, from_task_definition, to_task_definition, from_spec, to_spec, images, ecs_deployment_id,
    rolled_back_to, rollback_ecs_deployment_id, started_at, ended_at, verdict, awaiting_approval, lease_owner,
    lease_until, freeze_override, approved_by, promoted_from, promoted_from_environment FROM deployments;
DROP TABLE deployments;
ALTER TABLE deployments_rebuilt RENAME TO deployments;
-- Records of deployments Berth only follows (external, create) never hold the per-service lock.
CREATE UNIQUE INDEX deployments_in_flight ON deployments(environment, cluster, service)
    WHERE ended_at IS NULL AND kind NOT IN ('external', 'create');
CREATE UNIQUE INDEX deployments_idempotency ON deployments(actor, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX deployments_ecs_id ON deployments(ecs_deployment_id) WHERE ecs_deployment_id IS NOT NULL;
CREATE INDEX deployments_rollback_id ON deployments(rollback_ecs_deployment_id)
    WHERE rollback_ecs_deployment_id IS NOT NULL;
CREATE INDEX deployments_started ON deployments(started_at DESC, id DESC);
CREATE INDEX deployments_by_service ON deployments(environment, cluster, service, started_at DESC, id DESC);
CREATE INDEX deployments_by_actor ON deployments(actor, started_at DESC, id DESC);
CREATE INDEX deployments_by_outcome ON deployments(outcome, started_at DESC, id DESC);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
