-- Every deployment of a service: Berth's own (written before the first AWS call, updated after each
-- step, so a crash leaves a record to resume) and those detected as made outside Berth.
-- Times are unix milliseconds.
CREATE TABLE deployments (
    id                   INTEGER PRIMARY KEY,
    environment          TEXT NOT NULL,
    cluster              TEXT NOT NULL,
    service              TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback', 'redeploy', 'external')),
    actor                TEXT NOT NULL,
    via                  TEXT NOT NULL,
    note                 TEXT,
    idempotency_key      TEXT,
    -- What was asked: {"images": [...]} or {"revisionOf": <deployment id>}.
    request              TEXT NOT NULL,
    step                 TEXT NOT NULL CHECK (step IN ('recorded', 'registered', 'updated', 'ended')),
    outcome              TEXT NOT NULL CHECK (outcome IN ('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'SUPERSEDED', 'TIMED_OUT')),
    reason               TEXT,
    from_task_definition TEXT,
    to_task_definition   TEXT,
    -- The task definitions' documents (JSON), for the diff and to re-register a deregistered one.
    from_spec            TEXT,
    to_spec              TEXT,
    images               TEXT NOT NULL DEFAULT '[]',
    ecs_deployment_id    TEXT,
    rolled_back_to       TEXT,
    -- The deployment ECS started to roll back a failed one (not an external deployment).
    rollback_ecs_deployment_id TEXT,
    started_at           INTEGER NOT NULL,
    ended_at             INTEGER
);
-- The per-service lock: one Berth deployment in flight per service, even across a crash.
CREATE UNIQUE INDEX deployments_in_flight ON deployments(environment, cluster, service)
    WHERE ended_at IS NULL AND kind != 'external';
CREATE UNIQUE INDEX deployments_idempotency ON deployments(actor, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX deployments_ecs_id ON deployments(ecs_deployment_id) WHERE ecs_deployment_id IS NOT NULL;
CREATE INDEX deployments_rollback_id ON deployments(rollback_ecs_deployment_id)
    WHERE rollback_ecs_deployment_id IS NOT NULL;
-- Keyset pagination, newest first, with and without the common filters.
CREATE INDEX deployments_started ON deployments(started_at DESC, id DESC);
CREATE INDEX deployments_by_service ON deployments(environment, cluster, service, started_at DESC, id DESC);
CREATE INDEX deployments_by_actor ON deployments(actor, started_at DESC, id DESC);
CREATE INDEX deployments_by_outcome ON deployments(outcome, started_at DESC, id DESC);

-- ECS keeps a service's latest 100 events; a rollout's are kept here.
CREATE TABLE deployment_events (
    deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    event_id      TEXT NOT NULL,
    created_at    TEXT,
    message       TEXT NOT NULL,
    PRIMARY KEY (deployment_id, event_id)
);
