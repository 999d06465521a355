-- Accounts, sessions, API tokens and the audit log. Secrets are stored only as hashes: passwords
-- with argon2id, session ids and token secrets (random, 256 bits) with SHA-256. Times are unix seconds.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- A role per environment; environment '*' means every environment.
CREATE TABLE grants (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    environment TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'deployer', 'admin')),
    PRIMARY KEY (user_id, environment)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'deployer')),
    environments TEXT NOT NULL,            -- JSON array of names
    services     TEXT,                     -- JSON array of names, NULL for any
    expires_at   INTEGER NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL,
    environment TEXT,
    resource    TEXT,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Append-only, whatever code runs against the file.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
