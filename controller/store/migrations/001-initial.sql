-- Spaceport's store, version 1. Facts only: the Hub stage is computed from them (controller/lifecycle/stage.ts).
CREATE TABLE users (
  name        TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  created_at  TEXT NOT NULL
);

CREATE TABLE tokens (
  id           TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('read', 'write')),
  hash         TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL
);

CREATE TABLE spaces (
  uid             TEXT PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,            -- owner/name
  owner           TEXT NOT NULL,
  name            TEXT NOT NULL,
  subdomain       TEXT NOT NULL UNIQUE,
  sdk             TEXT NOT NULL,
  visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'protected')),
  lifecycle       TEXT NOT NULL CHECK (lifecycle IN ('active', 'asleep', 'paused')),
  hardware        TEXT NOT NULL,
  sleep_seconds   INTEGER,                          -- NULL: the operator default for the flavor
  upstream_url    TEXT,
  upstream_branch TEXT,
  webhook_secret  TEXT,
  card_data       TEXT,                             -- JSON: README front matter of the last good config
  head_sha        TEXT,
  target_release  TEXT,                             -- newest successful build's release
  serving_release TEXT,                             -- the release that takes traffic
  last_active_at  INTEGER,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE builds (
  id          TEXT PRIMARY KEY,
  space_uid   TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  commit_sha  TEXT NOT NULL,
  tree_sha    TEXT NOT NULL,
  no_cache    INTEGER NOT NULL DEFAULT 0,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  failure     TEXT CHECK (failure IN ('CONFIG_ERROR', 'NO_APP_FILE', 'BUILD_ERROR')),
  message     TEXT,
  image       TEXT,
  created_at  TEXT NOT NULL,
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
  config      TEXT NOT NULL,                         -- JSON: the SpaceConfig it was built from
  failure     TEXT,                                  -- runtime failure message (RUNTIME_ERROR), if any
  created_at  TEXT NOT NULL
);

CREATE TABLE space_settings (
  space_uid   TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('secret', 'variable')),
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,                         -- secrets: sealed (AES-256-GCM, key in the data dir)
  description TEXT,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (space_uid, kind, key)
);
