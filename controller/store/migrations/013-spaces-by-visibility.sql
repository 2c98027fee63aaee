-- The gallery counts the Spaces a visitor may see (`COUNT(*) … WHERE visibility != 'private'`) on
-- every page: through this index it reads the narrow index, not every row of `spaces`.
CREATE INDEX spaces_by_visibility ON spaces(visibility);
