-- The last rebuild of the search index asked for (from the county console
-- or `yiwang search reindex` beside a running server) and how far the
-- worker that took it has got: one row, named 'last'.
CREATE TABLE search_rebuild (
	name VARCHAR(16) NOT NULL PRIMARY KEY,
	tenant_id BIGINT NOT NULL DEFAULT 0,
	requested_by VARCHAR(200) NOT NULL DEFAULT '',
	requested_at {{time}} NOT NULL,
	started_at {{time}} NULL,
	finished_at {{time}} NULL,
	done INTEGER NOT NULL DEFAULT 0,
	total INTEGER NOT NULL DEFAULT 0,
	error VARCHAR(500) NOT NULL DEFAULT ''
) {{table}};
