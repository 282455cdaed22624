-- A tenant's own texts of its 公开指南 (guide) and 公开制度 (rules);
-- a tenant without one shows the module's standard text.
CREATE TABLE disclosure_pages (
	tenant_id BIGINT NOT NULL,
	kind VARCHAR(16) NOT NULL,
	body {{text}} NOT NULL,
	updated_by_name VARCHAR(100) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL,
	PRIMARY KEY (tenant_id, kind)
) {{table}};
