-- Guardrails (guardrails.rs): an environment's settings, as the JSON of shared::guardrails::Guardrails.
CREATE TABLE environment_guardrails (
    environment TEXT PRIMARY KEY,
    settings    TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The failed-image guard's acknowledgements: a deployer read why deployment `deployment_id`
-- failed and let its digest go out to its service again.
CREATE TABLE image_acknowledgements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    environment   TEXT NOT NULL,
    cluster       TEXT NOT NULL,
    service       TEXT NOT NULL,
    digest        TEXT NOT NULL,
    deployment_id INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    at_ms         INTEGER NOT NULL
);
CREATE INDEX image_acknowledgements_digest ON image_acknowledgements(environment, cluster, service, digest);
CREATE INDEX image_acknowledgements_deployment ON image_acknowledgements(deployment_id);

-- A deployment made during a freeze window by an admin's override: "window: reason".
ALTER TABLE deployments ADD COLUMN freeze_override TEXT;
