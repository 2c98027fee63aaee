-- Spaceport's store on PostgreSQL: the schema the SQLite migrations 001–012 (controller/store/migrations/)
-- reach, in one file, since no PostgreSQL database predates it. A later SQLite migration gets its
-- PostgreSQL twin here under the next number. Differences, each for the same behaviour as SQLite:
--   * names, ids and keys that are sorted are COLLATE "C" (byte order, as SQLite's BINARY);
--   * milliseconds since the epoch are BIGINT; booleans stay INTEGER 0/1 (rows.ts reads both stores);
--   * tokens and builds have a `seq` (SQLite's rowid) that breaks ties between equal timestamps.
CREATE TABLE users (
  name          TEXT COLLATE "C" PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  created_at    TEXT NOT NULL,
  password_hash TEXT,
  oidc_subject  TEXT
);
CREATE UNIQUE INDEX users_by_oidc_subject ON users(oidc_subject) WHERE oidc_subject IS NOT NULL;
CREATE INDEX users_by_lower_name ON users(lower(name));

CREATE TABLE tokens (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY,
  id           TEXT PRIMARY KEY,
  user_name    TEXT COLLATE "C" NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('read', 'write')),
  hash         TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL
);
CREATE INDEX tokens_by_user ON tokens(user_name, created_at);

CREATE TABLE spaces (
  uid             TEXT PRIMARY KEY,
  id              TEXT COLLATE "C" NOT NULL UNIQUE,  -- owner/name
  owner           TEXT COLLATE "C" NOT NULL,
  name            TEXT COLLATE "C" NOT NULL,
  subdomain       TEXT NOT NULL UNIQUE,
  sdk             TEXT NOT NULL,
  visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'protected')),
  visibility_gen  INTEGER NOT NULL DEFAULT 0,
  hardware        TEXT NOT NULL,
  sleep_seconds   INTEGER,
  upstream_url    TEXT,
  upstream_branch TEXT,
  webhook_secret  TEXT,
  storage_tier    TEXT CHECK (storage_tier IN ('small', 'medium', 'large')),
  card_data       TEXT,                               -- JSON text, as in SQLite
  head_sha        TEXT,
  target_release  TEXT,
  serving_release TEXT,
  paused          INTEGER NOT NULL DEFAULT 0,
  asleep_since    BIGINT,
  version         INTEGER NOT NULL DEFAULT 0,
  likes           INTEGER NOT NULL DEFAULT 0,
  last_active_at  BIGINT,
  created_at      TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX spaces_by_updated ON spaces(updated_at);
CREATE INDEX spaces_by_owner ON spaces(owner, updated_at);
CREATE INDEX spaces_by_owner_id ON spaces(owner, id);
CREATE INDEX spaces_by_lower_owner ON spaces(lower(owner));
CREATE INDEX spaces_by_lower_id ON spaces(lower(id));
CREATE INDEX spaces_by_likes ON spaces(likes DESC, updated_at DESC);
CREATE INDEX spaces_by_created ON spaces(created_at DESC, id);

CREATE TABLE builds (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY,
  id          TEXT PRIMARY KEY,
  space_uid   TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  commit_sha  TEXT NOT NULL,
  tree_sha    TEXT NOT NULL,
  no_cache    INTEGER NOT NULL DEFAULT 0,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  failure     TEXT CHECK (failure IN ('CONFIG_ERROR', 'NO_APP_FILE', 'BUILD_ERROR')),
  message     TEXT,
  image       TEXT,
  created_at  TEXT COLLATE "C" NOT NULL,
  finished_at TEXT
);
CREATE INDEX builds_by_space ON builds(space_uid, created_at);

CREATE TABLE releases (
  id          TEXT PRIMARY KEY,
  space_uid   TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  build_id    TEXT NOT NULL,
  commit_sha  TEXT NOT NULL,
  image       TEXT NOT NULL,
  port        INTEGER NOT NULL,
  config      TEXT NOT NULL,
  hardware    TEXT,
  failure     TEXT,
  created_at  TEXT NOT NULL
);

CREATE TABLE space_settings (
  space_uid   TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('secret', 'variable')),
  key         TEXT COLLATE "C" NOT NULL,
  value       TEXT NOT NULL,                          -- secrets: sealed (AES-256-GCM)
  description TEXT,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (space_uid, kind, key)
);

CREATE TABLE organizations (
  name        TEXT COLLATE "C" PRIMARY KEY,
  fullname    TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX organizations_by_lower_name ON organizations(lower(name));

CREATE TABLE org_members (
  org_name    TEXT COLLATE "C" NOT NULL REFERENCES organizations(name) ON DELETE CASCADE,
  user_name   TEXT COLLATE "C" NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'write', 'read')),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (org_name, user_name)
);
CREATE INDEX org_members_by_user ON org_members(user_name);

CREATE TABLE web_sessions (
  id_hash    TEXT PRIMARY KEY,
  user_name  TEXT COLLATE "C" NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at BIGINT NOT NULL                          -- ms since the epoch
);
CREATE INDEX web_sessions_by_expiry ON web_sessions(expires_at);

CREATE TABLE space_likes (
  space_uid  TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  user_name  TEXT COLLATE "C" NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (space_uid, user_name)
);
CREATE INDEX space_likes_by_user ON space_likes(user_name, created_at);
