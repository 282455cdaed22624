CREATE TABLE notes (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	body VARCHAR(200) NOT NULL
) {{table}};
CREATE INDEX ix_notes_tenant ON notes (tenant_id);
