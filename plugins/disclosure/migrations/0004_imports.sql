-- Imports of an old catalogue from a sheet. A run writes every row or
-- none; this row keeps what happened: the counts and, when the sheet was
-- refused, every error by row and column (as JSON).
CREATE TABLE disclosure_imports (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	file_name VARCHAR(200) NOT NULL,
	status VARCHAR(16) NOT NULL,
	total INTEGER NOT NULL DEFAULT 0,
	written INTEGER NOT NULL DEFAULT 0,
	errors {{text}} NOT NULL,
	created_by BIGINT NOT NULL DEFAULT 0,
	created_by_name VARCHAR(100) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	finished_at {{time}} NULL
) {{table}};
CREATE INDEX ix_disclosure_imports_tenant ON disclosure_imports (tenant_id, created_at);
