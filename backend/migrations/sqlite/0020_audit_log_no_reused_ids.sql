-- `INSERT OR REPLACE` / `REPLACE INTO` with an existing id deletes the old row without firing the
-- delete trigger (SQLite runs delete triggers on REPLACE only with recursive_triggers on), so the
-- append-only guard of 0002 could be bypassed. An insert that reuses an id is refused outright.
CREATE TRIGGER audit_log_no_reused_id BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
