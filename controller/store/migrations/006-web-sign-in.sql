-- People sign in to the web UI: a password (argon2id hash, never the password itself), or an
-- OpenID Connect identity ("{issuer} {sub}"), and browser sessions (only the SHA-256 of the
-- session id is kept, with its CSRF token and expiry).
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_by_oidc_subject ON users(oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE web_sessions (
  id_hash    TEXT PRIMARY KEY,
  user_name  TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL                    -- ms since the epoch
);
CREATE INDEX web_sessions_by_expiry ON web_sessions(expires_at);

-- The gallery sorts by last update and filters by owner and SDK.
CREATE INDEX spaces_by_updated ON spaces(updated_at);
CREATE INDEX spaces_by_owner ON spaces(owner, updated_at);
