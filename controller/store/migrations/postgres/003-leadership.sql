-- Controller replicas (controller/leadership/): the leader's term, bumped by each replica that takes
-- the leader lock (fencing: a writer that names an older term is a leader that lost), and the changes
-- a replica that does not lead hands to the one that does (read by the leader on NOTIFY spaceport_kicks).
CREATE TABLE leader_term (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  term BIGINT NOT NULL,
  holder TEXT NOT NULL,
  since BIGINT NOT NULL
);

CREATE TABLE pending_kicks (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  space_uid TEXT NOT NULL,
  kind TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  at BIGINT NOT NULL
);
