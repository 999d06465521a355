-- Users are disabled, not deleted: the audit log and token history keep naming one person.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
