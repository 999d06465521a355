-- Notifications. An admin's destinations (a Slack incoming webhook, or a signed JSON webhook) per
-- environment, with a filter; the outbox, written in the same transaction as the deployment change
-- it reports; and one delivery per event and destination, which the sender works through (retries
-- with backoff; the delivery log). Times are unix milliseconds.
CREATE TABLE notification_destinations (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('slack', 'webhook')),
    -- Never sent back in full (the API shows hints).
    url         TEXT NOT NULL,
    secret      TEXT,
    -- JSON arrays: services as cluster/service (empty: every service), event names.
    services    TEXT NOT NULL,
    events      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (environment, name)
);

CREATE TABLE notification_outbox (
    id              INTEGER PRIMARY KEY,
    -- The payload's idempotency key: one event is recorded once, however often its change is seen.
    idempotency_key TEXT NOT NULL UNIQUE,
    environment     TEXT NOT NULL,
    event           TEXT NOT NULL,
    deployment_id   INTEGER,
    -- JSON of the event (backend notify::Notice), rendered for each destination when sent.
    notice          TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE notification_deliveries (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES notification_outbox(id) ON DELETE CASCADE,
    destination_id  INTEGER NOT NULL REFERENCES notification_destinations(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'gave_up')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Pending: when the next attempt is due (an attempt under way pushes it past its timeout, so
    -- one cut short by a crash is made again after a restart).
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (outbox_id, destination_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_deliveries_log ON notification_deliveries(destination_id, id DESC);
