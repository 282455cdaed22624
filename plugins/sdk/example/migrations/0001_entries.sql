-- The guest book's entries of every tenant that enables it.
CREATE TABLE guestbook_entries (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	name VARCHAR(60) NOT NULL,
	message VARCHAR(1000) NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_guestbook_tenant ON guestbook_entries (tenant_id, created_at);
