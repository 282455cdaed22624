-- Topics (专题专栏) of every tenant that enables the module. Every table
-- carries tenant_id; the SDK binds it in every statement.
CREATE TABLE topics (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	title VARCHAR(200) NOT NULL,
	banner_url VARCHAR(500) NOT NULL DEFAULT '',
	banner_alt VARCHAR(200) NOT NULL DEFAULT '',
	intro {{text}} NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'draft',
	sort INTEGER NOT NULL DEFAULT 0,
	demo INTEGER NOT NULL DEFAULT 0,
	published_at {{time}} NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	updated_by VARCHAR(200) NOT NULL DEFAULT ''
) {{table}};
CREATE INDEX ix_topics_tenant ON topics (tenant_id, status, sort);

-- The ordered sections of a topic: core articles by column and/or tag, or
-- a custom block (rich text, gallery, video).
CREATE TABLE topic_sections (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	topic_id BIGINT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0,
	kind VARCHAR(16) NOT NULL,
	title VARCHAR(200) NOT NULL DEFAULT '',
	column_slug VARCHAR(64) NOT NULL DEFAULT '',
	tag VARCHAR(100) NOT NULL DEFAULT '',
	max_items INTEGER NOT NULL DEFAULT 8,
	body {{text}} NOT NULL,
	items {{text}} NOT NULL,
	CONSTRAINT fk_sections_topic FOREIGN KEY (topic_id) REFERENCES topics (id)
) {{table}};
CREATE INDEX ix_sections_topic ON topic_sections (tenant_id, topic_id, sort);

-- Tenants that have had their demo topics, so that an editor who deletes
-- or archives them does not see them come back at the next start.
CREATE TABLE topics_demo_seeded (
	tenant_id BIGINT NOT NULL PRIMARY KEY,
	seeded_at {{time}} NOT NULL
) {{table}};
