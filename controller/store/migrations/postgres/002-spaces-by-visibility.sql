-- The twin of SQLite's 013: the gallery counts the Spaces a visitor may see
-- (`COUNT(*) … WHERE visibility != 'private'`) on every page, through this narrow index.
CREATE INDEX spaces_by_visibility ON spaces(visibility);
