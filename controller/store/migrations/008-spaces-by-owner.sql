-- Listing a user's Spaces (`GET /api/spaces?author=…`) reads their rows in id order through this
-- index instead of scanning every Space.
CREATE INDEX spaces_by_owner_id ON spaces(owner, id);
