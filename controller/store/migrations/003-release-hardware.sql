-- The hardware flavor a release runs on. A hardware change is a new release (same image) so the old
-- one serves until the new one is ready; NULL (releases from before this column): the Space's hardware.
ALTER TABLE releases ADD COLUMN hardware TEXT;
