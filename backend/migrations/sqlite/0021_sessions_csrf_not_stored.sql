-- CSRF tokens were stored in clear beside the hashed session id. They are now derived from the
-- session cookie (see auth/sessions.rs), so the column goes. Consoles open during the upgrade
-- get their new token from /api/auth/me when they next load.
ALTER TABLE sessions DROP COLUMN csrf_token;
