-- The portal's county-wide catalogue reads every tenant's newest items
-- at once; this index gives them in order without sorting the county.
CREATE INDEX ix_disclosure_items_recent ON disclosure_items (status, published_at);
-- A unit's list of one year, newest first (the platform's unit filter):
-- without published_at here, MariaDB would rather walk the index above
-- through the whole county.
CREATE INDEX ix_disclosure_items_year_recent ON disclosure_items (tenant_id, status, seq_year, published_at);
