-- Organizations own Spaces like users do (one namespace for both: a name is a user or an org).
-- Members have a role: admin (members and every Space), write (create and change Spaces), read
-- (see and clone private Spaces, change nothing).
CREATE TABLE organizations (
  name        TEXT PRIMARY KEY,
  fullname    TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE org_members (
  org_name    TEXT NOT NULL REFERENCES organizations(name) ON DELETE CASCADE,
  user_name   TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('admin', 'write', 'read')),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (org_name, user_name)
);
CREATE INDEX org_members_by_user ON org_members(user_name);

-- When a token was last used is not tracked; revoking a token deletes its row.
CREATE INDEX tokens_by_user ON tokens(user_name, created_at);
