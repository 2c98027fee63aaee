-- A Space's visibility generation: bumped on every visibility change. Private-app grants and cookies
-- are bound to the Space's uid and this generation (proxy/app-grant.ts), so making a Space public
-- and private again invalidates every cookie handed out before.
ALTER TABLE spaces ADD COLUMN visibility_gen INTEGER NOT NULL DEFAULT 0;

-- User and organization names are unique ignoring case, across both (checked in the store's
-- transactions; existing collisions are reported at start, never deleted). These make the checks,
-- and the check that a namespace holds no Space yet, index lookups.
CREATE INDEX users_by_lower_name ON users(lower(name));
CREATE INDEX organizations_by_lower_name ON organizations(lower(name));
CREATE INDEX spaces_by_lower_owner ON spaces(lower(owner));
