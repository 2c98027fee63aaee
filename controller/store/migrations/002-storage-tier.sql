-- Persistent storage (/data) of a Space: the Hub's tier, NULL when it has none. The volume itself is
-- named after the Space's uid, so a rename keeps it.
ALTER TABLE spaces ADD COLUMN storage_tier TEXT CHECK (storage_tier IN ('small', 'medium', 'large'));
