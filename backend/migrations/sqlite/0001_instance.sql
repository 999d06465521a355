-- Which Berth created this database, and when. Later migrations add users, sessions, tokens,
-- deployments and the audit log; nothing AWS already holds is copied here.
CREATE TABLE instance (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    created_by_version TEXT NOT NULL
);
