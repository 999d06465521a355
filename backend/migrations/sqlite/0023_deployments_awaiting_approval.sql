-- The PAUSE hook a deployment's rollout waits at (JSON of shared::deploy::HookState), while it
-- waits: the history, the deployment's page and `wait=true` show "awaiting approval". Cleared when
-- the rollout moves on or ends.
ALTER TABLE deployments ADD COLUMN awaiting_approval TEXT;
