-- Likes (the Hub's `POST/DELETE /api/spaces/{id}/like`): one row per user and Space, gone with
-- either. `spaces.likes` keeps the count, written in the same transaction as the row, so that
-- the gallery sorts by likes and every listing shows the count without a join.
CREATE TABLE space_likes (
  space_uid  TEXT NOT NULL REFERENCES spaces(uid) ON DELETE CASCADE,
  user_name  TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (space_uid, user_name)
);
CREATE INDEX space_likes_by_user ON space_likes(user_name, created_at);
ALTER TABLE spaces ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX spaces_by_likes ON spaces(likes DESC, updated_at DESC);
