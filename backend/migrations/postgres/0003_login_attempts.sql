-- Login attempts (auth/rate_limit.rs): a row per limit an attempt counts against, so the limits
-- survive restarts and hold across replicas. Rows older than the longest window are deleted.
CREATE TABLE login_attempts (
    attempt TEXT NOT NULL,
    key     TEXT NOT NULL,
    at_ms   BIGINT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at_ms);
CREATE INDEX login_attempts_at ON login_attempts(at_ms);
